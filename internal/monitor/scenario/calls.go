package scenario

import (
	"fmt"
	"time"
)

// hourLoad is the contact center's call volume by hour of the day (UTC),
// relative to an average working hour: a morning and an afternoon peak.
var hourLoad = [24]float64{
	0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.6, 1.0, 1.4, 1.4, 1.2,
	0.8, 0.9, 1.2, 1.2, 1.0, 0.8, 0.6, 0.4, 0.05, 0.05, 0.05, 0.05,
}

// callLoad is the volume of hour h of day: hourLoad, busier on Mondays,
// quieter on Fridays and at the weekend. The same every week, so the busy
// hours are in call_flood's seasonal baseline.
func callLoad(day time.Time, h int) float64 {
	switch day.Weekday() {
	case time.Monday:
		return hourLoad[h] * 1.3
	case time.Friday:
		return hourLoad[h] * 0.9
	case time.Saturday, time.Sunday:
		return hourLoad[h] * 0.2
	}
	return hourLoad[h]
}

// channel draws an interaction's channel: mostly calls, some SMS and
// e-mails.
func (g *gen) channel() string {
	switch x := g.r3.Float64(); {
	case x < 0.75:
		return "call"
	case x < 0.85:
		return "sms"
	}
	return "email"
}

// interaction emits the ingest of one interaction about customer c by in
// (and, half the time, its recording). Calls and SMS carry the caller's
// keyed number (caller_key) as the records service writes it.
func (g *gen) interaction(in user, t time.Time, c, channel, caller string) {
	inter := fmt.Sprintf("interaction/i%s-%d", c, g.r.IntN(20))
	d := map[string]any{"channel": channel, "customer_id": c}
	if channel == "call" || channel == "sms" {
		d["caller_key"] = caller
	}
	g.emit(0, t, in.id, in.role, in.ip, "interaction.create", inter, d)
	if g.r.Float64() < 0.5 {
		g.emit(0, t.Add(2*time.Second), in.id, in.role, in.ip, "recording.upload", inter, map[string]any{"customer_id": c})
	}
}

// switchboards are business customers whose switchboard calls for many
// employees (customers) from one number.
const switchboards = 8

// repeatCallers emits the day's legitimate callers who call many times
// from one number: customers who call back 2 to 8 times within a few
// minutes to two hours (dropped calls, follow-ups), and switchboards that
// call 3 to 12 times in each office hour — close to, never above,
// call_flood's 20 per hour.
func (g *gen) repeatCallers(day time.Time) {
	for range 60 {
		in, c := g.ints[g.r3.IntN(len(g.ints))], g.customer()
		t := day.Add(time.Duration(8+g.r3.IntN(10))*time.Hour + time.Duration(g.r3.Int64N(int64(time.Hour))))
		gap := time.Duration(2+g.r3.IntN(30)) * time.Minute
		for range 2 + g.r3.IntN(7) {
			g.interaction(in, t, c, "call", "ck"+c)
			t = t.Add(gap/2 + time.Duration(g.r3.Int64N(int64(gap))))
		}
	}
	for k := range switchboards {
		in := g.ints[k%len(g.ints)]
		for h := 9; h < 17; h++ {
			for range 3 + g.r3.IntN(10) {
				t := day.Add(time.Duration(h)*time.Hour + time.Duration(g.r3.Int64N(int64(time.Hour))))
				g.interaction(in, t, g.customer(), "call", fmt.Sprintf("sb%02d", k))
			}
		}
	}
}

// minBaselineWeeks is call_flood's default min_weeks: a flood from many
// numbers is only visible once that many weeks of the hour are known.
const minBaselineWeeks = 2

// callFloodAttack floods the contact center's lines (telephony denial of
// service), through the telephony integrations: from one number (a
// dialler: 25 to 400 calls or SMS in 5 to 50 minutes) or, when the
// scenario is long enough for the seasonal baseline, four times in ten
// from many numbers (800 to 2,500 calls in 10 to 40 minutes, 1 to 3 per
// number).
func (g *gen) callFloodAttack(l int, a *Attack) {
	a.ActorID, a.Origin = "", ""
	emit := func(t time.Time, caller string) {
		in := g.ints[g.r.IntN(len(g.ints))]
		c := g.customer()
		g.emit(l, t, in.id, in.role, in.ip, "interaction.create", fmt.Sprintf("interaction/i%s-%d", c, g.r.IntN(20)),
			map[string]any{"channel": "call", "customer_id": c, "caller_key": caller})
	}
	if g.opt.Weeks <= minBaselineWeeks || g.r.Float64() < 0.6 {
		caller := fmt.Sprintf("dialler%04d", g.r.IntN(10000))
		span := time.Duration(5+g.r.IntN(46)) * time.Minute
		for _, t := range g.spread(g.anyTime(0), span, 25+g.r.IntN(376)) {
			emit(t, caller)
		}
		return
	}
	span := time.Duration(10+g.r.IntN(31)) * time.Minute
	ts := g.spread(g.anyTime(minBaselineWeeks*7), span, 800+g.r.IntN(1701))
	for i := 0; i < len(ts); {
		caller := fmt.Sprintf("bot%06d", g.r.IntN(1_000_000))
		for range 1 + g.r.IntN(3) {
			if i < len(ts) {
				emit(ts[i], caller)
				i++
			}
		}
	}
}

// anyTime returns a random time from day from on.
func (g *gen) anyTime(from int) time.Time {
	days := g.opt.Weeks*7 - from
	return g.opt.Start.AddDate(0, 0, from+g.r.IntN(days)).Add(time.Duration(g.r.Int64N(int64(24 * time.Hour))))
}
