package scenario

import (
	"fmt"
	"time"

	"github.com/confide-cc/confide/internal/monitor"
)

// attacks injects AttacksPerClass attacks of every class at random times
// and returns them (their Seqs are filled once the stream is ordered).
func (g *gen) attacks(honey []string) []Attack {
	var out []Attack
	for _, class := range Classes {
		for range g.opt.AttacksPerClass {
			out = append(out, Attack{Class: class})
			g.attack(len(out), &out[len(out)-1], honey)
		}
	}
	return out
}

// workTime returns a random time during u's shift on a random weekday.
func (g *gen) workTime(u user) time.Time {
	for {
		d := g.opt.Start.AddDate(0, 0, g.r.IntN(g.opt.Weeks*7))
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		return d.Add(time.Duration(u.shift+1)*time.Hour + time.Duration(g.r.Int64N(int64(5*time.Hour))))
	}
}

// offTime returns a random time at night or at the weekend.
func (g *gen) offTime() time.Time {
	d := g.opt.Start.AddDate(0, 0, g.r.IntN(g.opt.Weeks*7))
	if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		return d.Add(time.Duration(8+g.r.IntN(10)) * time.Hour)
	}
	return d.Add(time.Duration(21+g.r.IntN(7))*time.Hour + time.Duration(g.r.IntN(60))*time.Minute)
}

// spread returns n times from t over span, in order.
func (g *gen) spread(t time.Time, span time.Duration, n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = t.Add(span * time.Duration(i) / time.Duration(n))
	}
	return out
}

// attacker draws the insider of an attack of class: not a QA analyst
// (except for mass_playback, their own trade) and, while there are enough
// users, not one who already attacked in this class: two attacks by one
// user would merge in the rules' cooldowns, and the first would raise the
// user's own baseline for the second.
func (g *gen) attacker(class string) user {
	for tries := 0; ; tries++ {
		u := g.users[g.r.IntN(len(g.users))]
		if u.role == "qa_analyst" && class != monitor.RuleMassPlayback {
			continue
		}
		if k := class + "/" + u.id; !g.attackers[k] || tries > 10*len(g.users) {
			g.attackers[k] = true
			return u
		}
	}
}

func (g *gen) attack(l int, a *Attack, honey []string) {
	u := g.attacker(a.Class)
	a.ActorID, a.Origin = u.id, u.ip
	ev := func(t time.Time, action, resource string, details map[string]any) {
		g.emit(l, t, u.id, u.role, u.ip, action, resource, details)
	}
	switch a.Class {
	case monitor.RuleBulkAccess: // harvesting customers one after another
		span := time.Duration(20+g.r.IntN(30)) * time.Minute
		for _, t := range g.spread(g.workTime(u), span, 90+g.r.IntN(160)) {
			ev(t, "customer.read", "customer/"+g.customer(), nil)
		}
	case monitor.RuleOffHours: // browsing customers at night or at the weekend
		span := time.Duration(20+g.r.IntN(40)) * time.Minute
		for _, t := range g.spread(g.offTime(), span, 8+g.r.IntN(18)) {
			ev(t, "customer.read", "customer/"+g.customer(), nil)
		}
	case monitor.RuleRevealSpike: // revealing many customers' details in clear
		span := time.Duration(10+g.r.IntN(20)) * time.Minute
		for _, t := range g.spread(g.workTime(u), span, 20+g.r.IntN(25)) {
			ev(t, "customer.reveal", "customer/"+g.customer(), map[string]any{"fields": []any{"name", "phones"}, "reason": "verification"})
		}
	case monitor.RuleMassPlayback: // downloading recordings to sell them
		span := time.Duration(10+g.r.IntN(20)) * time.Minute
		for _, t := range g.spread(g.workTime(u), span, 30+g.r.IntN(70)) {
			c := g.customer()
			for k := range 1 + g.r.IntN(3) {
				ev(t.Add(time.Duration(k)*time.Second), "recording.play", fmt.Sprintf("interaction/i%s-x", c), map[string]any{"customer_id": c, "range": "bytes"})
			}
		}
	case monitor.RuleHoney: // an insider or an attacker opens a canary record
		id := honey[g.r.IntN(len(honey))]
		if g.r.Float64() < 0.5 {
			ev(g.workTime(u), "customer.read", "customer/"+id, nil)
		} else {
			ev(g.workTime(u), "customer.search", "customer", map[string]any{"by": "email", "results": 1, "customer_ids": []any{id}})
		}
	case monitor.RuleFailedAuth: // credential stuffing from outside
		a.ActorID, a.Origin = "", fmt.Sprintf("198.51.100.%d", g.r.IntN(250)+1)
		span := time.Duration(1+g.r.IntN(4)) * time.Minute
		for _, t := range g.spread(g.offTime().Add(-time.Duration(g.r.IntN(12))*time.Hour), span, 40+g.r.IntN(260)) {
			g.emit(l, t, "", "", a.Origin, "request.denied", "route", map[string]any{"route": "GET /api/v1/customers"})
			g.events[len(g.events)-1].Outcome, g.events[len(g.events)-1].Reason = "denied", "unauthenticated"
		}
	case monitor.RuleTakeover: // a fraudster fails caller verification in 3 to 6 calls about one customer
		a.ActorID, a.Origin = "", ""
		c := g.customer()
		t := g.workTime(u)
		for range 3 + g.r.IntN(4) {
			agent := g.users[g.r.IntN(len(g.users))]
			for agent.role == "qa_analyst" {
				agent = g.users[g.r.IntN(len(g.users))]
			}
			at := t
			step := func() time.Time { at = at.Add(time.Duration(10+g.r.IntN(50)) * time.Second); return at }
			g.verify(l, g.r, agent, step, fmt.Sprintf("interaction/i%s-f%d", c, g.r.IntN(1000)), c, 1)
			t = t.Add(time.Duration(5+g.r.IntN(90)) * time.Minute)
		}
	case monitor.RuleTravel: // stolen credentials used from another country
		g.travelAttack(l, a, u)
	case monitor.RuleCallFlood: // telephony denial of service
		g.callFloodAttack(l, a)
	case monitor.RuleUnassigned: // browsing customers one does not serve
		g.unassignedAttack(l, u)
	case monitor.RuleBreakGlass: // break-glass without a case
		g.breakGlassAttack(l, u)
	case monitor.RuleFlood: // a stolen integration token floods ingest
		in := g.ints[g.r.IntN(len(g.ints))]
		a.ActorID, a.Origin = in.id, fmt.Sprintf("203.0.113.%d", g.r.IntN(250)+1)
		span := time.Duration(30+g.r.IntN(60)) * time.Second
		for _, t := range g.spread(g.workTime(u), span, 3000+g.r.IntN(5000)) {
			g.emit(l, t, in.id, in.role, a.Origin, "interaction.create", "interaction/flood", map[string]any{"channel": "chat", "customer_id": g.customer()})
		}
	}
}
