//go:build !linux

package main

import "time"

// preciseSleeper returns time.Sleep, as precise as the runtime's timers.
func preciseSleeper() func(time.Duration) {
	return time.Sleep
}
