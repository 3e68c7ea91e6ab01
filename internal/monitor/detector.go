package monitor

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Finding is what a rule reports: who (ActorID, or SourceIP for findings
// about an address), why (Summary, without personal data) and the audit
// indexes of the events that made it fire (Evidence, at most maxEvidence,
// the latest ones).
type Finding struct {
	Rule     string
	Severity Severity
	ActorID  string
	SourceIP string
	Summary  string
	Evidence []int64
	// Time is the time of the triggering event (the last evidence).
	Time time.Time
	// DedupKey identifies the finding across replays of the same stream.
	DedupKey string
	// Contain asks for the actor to be locked.
	Contain bool
}

// maxEvidence bounds the audit indexes a finding carries.
const maxEvidence = 200

const (
	hourMicros = int64(time.Hour / time.Microsecond)
	// gcEvery is how often (in event time) idle state is dropped.
	gcEvery = hourMicros
	// bulkIdleExpiry drops the baseline of an actor idle this long.
	bulkIdleExpiry = 60 * 24 * hourMicros
)

// Detector runs every enabled rule over an ordered stream of events. It is
// deterministic and not safe for concurrent use.
type Detector struct {
	cfg Config
	st  detectorState
	geo *locator // impossible_travel: sites and GeoIP database
}

// detectorState is everything a Detector remembers; it is what a snapshot
// holds. Keys of Windows and Fired are "rule/subject".
type detectorState struct {
	Version int
	Bulk    map[string]*bulkActor
	Windows map[string]*window
	Fired   map[string]int64        // cooldown end, µs
	Honey   map[string]bool         // customers made honey by honey.create
	Travel  map[string]*travelActor // impossible_travel, by actor (version 2)
	Calls   *callVolume             `json:",omitempty"` // call_flood's seasonal baseline; nil until the first call
	Teams   map[string][]int32      `json:",omitempty"` // bulk_access team baselines: latest actor-hours by team
	LastGC  int64
	LastSeq int64
}

// stateVersion 2 added Travel. A version 1 snapshot is restored with no
// travel history.
const stateVersion = 2

// NewDetector returns a Detector with no history.
func NewDetector(cfg Config) (*Detector, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	geo, err := newLocator(cfg.Travel)
	if err != nil {
		return nil, err
	}
	d := &Detector{cfg: cfg, geo: geo}
	d.reset()
	return d, nil
}

func (d *Detector) reset() {
	d.st = detectorState{Version: stateVersion, Bulk: map[string]*bulkActor{}, Windows: map[string]*window{},
		Fired: map[string]int64{}, Honey: map[string]bool{}, Travel: map[string]*travelActor{}}
}

// Snapshot encodes the detector's state.
func (d *Detector) Snapshot() ([]byte, error) {
	b, err := json.Marshal(&d.st)
	if err != nil {
		return nil, fmt.Errorf("monitor: snapshot: %w", err)
	}
	return b, nil
}

// Restore replaces the detector's state with a snapshot; an empty snapshot
// is a fresh start.
func (d *Detector) Restore(snapshot []byte) error {
	d.reset()
	if len(snapshot) == 0 {
		return nil
	}
	var st detectorState
	if err := json.Unmarshal(snapshot, &st); err != nil {
		return fmt.Errorf("monitor: restore snapshot: %w", err)
	}
	switch st.Version {
	case 1: // before impossible_travel
		if st.Travel != nil {
			return fmt.Errorf("monitor: restore snapshot: version 1 with travel state")
		}
		st.Travel, st.Version = map[string]*travelActor{}, stateVersion
	case stateVersion:
	default:
		return fmt.Errorf("monitor: restore snapshot: version %d, want %d or 1", st.Version, stateVersion)
	}
	for _, m := range []bool{st.Bulk == nil, st.Windows == nil, st.Fired == nil, st.Honey == nil, st.Travel == nil} {
		if m {
			return fmt.Errorf("monitor: restore snapshot: incomplete state")
		}
	}
	if st.Calls != nil && len(st.Calls.Slots) != 168 {
		return fmt.Errorf("monitor: restore snapshot: call baseline has %d hour slots, want 168", len(st.Calls.Slots))
	}
	for _, a := range st.Bulk {
		if a == nil || a.Seen == nil {
			return fmt.Errorf("monitor: restore snapshot: incomplete bulk state")
		}
	}
	for _, w := range st.Windows {
		if w == nil || len(w.Seq) != len(w.At) || (w.Keys != nil && len(w.Key) != len(w.At)) {
			return fmt.Errorf("monitor: restore snapshot: inconsistent window")
		}
	}
	for _, a := range st.Travel {
		if a == nil || a.Countries == nil {
			return fmt.Errorf("monitor: restore snapshot: incomplete travel state")
		}
	}
	d.st = st
	return nil
}

// Observe feeds the next event (in audit order) to every rule and returns
// the findings it triggers, usually none. Events the monitor wrote itself
// are ignored.
func (d *Detector) Observe(ev Event) []Finding {
	if ev.ActorID == SystemActorID || ev.Seq <= d.st.LastSeq {
		return nil
	}
	d.st.LastSeq = ev.Seq
	now := micros(ev.Time)
	if now-d.st.LastGC >= gcEvery {
		d.gc(now)
	}
	var out []Finding
	if ev.Action == "honey.create" && ev.Outcome == "success" {
		ev.customers(func(id string) { d.st.Honey[id] = true })
		return nil
	}
	out = d.honey(out, &ev, now)
	out = d.flood(out, &ev, now)
	out = d.failedAuth(out, &ev, now)
	out = d.travel(out, &ev, now)
	out = d.takeover(out, &ev, now)
	out = d.unassigned(out, &ev, now)
	out = d.breakGlass(out, &ev, now)
	out = d.callFlood(out, &ev, now)
	out = d.controlFailure(out, &ev, now)
	if ev.ActorID != "" && ev.readsCustomerData() {
		out = d.bulkAccess(out, &ev, now)
		out = d.offHours(out, &ev, now)
		out = d.revealSpike(out, &ev, now)
		out = d.massPlayback(out, &ev, now)
	}
	return out
}

// fire appends a finding unless the rule is cooling down for subject.
func (d *Detector) fire(out []Finding, o RuleOptions, rule, subject string, now int64, f Finding) []Finding {
	key := rule + "/" + subject
	if until, ok := d.st.Fired[key]; ok && now < until {
		return out
	}
	d.st.Fired[key] = now + int64(o.Cooldown/time.Microsecond)
	f.Rule, f.Severity, f.Contain = rule, o.Severity, o.Contain && f.ActorID != ""
	if len(f.Evidence) > maxEvidence {
		f.Evidence = f.Evidence[len(f.Evidence)-maxEvidence:]
	}
	f.Time = time.UnixMicro(now).UTC()
	last := int64(0)
	if len(f.Evidence) > 0 {
		last = f.Evidence[len(f.Evidence)-1]
	}
	f.DedupKey = key + "/" + strconv.FormatInt(last, 10)
	return append(out, f)
}

// rate adds an event to subject's window of rule and reports the count.
func (d *Detector) rate(rule, subject string, span time.Duration, distinct bool, at, seq int64, key string, limit int) (*window, int) {
	k := rule + "/" + subject
	w := d.st.Windows[k]
	if w == nil {
		w = newWindow(int64(span/time.Microsecond), distinct)
		d.st.Windows[k] = w
	}
	return w, w.add(at, seq, key, limit)
}

// gc drops state that can no longer matter at now.
func (d *Detector) gc(now int64) {
	d.st.LastGC = now
	for k, w := range d.st.Windows {
		if w.idle(now) {
			delete(d.st.Windows, k)
		}
	}
	for k, until := range d.st.Fired {
		if until <= now {
			delete(d.st.Fired, k)
		}
	}
	for k, a := range d.st.Bulk {
		if now-a.Hour*hourMicros > bulkIdleExpiry {
			delete(d.st.Bulk, k)
		}
	}
	d.gcTravel(now)
}
