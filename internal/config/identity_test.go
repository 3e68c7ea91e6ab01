package config_test

import (
	"strings"
	"testing"
	"time"
)

// TestIdentityBounds: the session and lockout settings stay within the
// compliance limits unless allow_long_sessions, which is then a warning.
func TestIdentityBounds(t *testing.T) {
	for _, tc := range []struct {
		args []string
		err  string // "" for valid
	}{
		{nil, ""},
		{[]string{"--session-idle-timeout", "10m", "--session-lifetime", "8h", "--lockout-threshold", "5",
			"--lockout-duration", "1h", "--dormant-after", "720h", "--reauth-window", "2m", "--break-glass-max", "15m"}, ""},
		{[]string{"--session-idle-timeout", "16m"}, "session_idle_timeout: 16m exceeds the compliance limit"},
		{[]string{"--session-lifetime", "13h"}, "session_lifetime: 13h exceeds the compliance limit"},
		{[]string{"--session-idle-timeout", "30s"}, "session_idle_timeout: must be at least 1m"},
		{[]string{"--session-idle-timeout", "10m", "--session-lifetime", "5m"}, "session_idle_timeout: must not exceed session_lifetime"},
		{[]string{"--lockout-threshold", "11"}, "lockout_threshold: must be 1 to 10"},
		{[]string{"--lockout-threshold", "0"}, "lockout_threshold: must be 1 to 10"},
		{[]string{"--lockout-duration", "29m"}, "lockout_duration: must be at least 30m"},
		{[]string{"--dormant-after", "1h"}, "dormant_after: must be at least 24h"},
		{[]string{"--reauth-window", "16m"}, "reauth_window: must be 1m to 15m"},
		{[]string{"--break-glass-max", "31m"}, "break_glass_max: must be 1m to 30m"},
		{[]string{"--break-glass-max", "0s"}, "break_glass_max: must be 1m to 30m"},
	} {
		_, warnings, err := load(t, "", nil, append([]string{"--data", t.TempDir()}, tc.args...)...)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%v: %v", tc.args, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.err)
		case len(warnings) != 0:
			t.Errorf("%v: warnings %v", tc.args, warnings)
		}
	}

	cfg, warnings, err := load(t, "session_idle_timeout: 1h\nsession_lifetime: 24h\nallow_long_sessions: true\n", nil, "--data", t.TempDir())
	if err != nil || len(warnings) != 1 || !strings.Contains(warnings[0], "allow_long_sessions: sessions exceed the compliance limits") {
		t.Fatalf("long sessions allowed: %v, warnings %v", err, warnings)
	}
	if cfg.Identity.SessionIdleTimeout != time.Hour || cfg.Identity.SessionLifetime != 24*time.Hour {
		t.Fatalf("identity %+v", cfg.Identity)
	}
	if _, warnings, _ := load(t, "", map[string]string{"CONFIDE_ALLOW_LONG_SESSIONS": "true"}, "--data", t.TempDir()); len(warnings) != 0 {
		t.Fatalf("the flag alone (within the limits) warns: %v", warnings)
	}
}
