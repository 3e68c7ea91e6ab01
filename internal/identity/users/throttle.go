package users

import (
	"net/netip"
	"sync"
	"time"
)

// throttle counts failed sign-in attempts per client address in fixed
// windows. It is per node and in memory: with several nodes an address
// gets the limit on each; the per-account lockout, which is stored, is the
// control that holds across nodes.
type throttle struct {
	limit  int
	window time.Duration

	mu      sync.Mutex
	entries map[netip.Addr]*throttleEntry
}

type throttleEntry struct {
	start    time.Time
	failures int
}

// maxThrottleEntries bounds the memory of the throttle; past it, expired
// entries are dropped, and if none are, the table is reset.
const maxThrottleEntries = 100_000

func newThrottle(limit int, window time.Duration) *throttle {
	return &throttle{limit: limit, window: window, entries: map[netip.Addr]*throttleEntry{}}
}

// blocked reports whether addr has used up its failures in the current
// window.
func (t *throttle) blocked(addr netip.Addr, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entries[addr.Unmap()]
	return e != nil && now.Sub(e.start) < t.window && e.failures >= t.limit
}

// fail records a failed attempt from addr.
func (t *throttle) fail(addr netip.Addr, now time.Time) {
	addr = addr.Unmap()
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entries[addr]
	if e == nil || now.Sub(e.start) >= t.window {
		if len(t.entries) >= maxThrottleEntries {
			t.sweep(now)
		}
		e = &throttleEntry{start: now}
		t.entries[addr] = e
	}
	e.failures++
}

func (t *throttle) sweep(now time.Time) {
	for a, e := range t.entries {
		if now.Sub(e.start) >= t.window {
			delete(t.entries, a)
		}
	}
	if len(t.entries) >= maxThrottleEntries {
		clear(t.entries)
	}
}
