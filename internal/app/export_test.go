package app

import "time"

// SetClock makes now the clock of a's user service (sessions, lockout,
// re-authentication, elevations).
func SetClock(a *App, now func() time.Time) { a.clock.now.Store(&now) }
