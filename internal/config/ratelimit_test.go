package config_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/config"
)

func TestRateLimitSettings(t *testing.T) {
	tests := []struct {
		rate, exempt string
		burst        int
		perSecond    float64
		wantBurst    int
		wantExempt   []string
		err          string
	}{
		{rate: "", perSecond: 1000, wantBurst: 2000},
		{rate: "off", perSecond: 0, wantBurst: 1},
		{rate: "600/1m", perSecond: 10, wantBurst: 20},
		{rate: "50/1s", burst: 7, perSecond: 50, wantBurst: 7},
		{rate: "50/1s", exempt: " 10.1.2.0/24 ,192.0.2.7, 2001:db8::/32", perSecond: 50, wantBurst: 100,
			wantExempt: []string{"10.1.2.0/24", "192.0.2.7/32", "2001:db8::/32"}},
		{rate: "50/1s", exempt: "10.1.2.3/24", perSecond: 50, wantBurst: 100, wantExempt: []string{"10.1.2.0/24"}},
		{rate: "lots", err: "rate_limit: want N/DURATION"},
		{rate: "0/1s", err: "rate_limit: want N/DURATION"},
		{rate: "5/2h", err: "rate_limit: want N/DURATION"},
		{rate: "5/1s", burst: -1, err: "rate_limit_burst: must be 0"},
		{rate: "5/1s", exempt: "10.0.0.0/33", err: `rate_limit_exempt: "10.0.0.0/33" is not a network`},
		{rate: "5/1s", exempt: "office", err: `rate_limit_exempt: "office" is not a network`},
	}
	for _, tc := range tests {
		t.Run(tc.rate+"|"+tc.exempt, func(t *testing.T) {
			args := []string{"--rate-limit", tc.rate, "--rate-limit-exempt", tc.exempt}
			if tc.burst != 0 {
				args = append(args, "--rate-limit-burst", strconv.Itoa(tc.burst))
			}
			cfg, _, err := load(t, "", nil, args...)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ps, err := cfg.RateLimit.PerSecond()
			if err != nil || ps != tc.perSecond || cfg.RateLimit.BurstSize() != tc.wantBurst {
				t.Errorf("PerSecond %v (%v), burst %d; want %v, %d", ps, err, cfg.RateLimit.BurstSize(), tc.perSecond, tc.wantBurst)
			}
			nets, _ := cfg.RateLimit.ExemptNetworks()
			var got []string
			for _, p := range nets {
				got = append(got, p.String())
			}
			if !slices.Equal(got, tc.wantExempt) {
				t.Errorf("exempt %v, want %v", got, tc.wantExempt)
			}
		})
	}
}

func FuzzRateLimit(f *testing.F) {
	f.Add("1000/1s", "10.0.0.0/8,::1")
	f.Add("off", "")
	f.Add("3/0s", "1.2.3.4/")
	f.Fuzz(func(t *testing.T, rate, exempt string) {
		r := config.RateLimitConfig{Rate: rate, Exempt: exempt}
		if ps, err := r.PerSecond(); err == nil && (ps < 0 || ps != ps) {
			t.Fatalf("rate %q accepted as %v", rate, ps)
		}
		if nets, err := r.ExemptNetworks(); err == nil {
			for _, p := range nets {
				if !p.IsValid() || p != p.Masked() {
					t.Fatalf("exempt %q gave %v", exempt, p)
				}
			}
		}
		_ = r.BurstSize()
	})
}
