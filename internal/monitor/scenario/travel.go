package scenario

import (
	"fmt"
	"slices"
	"time"
)

// Speeds the journeys of the scenario are drawn against: the rule's
// default speed limit, with a margin either way so that the labels do not
// depend on rounding.
const (
	maxSpeedKmh       = 900
	impossibleKmh     = 1.25 * maxSpeedKmh // an idle victim's account is used from at least this fast away
	plausibleKmh      = 0.6 * maxSpeedKmh  // a genuine traveller moves at most this fast
	minIdle           = 45 * time.Minute
	concurrentWindow  = 30 * time.Minute // the rule's concurrent-countries window
	tripShare         = 0.02             // share of users signing in from abroad on a weekend
	idleTravelAttacks = 0.4              // share of travel attacks while the victim is idle
)

// own returns the indexes of u's normal events, in time order.
func (g *gen) own(id string) []int {
	if g.byUser == nil {
		g.byUser = map[string][]int{}
		for i, e := range g.events {
			if g.label[i] == 0 && e.ActorKind == "human" {
				g.byUser[e.ActorID] = append(g.byUser[e.ActorID], i)
			}
		}
		for _, idx := range g.byUser {
			slices.SortStableFunc(idx, func(a, b int) int { return g.events[a].Time.Compare(g.events[b].Time) })
		}
	}
	return g.byUser[id]
}

// idleGaps returns the positions k in own after which u is idle for more
// than long (the end of a working day or week).
func (g *gen) idleGaps(own []int, long time.Duration) []int {
	var out []int
	for k := range len(own) - 1 {
		if g.events[own[k+1]].Time.Sub(g.events[own[k]].Time) > long {
			out = append(out, k)
		}
	}
	return out
}

// travelAttack uses u's stolen credentials from abroad. Mostly (while u
// works) a few minutes after one of u's own events: from far away
// (impossible travel) or, one time in five, from a foreign city near u's
// site (concurrent countries). Four times in ten, after u has stopped
// work for the day: from far away, 45 minutes or more after u's last
// event but sooner than a flight could make it (faster than 1.25 × the
// speed limit), so the journey is implausible.
func (g *gen) travelAttack(l int, a *Attack, u user) {
	own := g.own(u.id)
	if len(own) == 0 {
		return
	}
	var t time.Time
	net := 1 + g.r.IntN(len(farAway))
	if g.r.Float64() < idleTravelAttacks {
		t = g.idleAttackTime(own, net)
	}
	if t.IsZero() {
		t = g.events[own[g.r.IntN(len(own))]].Time.Add(time.Duration(1+g.r.IntN(25)) * time.Minute)
		if g.r.Float64() < 0.2 {
			net = 0x10 + u.site
		}
	}
	a.Origin = fmt.Sprintf("2001:db8:%x::%x", net, 1+g.r.IntN(0xfffe))
	span := time.Duration(2+g.r.IntN(14)) * time.Minute
	for _, at := range g.spread(t, span, 2+g.r.IntN(11)) {
		if g.r.Float64() < 0.5 {
			c := g.customer()
			g.emit(l, at, u.id, u.role, a.Origin, "customer.search", "customer", map[string]any{"by": "name", "results": 1, "customer_ids": []any{c}})
		} else {
			g.emit(l, at, u.id, u.role, a.Origin, "customer.read", "customer/"+g.customer(), nil)
		}
	}
}

// idleAttackTime returns when, after the last event of one of the
// victim's working days, an attacker at farAway network net appears
// sooner than impossibleKmh allows; zero if no day leaves room.
func (g *gen) idleAttackTime(own []int, net int) time.Time {
	gaps := g.idleGaps(own, 8*time.Hour)
	if len(gaps) == 0 {
		return time.Time{}
	}
	last := g.events[own[gaps[g.r.IntN(len(gaps))]]]
	from, ok := locate(last.Origin)
	if !ok {
		return time.Time{}
	}
	to, _ := locate(fmt.Sprintf("2001:db8:%x::1", net))
	most := time.Duration(effectiveKm(from, to) / impossibleKmh * float64(time.Hour))
	if most <= minIdle {
		return time.Time{}
	}
	return last.Time.Add(minIdle + time.Duration(g.r.Int64N(int64(most-minIdle))))
}

// trips adds genuine journeys to the normal traffic: on some weekends a
// user signs in from far away, after a flight time no faster than
// plausibleKmh from their last event of the week, and early enough to fly
// back before their next one (or before the scenario ends).
// impossible_travel must stay silent.
func (g *gen) trips() {
	end := g.opt.Start.AddDate(0, 0, g.opt.Weeks*7)
	for _, u := range g.users {
		if g.r3.Float64() >= tripShare*float64(g.opt.Weeks) {
			continue
		}
		own := g.own(u.id)
		if len(own) == 0 {
			continue
		}
		gaps := g.idleGaps(own, 40*time.Hour) // weekends
		if end.Sub(g.events[own[len(own)-1]].Time) > 40*time.Hour {
			gaps = append(gaps, len(own)-1)
		}
		if len(gaps) == 0 {
			continue
		}
		k := gaps[g.r3.IntN(len(gaps))]
		last := g.events[own[k]]
		ip := fmt.Sprintf("2001:db8:%x::%x", 1+g.r3.IntN(len(farAway)), 1+g.r3.IntN(0xfffe))
		from, _ := locate(last.Origin)
		to, _ := locate(ip)
		lo, hi := last.Time.Add(max(flight(from, to), concurrentWindow)), end
		if k+1 < len(own) {
			next := g.events[own[k+1]]
			back, _ := locate(next.Origin)
			hi = next.Time.Add(-max(flight(to, back), concurrentWindow))
		}
		if !lo.Before(hi) {
			continue
		}
		g.emit(0, lo.Add(time.Duration(g.r3.Int64N(int64(hi.Sub(lo))))), u.id, u.role, ip, "login.password", "session", nil)
		g.tripsN++
	}
}

// flight is the shortest time a genuine traveller takes from a to b.
func flight(a, b fix) time.Duration {
	return time.Duration(max(effectiveKm(a, b), 0) / plausibleKmh * float64(time.Hour))
}
