package scenario

import (
	"fmt"
	"time"

	"github.com/confide-cc/confide/internal/audit"
)

// scopeReason is the denial reason of an access outside u's work: agents
// are scoped to their assigned interactions, supervisors to their team.
func scopeReason(u user) string {
	if u.role == "supervisor" {
		return "not_in_team"
	}
	return "not_assigned"
}

// deny emits an access the policies refused.
func (g *gen) deny(l int, u user, t time.Time, action, resource, reason string, details map[string]any) {
	g.emit(l, t, u.id, u.role, u.ip, action, resource, details)
	g.events[len(g.events)-1].Outcome, g.events[len(g.events)-1].Reason = audit.Denied, reason
}

// scopeDay emits, around t in u's shift, the day's legitimate brushes with
// the access scope: a stale link to a customer now served by someone else
// (12% of days), a queue handed over to another agent while u still had
// 2 or 3 of its interactions open (2%), a refused break-glass request and,
// rarely, a justified break-glass elevation.
func (g *gen) scopeDay(u user, t time.Time) {
	r := g.r3
	if u.role == "qa_analyst" {
		if r.Float64() < 0.002 { // QA analysts may not take break-glass
			g.deny(0, u, t, "breakglass.request", "break_glass", "role_not_permitted", nil)
		}
		return
	}
	if r.Float64() < 0.12 {
		g.deny(0, u, t, "customer.read", "customer/"+g.customer(), scopeReason(u), nil)
	}
	if r.Float64() < 0.02 {
		for k := range 2 + r.IntN(2) {
			c := g.customer()
			g.deny(0, u, t.Add(time.Duration(k*(20+r.IntN(120)))*time.Second), "interaction.read",
				fmt.Sprintf("interaction/i%s-%d", c, r.IntN(20)), scopeReason(u), map[string]any{"customer_id": c})
		}
	}
	if r.Float64() < 0.002 {
		g.elevate(elevation, u, t.Add(time.Hour), "customer escalated, assigned agent absent", g.customer(), 1+r.IntN(3))
	}
}

// elevate emits a break-glass elevation of u (labelled l) for 15 to 30
// minutes, for customer c or, with c "", for any customer, and that many
// reads under it (of c, or of random customers); a legitimate one
// (elevation) ends early and is reviewed as justified the next day.
func (g *gen) elevate(l int, u user, t time.Time, reason, c string, reads int) {
	r := g.r3
	if l != elevation {
		r = g.r
	}
	minutes := 15 + r.IntN(16)
	d := map[string]any{"minutes": minutes, "reason": reason, "expires_at": t.Add(time.Duration(minutes) * time.Minute).Format(time.RFC3339), "severity": "high"}
	if c != "" {
		d["customer"] = c
	}
	id := fmt.Sprintf("break_glass/brg_%08x", r.Uint32())
	g.emit(l, t, u.id, u.role, u.ip, "breakglass.request", id, d)
	at, lr := t, l
	if l == elevation { // the label marks the elevation itself
		lr = 0
	}
	for range reads {
		at = at.Add(time.Duration(20+r.IntN(90)) * time.Second)
		read := c
		if read == "" {
			read = g.customer()
		}
		g.emit(lr, at, u.id, u.role, u.ip, "customer.read", "customer/"+read, nil)
	}
	if l != elevation {
		return
	}
	g.emit(0, at.Add(2*time.Minute), u.id, u.role, u.ip, "breakglass.end", id, map[string]any{"severity": "high"})
	review := t.AddDate(0, 0, 1).Truncate(24 * time.Hour).Add(10 * time.Hour)
	g.emit(0, review, "usr_admin", "security_admin", "10.9.0.1", "breakglass.list", "break_glass", map[string]any{"count": 1, "pending_review": true})
	g.emit(0, review.Add(3*time.Minute), "usr_admin", "security_admin", "10.9.0.1", "breakglass.review", id,
		map[string]any{"outcome": "justified", "holder": u.id})
}

// unassignedAttack: an insider browses 6 to 30 customers and interactions
// they do not serve within 5 to 25 minutes; the policies refuse each.
func (g *gen) unassignedAttack(l int, u user) {
	span := time.Duration(5+g.r.IntN(21)) * time.Minute
	for _, t := range g.spread(g.workTime(u), span, 6+g.r.IntN(25)) {
		c := g.customer()
		switch x := g.r.Float64(); {
		case x < 0.6:
			g.deny(l, u, t, "customer.read", "customer/"+c, scopeReason(u), nil)
		case x < 0.9:
			g.deny(l, u, t, "interaction.read", fmt.Sprintf("interaction/i%s-%d", c, g.r.IntN(20)), scopeReason(u), map[string]any{"customer_id": c})
		default: // tries to verify a caller in someone else's interaction
			inter := fmt.Sprintf("i%s-%d", c, g.r.IntN(20))
			g.deny(l, u, t, "verification.start", "interaction/"+inter, "not_own_interaction", map[string]any{"customer_id": c, "interaction_id": inter, "method": "sms"})
		}
	}
}

// breakGlassAttack: an insider takes a break-glass elevation without a
// case, for any customer (seven times in ten) or naming one, and reads 3
// to 15 customers (or that customer's record as often) under it.
func (g *gen) breakGlassAttack(l int, u user) {
	c := ""
	if g.r.Float64() < 0.3 {
		c = g.customer()
	}
	g.elevate(l, u, g.workTime(u), "urgent customer request", c, 3+g.r.IntN(13))
}
