// Package scenario generates labeled audit streams for evaluating the
// detectors of package monitor: simulated weeks of normal contact-center
// work by many agents, QA analysts, supervisors and integrations, with
// injected attacks of every class the monitor detects. Generation is
// deterministic for a seed.
package scenario

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/monitor"
)

// Options shape a scenario. Zero values take the defaults of Defaults.
type Options struct {
	Seed            uint64
	Agents          int       // human users (80% agents, 10% QA, 10% supervisors)
	Integrations    int       // service accounts ingesting interactions
	Customers       int       // size of the customer base
	Weeks           int       // simulated weeks of work
	Start           time.Time // a Monday 00:00 UTC
	AttacksPerClass int
}

// Defaults are the options of the reference scenario.
var Defaults = Options{Seed: 1, Agents: 200, Integrations: 5, Customers: 200_000, Weeks: 3,
	Start: time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC), AttacksPerClass: 25}

// Classes are the attack classes, named after the rule meant to catch them.
var Classes = []string{monitor.RuleBulkAccess, monitor.RuleOffHours, monitor.RuleFailedAuth,
	monitor.RuleRevealSpike, monitor.RuleMassPlayback, monitor.RuleHoney, monitor.RuleFlood, monitor.RuleTravel,
	monitor.RuleTakeover, monitor.RuleCallFlood, monitor.RuleUnassigned, monitor.RuleBreakGlass}

// Attack is one injected attack and the audit indexes of its events.
type Attack struct {
	Class   string
	ActorID string // "" for attacks from an address only
	Origin  string
	Seqs    []int64
}

// Scenario is a generated stream.
type Scenario struct {
	Events  []monitor.Event // in audit order, Seq from 1
	Attacks []Attack
	// UserHours counts the hours in which a human user did normal work.
	UserHours int
	// Honey lists the canary customers (created by honey.create events at
	// the start of the stream).
	Honey []string
	// Elevations are the audit indexes of legitimate break-glass
	// elevations in the normal traffic. break_glass alerts on every
	// elevation by design: Evaluate counts its alerts on these as reviews,
	// not as false alerts.
	Elevations []int64
	// Trips counts the genuine journeys abroad in the normal traffic: a
	// user signing in from far away after a plausible travel time.
	Trips int
}

type user struct {
	id, role, ip string
	rate         float64 // customers handled per working hour
	shift        int     // start hour (UTC)
	idx, site    int     // index among the users; site (sites) where they work
	hybrid       bool    // works from home some days
	visitor      bool    // spends some days at another site (supervisors)
	joins        int     // first day of work (joiners start after the others)
}

type gen struct {
	opt Options
	r   *rand.Rand
	// r2 draws what the normal traffic gained with impossible_travel and
	// account_takeover (where users work, caller verifications), r3 what
	// it gained with call_flood, unassigned_access and break_glass (calls,
	// scope denials, elevations, trips abroad): separate streams, so that
	// a change to one part moves the others less.
	r2, r3 *rand.Rand
	events []monitor.Event
	label  []int // attack index + 1, 0 for normal events, or elevation
	users  []user
	ints   []user
	hours  map[string]bool   // user/hour with normal activity
	byUser map[string][]int  // indexes of each user's normal events, in time order (built for travel)
	teamOf map[string]string // user → team, for the events' team
	// attackers are the users already attacking, by class/user.
	attackers map[string]bool
	tripsN    int
}

// Generate builds a scenario.
func Generate(opt Options) *Scenario {
	def := Defaults
	if opt.Seed == 0 {
		opt.Seed = def.Seed
	}
	for _, f := range []struct{ v, d *int }{{&opt.Agents, &def.Agents}, {&opt.Integrations, &def.Integrations},
		{&opt.Customers, &def.Customers}, {&opt.Weeks, &def.Weeks}, {&opt.AttacksPerClass, &def.AttacksPerClass}} {
		if *f.v <= 0 {
			*f.v = *f.d
		}
	}
	if opt.Start.IsZero() {
		opt.Start = def.Start
	}
	g := &gen{opt: opt, r: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)),
		r2: rand.New(rand.NewPCG(opt.Seed^0x5851f42d4c957f2d, opt.Seed)), r3: rand.New(rand.NewPCG(opt.Seed^0x2545f4914f6cdd1d, opt.Seed+7)),
		hours: map[string]bool{}, teamOf: map[string]string{}, attackers: map[string]bool{}}
	for i := range opt.Agents {
		u := user{id: fmt.Sprintf("usr_%04d", i), role: "agent", ip: siteIP(i%len(sites), i),
			rate: 4 + g.r.Float64()*14, shift: 7 + g.r.IntN(4), idx: i, site: i % len(sites), hybrid: i%7 == 3}
		switch {
		case i%10 == 8:
			u.role, u.rate = "qa_analyst", 3+g.r.Float64()*5
		case i%10 == 9:
			u.role, u.rate = "supervisor", 8+g.r.Float64()*12
			u.visitor = (i/10)%3 == 0
		}
		g.joinTeam(&u)
		g.users = append(g.users, u)
	}
	for i := range opt.Integrations {
		g.ints = append(g.ints, user{id: fmt.Sprintf("tok_int%02d", i), role: "integration", ip: fmt.Sprintf("10.0.0.%d", i+1)})
	}
	sc := &Scenario{}
	for i := range 5 {
		id := fmt.Sprintf("honey%02d", i)
		sc.Honey = append(sc.Honey, id)
		g.emit(0, opt.Start.Add(time.Duration(i)*time.Second), "usr_admin", "security_admin", "10.9.0.1", "honey.create", "customer/"+id, nil)
	}
	g.normal()
	g.trips()
	attacks := g.attacks(sc.Honey)
	sort.Stable(byTime{g})
	g.takeoverSignals()
	for i := range g.events {
		g.events[i].Seq = int64(i + 1)
		switch l := g.label[i]; {
		case l > 0:
			attacks[l-1].Seqs = append(attacks[l-1].Seqs, g.events[i].Seq)
		case l == elevation:
			sc.Elevations = append(sc.Elevations, g.events[i].Seq)
		}
	}
	sc.Events = g.events
	sc.Attacks = attacks
	sc.UserHours, sc.Trips = len(g.hours), g.tripsN
	return sc
}

// elevation labels a legitimate break-glass elevation (normal traffic).
const elevation = -1

// emit appends an event with attack label l (0: normal; elevation).
func (g *gen) emit(l int, t time.Time, actor, role, ip, action, resource string, details map[string]any) {
	kind := "human"
	if role == "integration" {
		kind = "service"
	}
	e := audit.Event{Action: action, Time: t, ActorID: actor, ActorKind: kind, Resource: resource,
		Outcome: audit.Success, Origin: ip, Details: details}
	if role != "" {
		e.Roles = []string{role}
	}
	e.Team = g.teamOf[actor]
	if def, ok := audit.Catalogue[action]; ok {
		e.Code = def.Code
	}
	g.events = append(g.events, monitor.Event{Event: e})
	g.label = append(g.label, l)
}

func (g *gen) customer() string { return fmt.Sprintf("c%07d", g.r.IntN(g.opt.Customers)) }

// poisson draws from a Poisson distribution of mean m (Knuth; m is small).
func (g *gen) poisson(m float64) int {
	if m > 30 {
		return max(0, int(m+g.r.NormFloat64()*math.Sqrt(m)+0.5))
	}
	l, k, p := math.Exp(-m), 0, 1.0
	for {
		p *= g.r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// byTime orders the events by time, keeping their labels with them.
type byTime struct{ g *gen }

func (b byTime) Len() int           { return len(b.g.events) }
func (b byTime) Less(i, j int) bool { return b.g.events[i].Time.Before(b.g.events[j].Time) }
func (b byTime) Swap(i, j int) {
	b.g.events[i], b.g.events[j] = b.g.events[j], b.g.events[i]
	b.g.label[i], b.g.label[j] = b.g.label[j], b.g.label[i]
}
