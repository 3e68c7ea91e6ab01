package scenario_test

import (
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/monitor"
	"github.com/confide-cc/confide/internal/monitor/scenario"
)

// TestDetectionTargets runs the default rules over the reference scenario
// (-short: a smaller one) and enforces the detection targets: at least 95% recall for every attack
// class and at most one false alert per 10,000 normal user-hours. break_glass alerts on every
// elevation: each legitimate one must get its review alert, which is not a false alert.
// CONFIDE_SCENARIO_SEED=N runs another seed of the same scenario.
func TestDetectionTargets(t *testing.T) {
	opt := scenario.Defaults
	if v := os.Getenv("CONFIDE_SCENARIO_SEED"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil || seed == 0 {
			t.Fatalf("CONFIDE_SCENARIO_SEED=%q: want a positive number", v)
		}
		opt.Seed = seed
	}
	if testing.Short() || raceEnabled { // one week of 100 users
		opt.Weeks, opt.Agents, opt.AttacksPerClass = 1, 100, 20
	}
	sc := scenario.Generate(opt)
	cfg, err := scenario.Rules(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	findings, err := scenario.Run(sc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := scenario.Evaluate(sc, findings)
	t.Logf("%d events, %d findings, %d genuine trips abroad\n%s", len(sc.Events), len(findings), sc.Trips, r)
	for _, c := range scenario.Classes {
		if r.Attacks[c] == 0 {
			t.Errorf("%s: no attacks injected", c)
		}
		if got := r.Recall(c); got < 0.95 {
			t.Errorf("%s: recall %.1f%%, want ≥ 95%%", c, 100*got)
		}
	}
	if r.Reviews != len(sc.Elevations) {
		t.Errorf("%d break-glass alerts on %d legitimate elevations: want one each", r.Reviews, len(sc.Elevations))
	}
	if r.FalsePer10kHour > 1 {
		t.Errorf("%.2f false alerts per 10,000 user-hours, want ≤ 1", r.FalsePer10kHour)
	}
}

// TestNormalTrafficIsLocated checks that the scenario measures false
// alerts of impossible_travel honestly: every normal event of a human user
// comes from a site or from a network the GeoIP database knows, some users
// work from home, and some work at a site in another country some days.
func TestNormalTrafficIsLocated(t *testing.T) {
	opt := scenario.Defaults
	opt.Weeks, opt.Agents, opt.AttacksPerClass = 1, 100, 1
	sc := scenario.Generate(opt)
	attack := map[int64]bool{}
	for _, a := range sc.Attacks {
		for _, s := range a.Seqs {
			attack[s] = true
		}
	}
	type net struct {
		p       netip.Prefix
		country string
		site    bool
	}
	var nets []net
	for _, s := range scenario.Sites() {
		nets = append(nets, net{netip.MustParsePrefix(s.CIDR), s.Country, true})
	}
	for _, n := range scenario.GeoNetworks() {
		nets = append(nets, net{netip.MustParsePrefix(n.CIDR), n.Country, false})
	}
	countries := map[string]map[string]bool{} // user → countries worked from
	home := 0
	for _, ev := range sc.Events {
		if attack[ev.Seq] || ev.ActorKind != "human" || ev.ActorID == "" {
			continue
		}
		addr, err := netip.ParseAddr(ev.Origin)
		if err != nil {
			t.Fatalf("event %d: origin %q", ev.Seq, ev.Origin)
		}
		i := slices.IndexFunc(nets, func(n net) bool { return n.p.Contains(addr) })
		if i < 0 {
			t.Fatalf("event %d: origin %s is not located", ev.Seq, ev.Origin)
		}
		if !nets[i].site {
			home++
		}
		if countries[ev.ActorID] == nil {
			countries[ev.ActorID] = map[string]bool{}
		}
		countries[ev.ActorID][nets[i].country] = true
	}
	travellers := 0
	for _, cs := range countries {
		if len(cs) > 1 {
			travellers++
		}
	}
	if home == 0 || travellers == 0 {
		t.Errorf("%d events from home, %d users working from two countries: want some of each", home, travellers)
	}
}

// TestEvaluate checks how findings are matched to labels: by evidence; a
// call_flood volume finding by its clock hour; a break_glass finding on a
// legitimate elevation as a review.
func TestEvaluate(t *testing.T) {
	t0 := time.Date(2025, 3, 17, 10, 0, 0, 0, time.UTC)
	var events []monitor.Event
	for i, m := range []int{5, 20, 40, 70, 130} { // minutes after t0
		events = append(events, monitor.Event{Seq: int64(i + 1), Event: audit.Event{Time: t0.Add(time.Duration(m) * time.Minute)}})
	}
	sc := &scenario.Scenario{Events: events, UserHours: 10_000, Elevations: []int64{5},
		Attacks: []scenario.Attack{{Class: monitor.RuleCallFlood, Seqs: []int64{2, 3}}, {Class: monitor.RuleBulkAccess, Seqs: []int64{4}}}}
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	volume := func(m int, seq int64) monitor.Finding {
		return monitor.Finding{Rule: monitor.RuleCallFlood, Evidence: []int64{seq}, Time: at(m),
			DedupKey: fmt.Sprintf("call_flood/volume:%d/%d", at(m).Unix()/3600, seq)}
	}
	tests := []struct {
		name                      string
		findings                  []monitor.Finding
		flood, bulk, falses, revs int
	}{
		{"volume finding on a normal event in the flood's hour", []monitor.Finding{volume(45, 1)}, 1, 0, 0, 0},
		{"volume finding in an hour without attack", []monitor.Finding{volume(130, 5)}, 0, 0, 1, 0},
		{"per-number finding naming the flood", []monitor.Finding{{Rule: monitor.RuleCallFlood, Evidence: []int64{2, 3}, DedupKey: "call_flood/number:k/3"}}, 1, 0, 0, 0},
		{"finding of another class naming an attack", []monitor.Finding{{Rule: monitor.RuleBulkAccess, Evidence: []int64{3}}}, 0, 0, 0, 0},
		{"finding naming no attack", []monitor.Finding{{Rule: monitor.RuleBulkAccess, Evidence: []int64{1}}}, 0, 0, 1, 0},
		{"break-glass on the legitimate elevation", []monitor.Finding{{Rule: monitor.RuleBreakGlass, Evidence: []int64{5}}}, 0, 0, 0, 1},
		{"break-glass on another event", []monitor.Finding{{Rule: monitor.RuleBreakGlass, Evidence: []int64{1}}}, 0, 0, 1, 0},
		{"bulk finding naming its attack", []monitor.Finding{{Rule: monitor.RuleBulkAccess, Evidence: []int64{1, 4}}}, 0, 1, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := scenario.Evaluate(sc, tc.findings)
			got := []int{r.Detected[monitor.RuleCallFlood], r.Detected[monitor.RuleBulkAccess], r.FalseAlerts, r.Reviews}
			if want := []int{tc.flood, tc.bulk, tc.falses, tc.revs}; !slices.Equal(got, want) {
				t.Errorf("detected flood, detected bulk, false alerts, reviews = %v, want %v", got, want)
			}
		})
	}
}
