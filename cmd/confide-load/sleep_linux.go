package main

import (
	"runtime"
	"syscall"
	"time"
)

// prSetTimerSlack is prctl's PR_SET_TIMERSLACK (linux/prctl.h).
const prSetTimerSlack = 29

// preciseSleeper locks the calling goroutine to its OS thread and returns a
// function that sleeps that thread to within tens of microseconds. Go's
// timers may wake up to a millisecond late on Linux, which an open loop
// would charge to the server; nanosleep with a 1 ns timer slack does not.
// The goroutine stays locked, so its thread, whose slack was changed, exits
// with it instead of serving other goroutines.
func preciseSleeper() func(time.Duration) {
	runtime.LockOSThread()
	// Best effort: with the default 50 µs slack the sleep is only less precise.
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, 1, 0)
	return func(d time.Duration) {
		ts := syscall.NsecToTimespec(d.Nanoseconds())
		syscall.Nanosleep(&ts, nil) // an early wake (EINTR) is caught by the caller's clock check
	}
}
