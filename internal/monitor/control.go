package monitor

import (
	"fmt"
	"slices"
	"time"

	"github.com/confide-cc/confide/internal/audit"
)

// RuleControlFailure names control_failure.
const RuleControlFailure = "control_failure"

// ControlFailureOptions configure control_failure: a security control
// reported that it failed, or found what it exists to prevent (PCI DSS
// 10.7, 12.10.7). Every successful or failed event whose action is in
// Actions raises an alert: by default the audit log found not matching
// its signed checkpoints (audit.tamper) and a card number found in stored
// content (redaction.pan_found).
type ControlFailureOptions struct {
	RuleOptions `yaml:",inline"`
	Actions     []string `yaml:"actions"`
}

func defaultControlFailure() ControlFailureOptions {
	return ControlFailureOptions{RuleOptions: RuleOptions{Severity: Critical, Cooldown: 10 * time.Minute},
		Actions: []string{"audit.tamper", "redaction.pan_found"}}
}

func (o *ControlFailureOptions) validate() []error {
	var errs []error
	for _, a := range o.Actions {
		if _, ok := audit.Catalogue[a]; !ok {
			errs = append(errs, fmt.Errorf("monitor: %s: action %q is not in the audit event catalogue (docs/audit-events.md)", RuleControlFailure, a))
		}
	}
	return errs
}

// controlFailure fires on each event of a failing security control.
func (d *Detector) controlFailure(out []Finding, ev *Event, now int64) []Finding {
	o := d.cfg.ControlFailure
	if o.Disabled || !slices.Contains(o.Actions, ev.Action) {
		return out
	}
	what := ev.Action
	if ev.Reason != "" {
		what += " (" + ev.Reason + ")"
	}
	return d.fire(out, o.RuleOptions, RuleControlFailure, ev.Action+"/"+ev.Resource, now, Finding{
		Evidence: []int64{ev.Seq},
		Summary:  fmt.Sprintf("security control failure: %s on %s reported by %s", what, ev.Resource, ev.ActorID),
	})
}
