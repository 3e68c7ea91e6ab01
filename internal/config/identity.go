package config

import (
	"fmt"
	"time"
)

// IdentityConfig holds the session, lockout, dormancy, re-authentication
// and break-glass settings of human accounts (docs/IDENTITY.md). The
// compliance limits (PCI DSS 8.2.8, 8.3.4) are enforced here: sessions no
// longer than idle 15 minutes and 12 hours in all unless AllowLongSessions
// is set, which Load reports as a warning (and the node logs), lockout
// after at most 10 failures for at least 30 minutes.
type IdentityConfig struct {
	SessionIdleTimeout time.Duration // a session unused this long ends
	SessionLifetime    time.Duration // a session ends this long after sign-in
	AllowLongSessions  bool          // permit the two above beyond 15m and 12h
	LockoutThreshold   int64         // consecutive failures that lock an account (1 to 10)
	LockoutDuration    time.Duration // how long a locked account stays locked (≥ 30m)
	DormantAfter       time.Duration // active accounts without sign-in this long are disabled
	ReauthWindow       time.Duration // how recent a sign-in sensitive actions need (1m to 15m)
	BreakGlassMax      time.Duration // longest break-glass elevation (1m to 30m)
}

// Compliance limits of the identity settings.
const (
	maxIdleTimeout     = 15 * time.Minute
	maxSessionLifetime = 12 * time.Hour
	maxLockoutFailures = 10
	minLockoutDuration = 30 * time.Minute
	minDormantAfter    = 24 * time.Hour
	maxReauthWindow    = 15 * time.Minute
	maxBreakGlass      = 30 * time.Minute
)

func identityDefaults() IdentityConfig {
	return IdentityConfig{
		SessionIdleTimeout: 15 * time.Minute,
		SessionLifetime:    12 * time.Hour,
		LockoutThreshold:   10,
		LockoutDuration:    30 * time.Minute,
		DormantAfter:       90 * 24 * time.Hour,
		ReauthWindow:       5 * time.Minute,
		BreakGlassMax:      30 * time.Minute,
	}
}

// identitySettings are the identity settings, in the order Effective
// reports them.
func identitySettings() []*setting {
	return []*setting{
		newSetting("session_idle_timeout", "`duration` after which an unused session ends (at most 15m unless allow_long_sessions)",
			func(c *Config) any { return &c.Identity.SessionIdleTimeout }),
		newSetting("session_lifetime", "`duration` after which a session ends however it is used (at most 12h unless allow_long_sessions)",
			func(c *Config) any { return &c.Identity.SessionLifetime }),
		newSetting("allow_long_sessions", "permit sessions beyond the compliance limits (idle 15m, 12h); reported as a warning",
			func(c *Config) any { return &c.Identity.AllowLongSessions }),
		newSetting("lockout_threshold", "consecutive failed sign-ins that lock an account (`count`, 1 to 10)",
			func(c *Config) any { return &c.Identity.LockoutThreshold }),
		newSetting("lockout_duration", "`duration` a locked account stays locked (at least 30m)",
			func(c *Config) any { return &c.Identity.LockoutDuration }),
		newSetting("dormant_after", "`duration` without sign-in after which an active account is disabled (at least 24h)",
			func(c *Config) any { return &c.Identity.DormantAfter }),
		newSetting("reauth_window", "`duration` a re-authentication allows sensitive actions for (1m to 15m)",
			func(c *Config) any { return &c.Identity.ReauthWindow }),
		newSetting("break_glass_max", "longest break-glass elevation, a `duration` (1m to 30m)",
			func(c *Config) any { return &c.Identity.BreakGlassMax }),
	}
}

// validate reports the invalid identity settings through fail.
func (i IdentityConfig) validate(fail func(key, format string, args ...any)) {
	switch {
	case i.SessionIdleTimeout < time.Minute:
		fail("session_idle_timeout", "must be at least 1m")
	case i.SessionIdleTimeout > maxIdleTimeout && !i.AllowLongSessions:
		fail("session_idle_timeout", "%s exceeds the compliance limit of 15m; set allow_long_sessions to permit it", formatDuration(i.SessionIdleTimeout))
	}
	switch {
	case i.SessionLifetime < time.Minute:
		fail("session_lifetime", "must be at least 1m")
	case i.SessionLifetime > maxSessionLifetime && !i.AllowLongSessions:
		fail("session_lifetime", "%s exceeds the compliance limit of 12h; set allow_long_sessions to permit it", formatDuration(i.SessionLifetime))
	case i.SessionIdleTimeout > i.SessionLifetime:
		fail("session_idle_timeout", "must not exceed session_lifetime")
	}
	if i.LockoutThreshold < 1 || i.LockoutThreshold > maxLockoutFailures {
		fail("lockout_threshold", "must be 1 to %d", maxLockoutFailures)
	}
	if i.LockoutDuration < minLockoutDuration {
		fail("lockout_duration", "must be at least 30m")
	}
	if i.DormantAfter < minDormantAfter {
		fail("dormant_after", "must be at least 24h")
	}
	if i.ReauthWindow < time.Minute || i.ReauthWindow > maxReauthWindow {
		fail("reauth_window", "must be 1m to 15m")
	}
	if i.BreakGlassMax < time.Minute || i.BreakGlassMax > maxBreakGlass {
		fail("break_glass_max", "must be 1m to 30m")
	}
}

// warnings names the identity settings that are valid but outside the
// compliance limits.
func (i IdentityConfig) warnings() []string {
	if !i.AllowLongSessions || (i.SessionIdleTimeout <= maxIdleTimeout && i.SessionLifetime <= maxSessionLifetime) {
		return nil
	}
	return []string{fmt.Sprintf("allow_long_sessions: sessions exceed the compliance limits (session_idle_timeout %s, limit 15m; session_lifetime %s, limit 12h)",
		formatDuration(i.SessionIdleTimeout), formatDuration(i.SessionLifetime))}
}

// The identity settings follow the general ones.
func init() { settings = append(settings, identitySettings()...) }
