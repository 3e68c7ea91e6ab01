package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/authz"
)

// AccessConfig configures authorization (docs/ACCESS.md): operator
// policies and the conditions the policies use.
type AccessConfig struct {
	PolicyDir       string // directory of *.cedar files overriding/extending the built-in policies
	WorkingHours    string // per-team working hours, "TEAM=ZONE DAYS HH:MM-HH:MM; ..."
	RoleNetworks    string // per-role client networks, "ROLE=CIDR,CIDR; ..."
	RequireTraining bool   // customer data needs a current security-training attestation
	RevealRate      string // reveals per user, "N/DURATION" (default 30/1h; "off" = unlimited)
}

// RevealLimit returns the reveal rate limit: at most n per window; n < 0
// means unlimited.
func (a AccessConfig) RevealLimit() (n int, window time.Duration, err error) {
	s := strings.TrimSpace(a.RevealRate)
	switch s {
	case "":
		return 30, time.Hour, nil
	case "off":
		return -1, time.Hour, nil
	}
	if n, window, ok := parseRate(s); ok {
		return n, window, nil
	}
	return 0, 0, fmt.Errorf("want N/DURATION such as 30/1h, or off")
}

// parseRate reads a rate "N/DURATION" (N > 0, DURATION > 0), such as
// 30/1h.
func parseRate(s string) (n int, window time.Duration, ok bool) {
	num, dur, found := strings.Cut(s, "/")
	n, err := strconv.Atoi(num)
	if !found || err != nil || n <= 0 {
		return 0, 0, false
	}
	window, err = time.ParseDuration(dur)
	if err != nil || window <= 0 {
		return 0, 0, false
	}
	return n, window, true
}

// AuthzOptions returns the conditions as authz options.
func (a AccessConfig) AuthzOptions() (authz.Options, error) {
	hours, err := authz.ParseWorkingHours(a.WorkingHours)
	if err != nil {
		return authz.Options{}, fmt.Errorf("working_hours: %w", err)
	}
	nets, err := authz.ParseNetworks(a.RoleNetworks)
	if err != nil {
		return authz.Options{}, fmt.Errorf("role_networks: %w", err)
	}
	return authz.Options{Hours: hours, Networks: nets, RequireTraining: a.RequireTraining}, nil
}

func accessSettings() []*setting {
	return []*setting{
		newSetting("policy_dir", "`directory` of Cedar policy files that override (same file name) or extend the built-in policies",
			func(c *Config) any { return &c.Access.PolicyDir }),
		newSetting("working_hours", "per-team working `hours`: \"TEAM=ZONE DAYS HH:MM-HH:MM; ...\" (default: always)",
			func(c *Config) any { return &c.Access.WorkingHours }),
		newSetting("role_networks", "per-role client `networks`: \"ROLE=CIDR,CIDR; ...\" (default: any)",
			func(c *Config) any { return &c.Access.RoleNetworks }),
		newSetting("require_training", "deny people customer data unless their security-training attestation is current",
			func(c *Config) any { return &c.Access.RequireTraining }),
		newSetting("reveal_rate", "reveals per user, `N/DURATION` (default 30/1h; off = unlimited)",
			func(c *Config) any { return &c.Access.RevealRate }),
	}
}

func (a *AccessConfig) resolvePaths(wd string) { a.PolicyDir = absolute(wd, a.PolicyDir) }

func (a AccessConfig) validate(fail func(key, format string, args ...any)) {
	if _, err := authz.ParseWorkingHours(a.WorkingHours); err != nil {
		fail("working_hours", "%v", err)
	}
	if _, err := authz.ParseNetworks(a.RoleNetworks); err != nil {
		fail("role_networks", "%v", err)
	}
	if _, _, err := a.RevealLimit(); err != nil {
		fail("reveal_rate", "%v", err)
	}
}

// The access settings follow the general ones.
func init() { settings = append(settings, accessSettings()...) }
