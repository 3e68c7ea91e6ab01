package scenario

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/monitor"
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
	if g.r.Float64() < 0.1 || day.Before(g.opt.Start.AddDate(0, 0, u.joins)) { // day off, or not joined yet
		return
	}
	factor := 0.7 + g.r.Float64()*0.6
	// Where the user works today: their site, home (in the same country;
	// sometimes only until lunch) or, for travelling supervisors, another
	// site in another country.
	backAfterLunch := false
	switch {
	case u.hybrid && g.r2.Float64() < 0.4:
		u.ip, backAfterLunch = homeIP(u.site, u.idx), g.r2.Float64() < 0.15
	case u.visitor && g.r2.Float64() < 0.15:
		u.ip = siteIP((u.site+1+g.r2.IntN(len(sites)-1))%len(sites), u.idx)
	}
	hours := 9
	if g.r.Float64() < 0.05 {
		hours++
	}
	shift := shiftStart(u, day, hours)
	if g.r.Float64() < 0.02 { // checks a case before the shift
		t := shift.Add(-time.Duration(20+g.r.IntN(30)) * time.Minute)
		g.handle(u, t, g.customer())
	}
	g.scopeDay(u, shift.Add(time.Duration(g.r3.Int64N(int64(7*time.Hour)))))
	for h := range hours {
		if h == 4 {
			if backAfterLunch {
				u.ip = siteIP(u.site, u.idx)
			}
			continue // lunch
		}
		start := shift.Add(time.Duration(h) * time.Hour)
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
	switch {
	case u.role == "agent" && teamOfUser(u).batch: // a list of records to check: find, open
		g.emit(0, step(), u.id, u.role, u.ip, "customer.search", "customer", map[string]any{"by": "address", "results": 1, "customer_ids": []any{c}})
		g.emit(0, step(), u.id, u.role, u.ip, "customer.read", cust, nil)
	case u.role == "qa_analyst":
		g.emit(0, step(), u.id, u.role, u.ip, "interaction.read", inter, map[string]any{"customer_id": c})
		for range 1 + g.r.IntN(3) {
			g.emit(0, step(), u.id, u.role, u.ip, "recording.play", inter, map[string]any{"customer_id": c, "range": "bytes"})
		}
		if g.r.Float64() < 0.3 {
			g.emit(0, step(), u.id, u.role, u.ip, "customer.read", cust, nil)
		}
	default:
		if g.r2.Float64() < 0.25 { // an inbound call: the caller was verified just before
			vt := t.Add(-2 * time.Minute)
			vstep := func() time.Time { vt = vt.Add(time.Duration(5+g.r2.IntN(20)) * time.Second); return vt }
			g.verify(0, g.r2, u, vstep, inter, c, 0.08)
		}
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
// around the clock, following the contact center's load (callLoad), and
// the day's repeat callers and switchboards.
func (g *gen) ingest(day time.Time, weekday bool) {
	for h := range 24 {
		load := callLoad(day, h)
		perHour := load * float64(len(g.users)) * 9 / float64(len(g.ints))
		for _, in := range g.ints {
			for range g.poisson(perHour) {
				t := day.Add(time.Duration(h)*time.Hour + time.Duration(g.r.Int64N(int64(time.Hour))))
				c := g.customer()
				g.interaction(in, t, c, g.channel(), "ck"+c)
			}
		}
	}
	if weekday {
		g.repeatCallers(day)
	}
}

// verify emits, drawing from r, a caller verification in an interaction, as the records
// service audits it: a one-time code by SMS (each wrong code is a failed
// verification.check; the third spends the verification) or a
// knowledge-based check (verification.start, failed on a mismatch). A
// genuine caller gets each step wrong with probability miss.
func (g *gen) verify(l int, r *rand.Rand, u user, step func() time.Time, inter, c string, miss float64) {
	res := strings.TrimPrefix(inter, "interaction/")
	if r.Float64() < 0.3 {
		d := map[string]any{"method": "kba", "customer_id": c, "interaction_id": res, "result": "passed"}
		g.emit(l, step(), u.id, u.role, u.ip, "verification.start", inter, d)
		if r.Float64() < miss {
			d["result"] = "failed"
			g.events[len(g.events)-1].Outcome, g.events[len(g.events)-1].Reason = audit.Failure, "kba_mismatch"
		}
		return
	}
	g.emit(l, step(), u.id, u.role, u.ip, "verification.start", inter, map[string]any{"method": "sms", "customer_id": c, "interaction_id": res})
	for left := 2; left >= 0; left-- {
		if r.Float64() >= miss {
			g.emit(l, step(), u.id, u.role, u.ip, "verification.check", inter, map[string]any{"customer_id": c, "result": "passed", "attempts_left": left + 1})
			return
		}
		g.emit(l, step(), u.id, u.role, u.ip, "verification.check", inter, map[string]any{"customer_id": c, "result": "failed", "attempts_left": left})
		g.events[len(g.events)-1].Outcome, g.events[len(g.events)-1].Reason = audit.Failure, "wrong_code"
	}
}

// Takeover signals, as the records service raises them: the default
// threshold of failed verifications of one customer within the window.
const (
	signalThreshold = 3
	signalWindow    = 24 * time.Hour
)

// takeoverSignals inserts, after each failed verification (a failed
// knowledge-based check, or a code check with no attempt left) that brings
// a customer's failures within signalWindow to signalThreshold or more, the
// verification.takeover_signal event the records service appends in the
// same transaction. The events must be in time order; the signal carries
// the label of the failure that raised it.
func (g *gen) takeoverSignals() {
	fails := map[string][]time.Time{}
	events, labels := make([]monitor.Event, 0, len(g.events)), make([]int, 0, len(g.label))
	for i, e := range g.events {
		events, labels = append(events, e), append(labels, g.label[i])
		failed := e.Outcome == audit.Failure && ((e.Action == "verification.start" && e.Reason == "kba_mismatch") ||
			(e.Action == "verification.check" && e.Details["attempts_left"] == 0))
		if !failed {
			continue
		}
		c, _ := e.Details["customer_id"].(string)
		ts := fails[c]
		for len(ts) > 0 && !ts[0].After(e.Time.Add(-signalWindow)) {
			ts = ts[1:]
		}
		ts = append(ts, e.Time)
		fails[c] = ts
		if len(ts) < signalThreshold {
			continue
		}
		sig := e
		sig.Event.Action, sig.Event.Code, sig.Event.Resource = "verification.takeover_signal", audit.Catalogue["verification.takeover_signal"].Code, "customer/"+c
		sig.Event.Outcome, sig.Event.Reason = audit.Success, "repeated_verification_failures"
		sig.Event.Details = map[string]any{"severity": "high", "failures": len(ts), "window_seconds": int64(signalWindow / time.Second),
			"threshold": signalThreshold, "interaction_id": e.Details["interaction_id"], "customer_id": c}
		events, labels = append(events, sig), append(labels, g.label[i])
	}
	g.events, g.label = events, labels
}
