package scenario_test

import (
	"testing"

	"github.com/confide-cc/confide/internal/monitor"
	"github.com/confide-cc/confide/internal/monitor/scenario"
)

// TestDetectionTargets runs the default rules over the reference scenario
// (-short: a smaller one) and enforces the detection targets: at least 95% recall for every attack
// class and at most one false alert per 10,000 normal user-hours.
func TestDetectionTargets(t *testing.T) {
	opt := scenario.Defaults
	if testing.Short() || raceEnabled { // one week of 100 users
		opt.Weeks, opt.Agents, opt.AttacksPerClass = 1, 100, 20
	}
	sc := scenario.Generate(opt)
	findings, err := scenario.Run(sc, monitor.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	r := scenario.Evaluate(sc, findings)
	t.Logf("%d events, %d findings\n%s", len(sc.Events), len(findings), r)
	for _, c := range scenario.Classes {
		if r.Attacks[c] == 0 {
			t.Errorf("%s: no attacks injected", c)
		}
		if got := r.Recall(c); got < 0.95 {
			t.Errorf("%s: recall %.1f%%, want ≥ 95%%", c, 100*got)
		}
	}
	if r.FalsePer10kHour > 1 {
		t.Errorf("%.2f false alerts per 10,000 user-hours, want ≤ 1", r.FalsePer10kHour)
	}
}
