package monitor_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/monitor"
)

// TestScopeRules checks unassigned_access (refusals outside one's work)
// and break_glass (every elevation) at and around their thresholds.
func TestScopeRules(t *testing.T) {
	denied := func(n int, reason string, distinct bool, every time.Duration) func(*stream) {
		return func(s *stream) {
			for i := range n {
				res := "customer/c1"
				if distinct {
					res = fmt.Sprintf("customer/c%d", i)
				}
				s.add(t0.Add(time.Duration(i)*every), "usr_1", "agent", "10.0.0.1", "customer.read", res, audit.Denied, reason, nil)
			}
		}
	}
	tests := []struct {
		name  string
		build func(*stream)
		want  []string
	}{
		{"4 unassigned customers", denied(4, "not_assigned", true, time.Minute), nil},
		{"5 unassigned customers", denied(5, "not_assigned", true, time.Minute), []string{monitor.RuleUnassigned}},
		{"5 refusals outside the team", denied(5, "not_in_team", true, time.Minute), []string{monitor.RuleUnassigned}},
		{"one customer five times", denied(5, "not_assigned", false, time.Minute), nil},
		{"5 spread over 2 hours", denied(5, "not_assigned", true, 30*time.Minute), nil},
		{"5 denials for another reason", denied(5, "role_not_permitted", true, time.Minute), nil},
		{"break-glass request", func(s *stream) {
			s.add(t0, "usr_2", "supervisor", "10.0.0.2", "breakglass.request", "break_glass/brg_1", audit.Success, "", map[string]any{"customer": "c9", "minutes": 30})
		}, []string{monitor.RuleBreakGlass}},
		{"refused break-glass request", func(s *stream) {
			s.add(t0, "usr_2", "supervisor", "10.0.0.2", "breakglass.request", "break_glass", audit.Invalid, "reason_too_short", nil)
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &stream{}
			tc.build(s)
			got := run(t, monitor.DefaultConfig(), s)
			if !slices.Equal(rules(got), tc.want) {
				t.Fatalf("fired %v, want %v", rules(got), tc.want)
			}
			for _, f := range got {
				if f.ActorID == "" || len(f.Evidence) == 0 || f.Severity != monitor.High {
					t.Errorf("finding %+v", f)
				}
				if f.Rule == monitor.RuleBreakGlass && !strings.Contains(f.Summary, "customer c9") {
					t.Errorf("summary %q does not name the scope", f.Summary)
				}
			}
		})
	}
	cfg, err := monitor.ParseConfig([]byte("unassigned_access: {threshold: 0}"))
	if err == nil || !strings.Contains(err.Error(), "unassigned_access") {
		t.Errorf("threshold 0 accepted: %v %+v", err, cfg.Unassigned)
	}
	if _, err := monitor.ParseConfig([]byte("break_glass: {disabled: true}\nunassigned_access: {threshold: 3, window: 10m}")); err != nil {
		t.Errorf("valid settings refused: %v", err)
	}
}
