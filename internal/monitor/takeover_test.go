package monitor_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/monitor"
)

func TestAccountTakeover(t *testing.T) {
	// signal is the event the records service appends (CF-8010).
	signal := func(at time.Duration, agent, customer string) func(*stream) {
		return func(s *stream) {
			s.add(t0.Add(at), agent, "agent", "10.1.0.5", "verification.takeover_signal", "customer/"+customer, audit.Success,
				"repeated_verification_failures", map[string]any{"severity": "high", "failures": 3.0, "window_seconds": 86400.0,
					"threshold": 3.0, "interaction_id": "i1", "verification_id": "v1", "customer_id": customer})
		}
	}
	// failure is a failed caller verification recorded by agent.
	failure := func(at time.Duration, agent, action, customer string) func(*stream) {
		return func(s *stream) {
			reason := "wrong_code"
			if action == "verification.start" {
				reason = "kba_mismatch"
			}
			s.add(t0.Add(at), agent, "agent", "10.1.0.5", action, "interaction/i-"+agent, audit.Failure, reason,
				map[string]any{"customer_id": customer, "result": "failed"})
		}
	}
	passed := func(at time.Duration, agent, customer string) func(*stream) {
		return func(s *stream) {
			s.add(t0.Add(at), agent, "agent", "10.1.0.5", "verification.check", "interaction/i-"+agent, audit.Success, "",
				map[string]any{"customer_id": customer, "result": "passed"})
		}
	}
	tests := []struct {
		name   string
		cfg    func(*monitor.Config)
		events []func(*stream)
		ev     [][]int64 // evidence of each finding
		says   string
	}{
		{name: "signal", events: []func(*stream){signal(0, "usr_1", "c1")}, ev: [][]int64{{1}},
			says: "account takeover signal for customer c1: 3 failed caller verifications within 24h0m0s"},
		{name: "signal without details", events: []func(*stream){func(s *stream) {
			s.add(t0, "usr_1", "agent", "", "verification.takeover_signal", "customer/c1", audit.Success, "", nil)
		}}, ev: [][]int64{{1}}, says: "customer c1: repeated failed caller verifications"},
		{name: "signals of one customer cool down", events: []func(*stream){signal(0, "usr_1", "c1"), signal(time.Hour, "usr_2", "c1"),
			signal(2*time.Hour, "usr_3", "c2"), signal(13*time.Hour, "usr_4", "c1")}, ev: [][]int64{{1}, {3}, {4}}},
		{name: "three agents fail to verify one customer", events: []func(*stream){failure(0, "usr_1", "verification.check", "c1"),
			failure(time.Hour, "usr_2", "verification.start", "c1"), failure(5*time.Hour, "usr_3", "verification.check", "c1")},
			ev: [][]int64{{1, 2, 3}}, says: "failed caller verifications of customer c1 by 3 different agents within 24h0m0s"},
		{name: "one agent's repeated wrong codes", events: []func(*stream){failure(0, "usr_1", "verification.check", "c1"),
			failure(time.Minute, "usr_1", "verification.check", "c1"), failure(2*time.Minute, "usr_1", "verification.check", "c1"),
			failure(3*time.Minute, "usr_2", "verification.check", "c1")}},
		{name: "passes do not count", events: []func(*stream){failure(0, "usr_1", "verification.check", "c1"),
			passed(time.Hour, "usr_2", "c1"), passed(2*time.Hour, "usr_3", "c1")}},
		{name: "different customers", events: []func(*stream){failure(0, "usr_1", "verification.check", "c1"),
			failure(time.Hour, "usr_2", "verification.check", "c2"), failure(2*time.Hour, "usr_3", "verification.check", "c3")}},
		{name: "outside the window", events: []func(*stream){failure(0, "usr_1", "verification.check", "c1"),
			failure(20*time.Hour, "usr_2", "verification.check", "c1"), failure(25*time.Hour, "usr_3", "verification.check", "c1")}},
		{name: "cross-agent part off", cfg: func(c *monitor.Config) { c.Takeover.DistinctActors = 0 },
			events: []func(*stream){failure(0, "usr_1", "verification.check", "c1"), failure(time.Hour, "usr_2", "verification.check", "c1"),
				failure(2*time.Hour, "usr_3", "verification.check", "c1"), signal(3*time.Hour, "usr_3", "c1")}, ev: [][]int64{{4}}},
		{name: "failures then signal share the cooldown", events: []func(*stream){failure(0, "usr_1", "verification.check", "c1"),
			failure(time.Hour, "usr_2", "verification.check", "c1"), failure(2*time.Hour, "usr_3", "verification.check", "c1"),
			signal(2*time.Hour, "usr_3", "c1")}, ev: [][]int64{{1, 2, 3}}},
		{name: "disabled", cfg: func(c *monitor.Config) { c.Takeover.Disabled = true }, events: []func(*stream){signal(0, "usr_1", "c1")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := monitor.DefaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			var s stream
			for _, e := range tc.events {
				e(&s)
			}
			fs := run(t, cfg, &s)
			if len(fs) != len(tc.ev) {
				t.Fatalf("%d findings, want %d: %+v", len(fs), len(tc.ev), fs)
			}
			for i, f := range fs {
				if f.Rule != monitor.RuleTakeover || f.Severity != monitor.High || f.ActorID != "" || f.Contain || !slices.Equal(f.Evidence, tc.ev[i]) {
					t.Errorf("finding %d: %+v, want evidence %v", i, f, tc.ev[i])
				}
			}
			if tc.says != "" && !strings.Contains(fs[0].Summary, tc.says) {
				t.Errorf("summary %q does not say %q", fs[0].Summary, tc.says)
			}
		})
	}
}
