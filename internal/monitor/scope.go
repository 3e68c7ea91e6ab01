package monitor

import (
	"fmt"
	"slices"
	"time"
)

// Rule names of scope.go.
const (
	RuleUnassigned = "unassigned_access"
	RuleBreakGlass = "break_glass"
)

// scopeReasons are the denial reasons (docs/ACCESS.md) that mean the
// caller tried to reach a customer or interaction outside their work: not
// theirs, not their team's.
var scopeReasons = []string{"not_assigned", "not_in_team", "not_own_interaction"}

// UnassignedOptions configure unassigned_access: an actor refused access
// to Threshold distinct customers or interactions outside their work
// (reasons not_assigned, not_in_team, not_own_interaction) within Window
// — someone browsing customers they are not serving. The policies refuse
// each attempt; the rule tells security about the pattern.
type UnassignedOptions struct {
	RateOptions `yaml:",inline"`
}

// BreakGlassOptions configure break_glass: every break-glass elevation
// (breakglass.request) raises an alert, so that a security admin sees it
// while it is active, not only at the review.
type BreakGlassOptions struct {
	RuleOptions `yaml:",inline"`
}

func defaultScopeRules(c *Config) {
	c.Unassigned = UnassignedOptions{RateOptions{RuleOptions: RuleOptions{Severity: High, Cooldown: time.Hour},
		Threshold: 5, Window: 30 * time.Minute}}
	c.BreakGlass = BreakGlassOptions{RuleOptions{Severity: High, Cooldown: time.Minute}}
}

// unassigned fires on repeated refusals of access outside the actor's work.
func (d *Detector) unassigned(out []Finding, ev *Event, now int64) []Finding {
	o := d.cfg.Unassigned
	if o.Disabled || ev.ActorID == "" || ev.Outcome != "denied" || !slices.Contains(scopeReasons, ev.Reason) {
		return out
	}
	w, n := d.rate(RuleUnassigned, ev.ActorID, o.Window, true, now, ev.Seq, ev.Resource, o.Threshold)
	if n < o.Threshold {
		return out
	}
	return d.fire(out, o.RuleOptions, RuleUnassigned, ev.ActorID, now, Finding{ActorID: ev.ActorID, SourceIP: ev.Origin,
		Evidence: w.evidence(), Summary: fmt.Sprintf("refused access to %d customers or interactions outside their work within %v", n, o.Window)})
}

// breakGlass fires on each break-glass elevation.
func (d *Detector) breakGlass(out []Finding, ev *Event, now int64) []Finding {
	o := d.cfg.BreakGlass
	if o.Disabled || ev.Action != "breakglass.request" || ev.Outcome != "success" || ev.ActorID == "" {
		return out
	}
	scope := "any customer"
	if id, ok := ev.Details["customer"].(string); ok && id != "" && len(id) <= 128 {
		scope = "customer " + id
	}
	return d.fire(out, o.RuleOptions, RuleBreakGlass, ev.ActorID, now, Finding{ActorID: ev.ActorID, SourceIP: ev.Origin,
		Evidence: []int64{ev.Seq}, Summary: fmt.Sprintf("break-glass elevation for %s (%s); review it when it ends", scope, ev.Resource)})
}
