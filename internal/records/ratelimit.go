package records

import (
	"sync"
	"time"
)

// rateLimiter allows at most limit events per key in any window (a
// sliding log per key, in memory, per node). A negative limit allows
// everything.
type rateLimiter struct {
	limit  int
	window time.Duration
	mu     sync.Mutex
	events map[string][]time.Time
}

func newRateLimiter(limit int, window time.Duration) *rateLimiter {
	return &rateLimiter{limit: limit, window: window, events: map[string][]time.Time{}}
}

// allow records an event for key at now and reports whether it is within
// the limit; a refused event is not recorded.
func (r *rateLimiter) allow(key string, now time.Time) bool {
	if r.limit < 0 {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	cut := now.Add(-r.window)
	ev := r.events[key]
	i := 0
	for i < len(ev) && !ev[i].After(cut) {
		i++
	}
	ev = ev[i:]
	if len(ev) >= r.limit {
		r.events[key] = ev
		return false
	}
	r.events[key] = append(ev, now)
	if len(r.events) > 100000 { // bound memory: drop keys with no recent events
		for k, v := range r.events {
			if len(v) == 0 || !v[len(v)-1].After(cut) {
				delete(r.events, k)
			}
		}
	}
	return true
}
