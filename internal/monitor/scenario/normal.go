package scenario

import (
	"fmt"
	"time"
)

// normal emits the legitimate work of every user and integration.
func (g *gen) normal() {
	days := g.opt.Weeks * 7
	for d := range days {
		day := g.opt.Start.AddDate(0, 0, d)
		weekday := day.Weekday() != time.Saturday && day.Weekday() != time.Sunday
		if weekday {
			for _, u := range g.users {
				g.workday(u, day)
			}
		}
		g.ingest(day, weekday)
		for range 3 { // misconfigured clients: a few failed authentications a day
			ip := fmt.Sprintf("10.2.%d.%d", g.r.IntN(4), g.r.IntN(250)+1)
			t := day.Add(time.Duration(g.r.Int64N(int64(24 * time.Hour))))
			for range 1 + g.r.IntN(4) {
				t = t.Add(time.Duration(g.r.IntN(30)) * time.Second)
				g.emit(0, t, "", "", ip, "request.denied", "route", nil)
				g.events[len(g.events)-1].Outcome, g.events[len(g.events)-1].Reason = "denied", "unauthenticated"
			}
		}
	}
}

// workday emits one user's day: a shift of 8 working hours with a lunch
// break, sometimes an extra hour, sometimes an early peek before it.
func (g *gen) workday(u user, day time.Time) {
	if g.r.Float64() < 0.1 { // day off
		return
	}
	factor := 0.7 + g.r.Float64()*0.6
	hours := 9
	if g.r.Float64() < 0.05 {
		hours++
	}
	if g.r.Float64() < 0.02 { // checks a case before the shift
		t := day.Add(time.Duration(u.shift)*time.Hour - time.Duration(20+g.r.IntN(30))*time.Minute)
		g.handle(u, t, g.customer())
	}
	for h := range hours {
		if h == 4 {
			continue // lunch
		}
		start := day.Add(time.Duration(u.shift+h) * time.Hour)
		n := g.poisson(u.rate * factor)
		if n > 0 {
			g.hours[u.id+start.Format(time.RFC3339)] = true
		}
		for range n {
			g.handle(u, start.Add(time.Duration(g.r.Int64N(int64(55*time.Minute)))), g.customer())
		}
	}
}

// handle emits the events of one case: what the user's role does with a
// customer, spread over a few minutes from t.
func (g *gen) handle(u user, t time.Time, c string) {
	step := func() time.Time {
		t = t.Add(time.Duration(5+g.r.IntN(60)) * time.Second)
		return t
	}
	inter := fmt.Sprintf("interaction/i%s-%d", c, g.r.IntN(20))
	cust := "customer/" + c
	switch u.role {
	case "qa_analyst":
		g.emit(0, step(), u.id, u.role, u.ip, "interaction.read", inter, map[string]any{"customer_id": c})
		for range 1 + g.r.IntN(3) {
			g.emit(0, step(), u.id, u.role, u.ip, "recording.play", inter, map[string]any{"customer_id": c, "range": "bytes"})
		}
		if g.r.Float64() < 0.3 {
			g.emit(0, step(), u.id, u.role, u.ip, "customer.read", cust, nil)
		}
	default:
		if g.r.Float64() < 0.6 {
			ids := []any{c}
			if g.r.Float64() < 0.1 {
				ids = append(ids, g.customer())
			}
			g.emit(0, step(), u.id, u.role, u.ip, "customer.search", "customer", map[string]any{"by": "phone", "results": len(ids), "customer_ids": ids})
		}
		g.emit(0, step(), u.id, u.role, u.ip, "customer.read", cust, nil)
		g.emit(0, step(), u.id, u.role, u.ip, "interaction.list", cust, map[string]any{"results": 3})
		for range 1 + g.r.IntN(2) {
			g.emit(0, step(), u.id, u.role, u.ip, "interaction.read", inter, map[string]any{"customer_id": c})
		}
		if g.r.Float64() < 0.08 {
			g.emit(0, step(), u.id, u.role, u.ip, "customer.reveal", cust, map[string]any{"fields": []any{"date_of_birth"}, "reason": "caller verification"})
		}
		if g.r.Float64() < 0.04 {
			for range 1 + g.r.IntN(2) {
				g.emit(0, step(), u.id, u.role, u.ip, "recording.play", inter, map[string]any{"customer_id": c, "range": "bytes"})
			}
		}
	}
}

// ingest emits the integrations' interaction and recording uploads,
// around the clock, following the contact center's load.
func (g *gen) ingest(day time.Time, weekday bool) {
	for h := range 24 {
		load := 0.05
		if h >= 7 && h < 20 {
			load = 1
		}
		if !weekday {
			load *= 0.2
		}
		perHour := load * float64(len(g.users)) * 9 / float64(len(g.ints))
		for _, in := range g.ints {
			for range g.poisson(perHour) {
				t := day.Add(time.Duration(h)*time.Hour + time.Duration(g.r.Int64N(int64(time.Hour))))
				c := g.customer()
				inter := fmt.Sprintf("interaction/i%s-%d", c, g.r.IntN(20))
				g.emit(0, t, in.id, in.role, in.ip, "interaction.create", inter, map[string]any{"channel": "voice", "customer_id": c})
				if g.r.Float64() < 0.5 {
					g.emit(0, t.Add(2*time.Second), in.id, in.role, in.ip, "recording.upload", inter, map[string]any{"customer_id": c})
				}
			}
		}
	}
}
