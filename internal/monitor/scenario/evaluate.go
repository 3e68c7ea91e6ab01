package scenario

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/monitor"
)

// Report is how well a set of findings matches a scenario's labels.
type Report struct {
	Attacks  map[string]int // injected, by class
	Detected map[string]int // detected by the rule of their class, by class
	// FalseAlerts counts findings whose evidence contains no attack event.
	FalseAlerts int
	FalseByRule map[string]int
	// Reviews counts break_glass alerts on the legitimate elevations of
	// the normal traffic (Scenario.Elevations): the rule alerts on every
	// elevation so that it is reviewed; these are not false alerts.
	Reviews         int
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
	fmt.Fprintf(&b, "break-glass reviews of legitimate elevations: %d\n", r.Reviews)
	return b.String()
}

// Evaluate matches findings to the scenario's attacks: an attack is
// detected if a finding of its class names at least one of its events as
// evidence; a finding naming no attack event is a false alert. A
// call_flood volume finding is about a clock hour (its evidence is only
// the event that crossed the baseline): it names every attack with an
// event in that hour. A break_glass finding on a legitimate elevation is
// a review (Report.Reviews).
func Evaluate(sc *Scenario, findings []monitor.Finding) Report {
	r := Report{Attacks: map[string]int{}, Detected: map[string]int{}, FalseByRule: map[string]int{}, UserHours: sc.UserHours}
	owner := map[int64]int{}    // audit index → attack index
	inHour := map[int64][]int{} // clock hour → attacks with an event in it
	for i, a := range sc.Attacks {
		r.Attacks[a.Class]++
		for _, s := range a.Seqs {
			owner[s] = i
			h := clockHour(sc.Events[s-1].Time)
			if n := len(inHour[h]); n == 0 || inHour[h][n-1] != i {
				inHour[h] = append(inHour[h], i)
			}
		}
	}
	legit := map[int64]bool{}
	for _, s := range sc.Elevations {
		legit[s] = true
	}
	detected := make([]bool, len(sc.Attacks))
	for _, f := range findings {
		named := namedAttacks(f, owner, inHour)
		if len(named) == 0 {
			if f.Rule == monitor.RuleBreakGlass && len(f.Evidence) == 1 && legit[f.Evidence[0]] {
				r.Reviews++
				continue
			}
			r.FalseAlerts++
			r.FalseByRule[f.Rule]++
		}
		for _, i := range named {
			if sc.Attacks[i].Class == f.Rule {
				detected[i] = true
			}
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

// namedAttacks returns the attacks a finding names: those of its evidence
// or, for a call_flood volume finding, those in its clock hour.
func namedAttacks(f monitor.Finding, owner map[int64]int, inHour map[int64][]int) []int {
	if f.Rule == monitor.RuleCallFlood && strings.HasPrefix(f.DedupKey, monitor.RuleCallFlood+"/volume:") {
		return inHour[clockHour(f.Time)]
	}
	var out []int
	for _, s := range f.Evidence {
		if i, ok := owner[s]; ok {
			out = append(out, i)
		}
	}
	return out
}

// clockHour is t's clock hour, as call_flood counts hours.
func clockHour(t time.Time) int64 { return t.Unix() / 3600 }

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
