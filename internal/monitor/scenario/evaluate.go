package scenario

import (
	"fmt"
	"slices"
	"strings"

	"github.com/confide-cc/confide/internal/monitor"
)

// Report is how well a set of findings matches a scenario's labels.
type Report struct {
	Attacks  map[string]int // injected, by class
	Detected map[string]int // detected by the rule of their class, by class
	// FalseAlerts counts findings whose evidence contains no attack event.
	FalseAlerts     int
	FalseByRule     map[string]int
	UserHours       int
	FalsePer10kHour float64
}

// Recall is the share of a class's attacks that were detected.
func (r Report) Recall(class string) float64 {
	if r.Attacks[class] == 0 {
		return 0
	}
	return float64(r.Detected[class]) / float64(r.Attacks[class])
}

// String renders the report as a table.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-18s %8s %8s %7s\n", "class", "attacks", "detected", "recall")
	for _, c := range Classes {
		fmt.Fprintf(&b, "%-18s %8d %8d %6.1f%%\n", c, r.Attacks[c], r.Detected[c], 100*r.Recall(c))
	}
	fmt.Fprintf(&b, "false alerts: %d over %d user-hours = %.2f per 10,000 user-hours %v\n",
		r.FalseAlerts, r.UserHours, r.FalsePer10kHour, r.FalseByRule)
	return b.String()
}

// Evaluate matches findings to the scenario's attacks: an attack is
// detected if a finding of its class names at least one of its events as
// evidence; a finding naming no attack event is a false alert.
func Evaluate(sc *Scenario, findings []monitor.Finding) Report {
	r := Report{Attacks: map[string]int{}, Detected: map[string]int{}, FalseByRule: map[string]int{}, UserHours: sc.UserHours}
	owner := map[int64]int{} // audit index → attack index
	for i, a := range sc.Attacks {
		r.Attacks[a.Class]++
		for _, s := range a.Seqs {
			owner[s] = i
		}
	}
	detected := make([]bool, len(sc.Attacks))
	for _, f := range findings {
		hit := false
		for _, s := range f.Evidence {
			i, ok := owner[s]
			if !ok {
				continue
			}
			hit = true
			if sc.Attacks[i].Class == f.Rule {
				detected[i] = true
			}
		}
		if !hit {
			r.FalseAlerts++
			r.FalseByRule[f.Rule]++
		}
	}
	for i, d := range detected {
		if d {
			r.Detected[sc.Attacks[i].Class]++
		}
	}
	if r.UserHours > 0 {
		r.FalsePer10kHour = float64(r.FalseAlerts) * 10_000 / float64(r.UserHours)
	}
	return r
}

// Run feeds the scenario to a detector with cfg and returns every finding.
func Run(sc *Scenario, cfg monitor.Config) ([]monitor.Finding, error) {
	d, err := monitor.NewDetector(cfg)
	if err != nil {
		return nil, err
	}
	var out []monitor.Finding
	for _, ev := range sc.Events {
		out = append(out, d.Observe(ev)...)
	}
	return slices.Clip(out), nil
}
