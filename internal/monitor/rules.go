package monitor

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
)

// honey fires on any event touching a canary customer, whatever its
// outcome: no legitimate work touches one.
func (d *Detector) honey(out []Finding, ev *Event, now int64) []Finding {
	o := d.cfg.Honey
	if o.Disabled {
		return out
	}
	ev.customers(func(id string) {
		if !d.st.Honey[id] && !slices.Contains(o.Customers, id) {
			return
		}
		out = d.fire(out, o.RuleOptions, RuleHoney, ev.ActorID+"/"+ev.Origin+"/"+id, now, Finding{
			ActorID: ev.ActorID, SourceIP: ev.Origin, Evidence: []int64{ev.Seq},
			Summary: fmt.Sprintf("honey customer %s touched by %s (%s)", id, ev.Action, ev.Outcome),
		})
	})
	return out
}

// flood fires when one source address makes more audited requests within
// the window than the threshold.
func (d *Detector) flood(out []Finding, ev *Event, now int64) []Finding {
	o := d.cfg.Flood
	if o.Disabled || ev.Origin == "" {
		return out
	}
	if len(o.exempt) > 0 {
		if addr, err := netip.ParseAddr(ev.Origin); err == nil {
			for _, p := range o.exempt {
				if p.Contains(addr.Unmap()) {
					return out
				}
			}
		}
	}
	w, n := d.rate(RuleFlood, ev.Origin, o.Window, false, now, ev.Seq, "", o.Threshold)
	if n < o.Threshold {
		return out
	}
	return d.fire(out, o.RuleOptions, RuleFlood, ev.Origin, now, Finding{SourceIP: ev.Origin, Evidence: w.evidence(),
		Summary: fmt.Sprintf("%d requests from one address within %v", n, o.Window)})
}

// failedAuth fires on bursts of authentication failures per source
// address and per account.
func (d *Detector) failedAuth(out []Finding, ev *Event, now int64) []Finding {
	o := d.cfg.FailedAuth
	if o.Disabled {
		return out
	}
	// token_network_refused: a valid token used from outside its networks
	// (the event's actor is the token), e.g. a stolen token.
	failed := (ev.Outcome == "denied" && (ev.Reason == "unauthenticated" || ev.Reason == "token_network_refused")) ||
		(ev.Outcome != "success" && slices.Contains(o.Actions, ev.Action))
	if !failed {
		return out
	}
	if ev.Origin != "" {
		w, n := d.rate(RuleFailedAuth, "ip:"+ev.Origin, o.PerIP.Window, false, now, ev.Seq, "", o.PerIP.Threshold)
		if n >= o.PerIP.Threshold {
			out = d.fire(out, o.RuleOptions, RuleFailedAuth, "ip:"+ev.Origin, now, Finding{SourceIP: ev.Origin, Evidence: w.evidence(),
				Summary: fmt.Sprintf("%d authentication failures from one address within %v", n, o.PerIP.Window)})
		}
	}
	if ev.ActorID != "" {
		w, n := d.rate(RuleFailedAuth, "actor:"+ev.ActorID, o.PerActor.Window, false, now, ev.Seq, "", o.PerActor.Threshold)
		if n >= o.PerActor.Threshold {
			out = d.fire(out, o.RuleOptions, RuleFailedAuth, "actor:"+ev.ActorID, now, Finding{ActorID: ev.ActorID, SourceIP: ev.Origin,
				Evidence: w.evidence(), Summary: fmt.Sprintf("%d authentication failures of one account within %v", n, o.PerActor.Window)})
		}
	}
	return out
}

// revealSpike fires when an actor reveals fields in clear more often than
// the threshold within the window.
func (d *Detector) revealSpike(out []Finding, ev *Event, now int64) []Finding {
	o := d.cfg.RevealSpike
	if o.Disabled || ev.Action != "customer.reveal" {
		return out
	}
	w, n := d.rate(RuleRevealSpike, ev.ActorID, o.Window, false, now, ev.Seq, "", o.Threshold)
	if n < o.Threshold {
		return out
	}
	return d.fire(out, o.RuleOptions, RuleRevealSpike, ev.ActorID, now, Finding{ActorID: ev.ActorID, SourceIP: ev.Origin,
		Evidence: w.evidence(), Summary: fmt.Sprintf("%d reveals within %v", n, o.Window)})
}

// massPlayback fires when an actor plays or downloads more distinct
// recordings and attachments than the threshold within the window (byte
// ranges of the same recording count once).
func (d *Detector) massPlayback(out []Finding, ev *Event, now int64) []Finding {
	o := d.cfg.MassPlayback
	if o.Disabled || (ev.Action != "recording.play" && ev.Action != "attachment.download") {
		return out
	}
	key := ev.Resource
	if a, ok := ev.Details["attachment_id"].(string); ok {
		key += "/" + a
	}
	w, n := d.rate(RuleMassPlayback, ev.ActorID, o.Window, true, now, ev.Seq, key, o.Threshold)
	if n < o.Threshold {
		return out
	}
	return d.fire(out, o.RuleOptions, RuleMassPlayback, ev.ActorID, now, Finding{ActorID: ev.ActorID, SourceIP: ev.Origin,
		Evidence: w.evidence(), Summary: fmt.Sprintf("%d recordings or attachments within %v", n, o.Window)})
}

// offHours fires when an actor reads the data of several customers outside
// the working hours of every role they hold that has a schedule.
func (d *Detector) offHours(out []Finding, ev *Event, now int64) []Finding {
	o := d.cfg.OffHours
	if o.Disabled {
		return out
	}
	scheduled := false
	for _, r := range ev.Roles {
		s, ok := o.Schedules[r]
		if !ok {
			continue
		}
		if s.compiled.contains(ev.Time) {
			return out
		}
		scheduled = true
	}
	if !scheduled {
		return out
	}
	first := ""
	ev.customers(func(id string) {
		if first == "" {
			first = id
		}
	})
	if first == "" {
		return out
	}
	w, n := d.rate(RuleOffHours, ev.ActorID, o.Window, true, now, ev.Seq, first, o.MinCustomers)
	if n < o.MinCustomers {
		return out
	}
	return d.fire(out, o.RuleOptions, RuleOffHours, ev.ActorID, now, Finding{ActorID: ev.ActorID, SourceIP: ev.Origin,
		Evidence: w.evidence(), Summary: fmt.Sprintf("%d customers read outside working hours within %v", n, o.Window)})
}

// bulkActor is one actor's reading history for bulk_access.
type bulkActor struct {
	Team    string           `json:",omitempty"` // the actor's team (latest event), for the team baseline
	Hour    int64            // current clock hour (µs / 1h)
	Seen    map[string]int64 // customers read in Hour → audit index of the first read
	History []int32          // distinct customers of past active hours, oldest first
	// Recent holds the customers read in the last hour (sliding), so that
	// a burst across a clock-hour boundary counts as one hour.
	Recent map[string]bulkRead `json:",omitempty"`
}

// bulkRead is the last read of one customer by a bulk_access actor.
type bulkRead struct {
	At  int64 // µs of the last read
	Seq int64 // audit index of the first read within the sliding hour
}

// bulkAccess fires when an actor reads more distinct customers within an
// hour (sliding) than the absolute cap and than their own baseline (of
// clock hours) allows.
func (d *Detector) bulkAccess(out []Finding, ev *Event, now int64) []Finding {
	o := d.cfg.BulkAccess
	if o.Disabled {
		return out
	}
	a := d.st.Bulk[ev.ActorID]
	hour := now / hourMicros
	if a == nil {
		a = &bulkActor{Hour: hour, Seen: map[string]int64{}}
		d.st.Bulk[ev.ActorID] = a
	}
	if a.Recent == nil {
		a.Recent = map[string]bulkRead{}
	}
	if hour != a.Hour {
		if len(a.Seen) > 0 {
			a.History = append(a.History, int32(len(a.Seen)))
			if len(a.History) > o.HistoryHours {
				a.History = append(a.History[:0], a.History[len(a.History)-o.HistoryHours:]...)
			}
			d.teamSample(a.Team, int32(len(a.Seen)))
		}
		a.Hour, a.Seen = hour, map[string]int64{}
	}
	a.Team = ev.Team
	added := false
	ev.customers(func(id string) {
		if _, ok := a.Seen[id]; !ok {
			a.Seen[id] = ev.Seq
		}
		r, ok := a.Recent[id]
		if !ok || r.At <= now-hourMicros {
			r.Seq = ev.Seq
			added = true
		}
		r.At = now
		a.Recent[id] = r
	})
	if !added || len(a.Recent) <= o.Cap {
		return out
	}
	for id, r := range a.Recent { // only when the cap may be exceeded
		if r.At <= now-hourMicros {
			delete(a.Recent, id)
		}
	}
	n := len(a.Recent)
	if n <= o.Cap || !aboveBaseline(a.History, n, o) || !aboveBaseline(d.teamHistory(a.Team), n, o) {
		return out
	}
	ev2 := make([]int64, 0, n)
	for _, r := range a.Recent {
		ev2 = append(ev2, r.Seq)
	}
	slices.Sort(ev2)
	return d.fire(out, o.RuleOptions, RuleBulkAccess, ev.ActorID, now, Finding{ActorID: ev.ActorID, SourceIP: ev.Origin,
		Evidence: ev2, Summary: fmt.Sprintf("%d distinct customers read within one hour (cap %d)", n, o.Cap)})
}

// aboveBaseline reports whether n is more than ZScore deviations above the
// mean of history (the actor's own active hours, or their team's actor-
// hours). The deviation is at least the square root of the mean (Poisson
// noise), so that a very regular actor is not flagged for a small excess.
// A short history does not constrain.
func aboveBaseline(history []int32, n int, o BulkOptions) bool {
	if len(history) < max(o.MinHistoryHours, 1) {
		return true
	}
	var sum, sumSq float64
	for _, c := range history {
		sum += float64(c)
		sumSq += float64(c) * float64(c)
	}
	k := float64(len(history))
	mean := sum / k
	std := math.Sqrt(max(sumSq/k-mean*mean, 0))
	std = max(std, math.Sqrt(mean), 1)
	return (float64(n)-mean)/std > o.ZScore
}

// teamSamples bounds a team baseline: the latest actor-hours of the team.
const teamSamples = 2000

// teamSample adds one closed actor-hour of team to its baseline.
func (d *Detector) teamSample(team string, n int32) {
	if team == "" {
		return
	}
	if d.st.Teams == nil {
		d.st.Teams = map[string][]int32{}
	}
	h := append(d.st.Teams[team], n)
	if len(h) > teamSamples {
		h = append(h[:0], h[len(h)-teamSamples:]...)
	}
	d.st.Teams[team] = h
}

// teamHistory returns the baseline of team (nil for none).
func (d *Detector) teamHistory(team string) []int32 {
	if team == "" {
		return nil
	}
	return d.st.Teams[team]
}
