package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// RateLimitConfig configures the per-client-address request limit
// (httpx.RateLimit).
type RateLimitConfig struct {
	Rate   string // "N/DURATION" per client address (IPv4 address, IPv6 /64), or "off"
	Burst  int    // requests at once; 0: twice the per-second rate
	Exempt string // comma-separated networks never limited
}

// defaultRateLimit is generous for people and integrations alike; an
// integration that must go faster is exempted by network.
const defaultRateLimit = "1000/1s"

// PerSecond returns the sustained rate in requests per second (0: off).
func (r RateLimitConfig) PerSecond() (float64, error) {
	s := strings.TrimSpace(r.Rate)
	switch s {
	case "":
		s = defaultRateLimit
	case "off":
		return 0, nil
	}
	if n, d, ok := parseRate(s); ok && d <= time.Hour {
		return float64(n) / d.Seconds(), nil
	}
	return 0, fmt.Errorf("want N/DURATION such as 1000/1s (DURATION at most 1h), or off")
}

// BurstSize returns the burst: Burst, or twice the per-second rate (at least 1).
func (r RateLimitConfig) BurstSize() int {
	if r.Burst > 0 {
		return r.Burst
	}
	ps, err := r.PerSecond()
	if err != nil {
		return 1
	}
	return max(1, int(2*ps))
}

// ExemptNetworks parses Exempt.
func (r RateLimitConfig) ExemptNetworks() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(r.Exempt, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("%q is not a network (CIDR) or an address", f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func rateLimitSettings() []*setting {
	return []*setting{
		newSetting("rate_limit", "requests per client address (an IPv4 address or IPv6 /64), `N/DURATION` (default "+defaultRateLimit+"; off = unlimited); more get 429",
			func(c *Config) any { return &c.RateLimit.Rate }),
		newSetting("rate_limit_burst", "requests a client address may make at `once` (default: twice the per-second rate)",
			func(c *Config) any { return &c.RateLimit.Burst }),
		newSetting("rate_limit_exempt", "comma-separated `networks` (CIDR) never rate limited, e.g. the telephony platform",
			func(c *Config) any { return &c.RateLimit.Exempt }),
	}
}

func (r RateLimitConfig) validate(fail func(key, format string, args ...any)) {
	if _, err := r.PerSecond(); err != nil {
		fail("rate_limit", "%v", err)
	}
	if r.Burst < 0 || r.Burst > 1_000_000 {
		fail("rate_limit_burst", "must be 0 (default) to 1000000")
	}
	if _, err := r.ExemptNetworks(); err != nil {
		fail("rate_limit_exempt", "%v", err)
	}
}

func init() { settings = append(settings, rateLimitSettings()...) }
