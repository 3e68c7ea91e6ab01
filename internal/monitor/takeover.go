package monitor

import (
	"fmt"
	"time"

	"github.com/confide-cc/confide/internal/audit"
)

// Audit actions of caller verification (package records) that
// account_takeover reads.
const (
	actionTakeoverSignal     = "verification.takeover_signal" // CF-8010
	actionVerificationCheck  = "verification.check"
	actionVerificationStart  = "verification.start"
	takeoverSubjectPrefix    = "customer/"
	takeoverMaxCustomerIDLen = 128
)

// TakeoverOptions configure account_takeover: signs that someone is
// trying to pass as a customer. It fires
//
//   - on every verification.takeover_signal event (CF-8010: the records
//     service saw one customer's caller verifications fail repeatedly
//     across interactions), and
//   - when failed caller verifications of one customer (verification.check
//     with outcome failure, a wrong code; verification.start with outcome
//     failure, a failed knowledge-based check) were recorded by
//     DistinctActors different agents within Window: a caller who keeps
//     calling back to land on another agent. DistinctActors 0 turns this
//     part off.
//
// Findings name the customer (by id), not an actor: the agents who took
// the calls did nothing wrong, so the rule never contains anyone and
// contain must stay false. The cooldown is per customer.
type TakeoverOptions struct {
	RuleOptions    `yaml:",inline"`
	DistinctActors int           `yaml:"distinct_actors"`
	Window         time.Duration `yaml:"window"`
}

func (o *TakeoverOptions) validate() []error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("monitor: %s: "+format, append([]any{RuleTakeover}, args...)...))
		}
	}
	check(!o.Contain, "contain: not supported (the findings name a customer, not an actor to lock)")
	check(o.DistinctActors >= 0 && o.DistinctActors <= 1000, "distinct_actors %d: must be 0 (off) to 1000", o.DistinctActors)
	check(o.Window > 0 && o.Window <= 30*24*time.Hour, "window %v: must be positive and at most 720h", o.Window)
	return errs
}

// takeoverCustomer returns the customer a verification event is about:
// Details["customer_id"], else the customer resource.
func takeoverCustomer(ev *Event) string {
	id := ""
	ev.customers(func(c string) {
		if id == "" {
			id = c
		}
	})
	if len(id) > takeoverMaxCustomerIDLen {
		return ""
	}
	return id
}

// takeover fires on account-takeover signals and on failed caller
// verifications of one customer by several agents.
func (d *Detector) takeover(out []Finding, ev *Event, now int64) []Finding {
	o := &d.cfg.Takeover
	if o.Disabled {
		return out
	}
	switch {
	case ev.Action == actionTakeoverSignal:
		id := takeoverCustomer(ev)
		if id == "" {
			return out
		}
		summary := "account takeover signal for customer " + id + ": repeated failed caller verifications"
		n, nok := number(ev.Details["failures"])
		w, wok := number(ev.Details["window_seconds"])
		if nok && wok && n > 0 && n < 1e9 && w > 0 && w < 1e8 {
			summary = fmt.Sprintf("account takeover signal for customer %s: %d failed caller verifications within %v",
				id, int64(n), time.Duration(w)*time.Second)
		}
		return d.fire(out, o.RuleOptions, RuleTakeover, takeoverSubjectPrefix+id, now, Finding{
			Evidence: []int64{ev.Seq}, Summary: summary})
	case o.DistinctActors > 0 && ev.Outcome == audit.Failure && ev.ActorID != "" &&
		(ev.Action == actionVerificationCheck || ev.Action == actionVerificationStart):
		id := takeoverCustomer(ev)
		if id == "" {
			return out
		}
		w, n := d.rate(RuleTakeover, takeoverSubjectPrefix+id, o.Window, true, now, ev.Seq, ev.ActorID, o.DistinctActors)
		if n < o.DistinctActors {
			return out
		}
		return d.fire(out, o.RuleOptions, RuleTakeover, takeoverSubjectPrefix+id, now, Finding{Evidence: w.evidence(),
			Summary: fmt.Sprintf("failed caller verifications of customer %s by %d different agents within %v", id, n, o.Window)})
	}
	return out
}

// number reads a JSON number from event details.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}
