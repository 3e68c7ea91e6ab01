package monitor_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/monitor"
)

// TestControlFailure checks which events of failing security controls
// raise control_failure, and that its alerts name no actor to contain.
func TestControlFailure(t *testing.T) {
	tamper := func(s *stream, at time.Time) {
		s.add(at, "system:audit", "", "", "audit.tamper", "audit", audit.Failure, "tree_state_mismatch", map[string]any{"index": 7})
	}
	tests := []struct {
		name  string
		cfg   func(*monitor.Config)
		build func(*stream)
		want  int
	}{
		{"audit log tampered", nil, func(s *stream) { tamper(s, t0) }, 1},
		{"card number found in stored content", nil, func(s *stream) {
			s.add(t0, "system:card-scan", "", "", "redaction.pan_found", "interaction/i1", audit.Success, "", map[string]any{"count": 1})
		}, 1},
		{"twice within the cooldown", nil, func(s *stream) { tamper(s, t0); tamper(s, t0.Add(time.Minute)) }, 1},
		{"again after the cooldown", nil, func(s *stream) { tamper(s, t0); tamper(s, t0.Add(11*time.Minute)) }, 2},
		{"an ordinary failure", nil, func(s *stream) {
			s.add(t0, "u1", "agent", "10.0.0.1", "customer.read", "customer/c1", audit.Failure, "internal", nil)
		}, 0},
		{"disabled", func(c *monitor.Config) { c.ControlFailure.Disabled = true }, func(s *stream) { tamper(s, t0) }, 0},
		{"actions narrowed", func(c *monitor.Config) { c.ControlFailure.Actions = []string{"redaction.pan_found"} }, func(s *stream) { tamper(s, t0) }, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := monitor.DefaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			s := &stream{}
			tc.build(s)
			got := run(t, cfg, s)
			if n := len(got); n != tc.want || !slices.Equal(rules(got), slices.Repeat([]string{monitor.RuleControlFailure}, n)) {
				t.Fatalf("fired %v, want %d control_failure", rules(got), tc.want)
			}
			for _, f := range got {
				if f.Severity != monitor.Critical || f.Contain || f.ActorID != "" || len(f.Evidence) != 1 || !strings.Contains(f.Summary, "security control failure") {
					t.Errorf("finding %+v", f)
				}
			}
		})
	}
	if _, err := monitor.ParseConfig([]byte("control_failure: {actions: [audit.tampered]}")); err == nil || !strings.Contains(err.Error(), `"audit.tampered" is not in the audit event catalogue`) {
		t.Errorf("an action outside the catalogue: %v", err)
	}
}
