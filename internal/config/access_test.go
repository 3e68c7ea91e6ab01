package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/config"
)

func TestAccessSettings(t *testing.T) {
	cfg := mustLoad(t, "", map[string]string{"CONFIDE_REQUIRE_TRAINING": "true"}, "--data", t.TempDir(),
		"--working-hours", "support=Europe/London mon-fri 08:00-18:00", "--role-networks", "agent=10.0.0.0/8", "--reveal-rate", "5/10m",
		"--policy-dir", "policies")
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	opt, err := cfg.Access.AuthzOptions()
	if err != nil || !opt.RequireTraining || len(opt.Hours) != 1 || len(opt.Networks["agent"]) != 1 {
		t.Fatalf("AuthzOptions = %+v, %v", opt, err)
	}
	if n, w, err := cfg.Access.RevealLimit(); n != 5 || w != 10*time.Minute || err != nil {
		t.Errorf("RevealLimit = %d, %v, %v", n, w, err)
	}
	if !strings.HasSuffix(cfg.Access.PolicyDir, "/policies") || !strings.HasPrefix(cfg.Access.PolicyDir, "/") {
		t.Errorf("policy_dir not made absolute: %q", cfg.Access.PolicyDir)
	}
	if n, _, _ := (config.AccessConfig{}).RevealLimit(); n != 30 {
		t.Errorf("default reveal limit %d", n)
	}
	if n, _, _ := (config.AccessConfig{RevealRate: "off"}).RevealLimit(); n >= 0 {
		t.Errorf("reveal_rate off = %d", n)
	}

	for _, tc := range []struct{ name, flag, value, want string }{
		{"hours zone", "--working-hours", "support=Mars/Base mon 09:00-10:00", "working_hours: team \"support\": unknown time zone"},
		{"hours days", "--working-hours", "support=UTC someday 09:00-10:00", "working_hours: team \"support\": bad days"},
		{"network role", "--role-networks", "wizard=10.0.0.0/8", "role_networks: "},
		{"network cidr", "--role-networks", "agent=10.0.0.300/8", "role_networks: role \"agent\""},
		{"reveal rate", "--reveal-rate", "lots", "reveal_rate: want N/DURATION"},
		{"reveal rate zero", "--reveal-rate", "0/1h", "reveal_rate: want N/DURATION"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := load(t, "", nil, "--data", t.TempDir(), tc.flag, tc.value)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load = %v, want %q", err, tc.want)
			}
		})
	}
}
