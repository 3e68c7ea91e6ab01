package app

import (
	"sync/atomic"
	"time"
)

// clock is the time source of the user service (sessions, lockout,
// re-authentication, elevations): time.Now, unless a test moves it
// (export_test.go).
type clock struct {
	now atomic.Pointer[func() time.Time]
}

// Now returns the current time.
func (c *clock) Now() time.Time {
	if f := c.now.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}
