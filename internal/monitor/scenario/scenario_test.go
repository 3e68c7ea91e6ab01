package scenario_test

import (
	"net/netip"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/confide-cc/confide/internal/monitor/scenario"
)

// TestDetectionTargets runs the default rules over the reference scenario
// (-short: a smaller one) and enforces the detection targets: at least 95% recall for every attack
// class and at most one false alert per 10,000 normal user-hours.
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
