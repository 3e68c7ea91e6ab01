package monitor_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/monitor"
)

// t0 is a Wednesday at 10:00 UTC: working hours by default.
var t0 = time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)

// stream builds events with consecutive audit indexes.
type stream struct{ evs []monitor.Event }

func (s *stream) add(at time.Time, actor, role, origin, action, resource string, outcome audit.Outcome, reason string, details map[string]any) {
	e := audit.Event{Action: action, Time: at, ActorID: actor, Resource: resource, Outcome: outcome, Reason: reason, Origin: origin, Details: details}
	if role != "" {
		e.Roles = []string{role}
	}
	s.evs = append(s.evs, monitor.Event{Seq: int64(len(s.evs) + 1), Event: e})
}

// run feeds the stream to a detector and returns the rules that fired.
func run(t *testing.T, cfg monitor.Config, s *stream) []monitor.Finding {
	t.Helper()
	d, err := monitor.NewDetector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []monitor.Finding
	for _, ev := range s.evs {
		out = append(out, d.Observe(ev)...)
	}
	return out
}

func rules(fs []monitor.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

// TestRules checks each rule fires at its threshold and not below it.
func TestRules(t *testing.T) {
	reads := func(n int, at time.Time, every time.Duration) func(*stream) {
		return func(s *stream) {
			for i := range n {
				s.add(at.Add(time.Duration(i)*every), "usr_1", "agent", "10.0.0.1", "customer.read", fmt.Sprintf("customer/c%d", i), audit.Success, "", nil)
			}
		}
	}
	repeat := func(n int, every time.Duration, actor, role, origin, action string, outcome audit.Outcome, reason string, distinct bool) func(*stream) {
		return func(s *stream) {
			for i := range n {
				res := "interaction/i1"
				if distinct {
					res = fmt.Sprintf("interaction/i%d", i)
				}
				s.add(t0.Add(time.Duration(i)*every), actor, role, origin, action, res, outcome, reason, map[string]any{"customer_id": "c1"})
			}
		}
	}
	tests := []struct {
		name  string
		build func(*stream)
		want  []string
	}{
		{"bulk at cap", reads(60, t0, 30*time.Second), nil},
		{"bulk over cap", reads(61, t0, 30*time.Second), []string{monitor.RuleBulkAccess}},
		{"bulk over cap across two hours", reads(100, t0.Add(30*time.Minute), time.Minute), nil},
		{"bulk over cap straddling a clock hour", reads(61, t0.Add(40*time.Minute), 30*time.Second), []string{monitor.RuleBulkAccess}},
		{"off hours, two customers", reads(2, t0.Add(12*time.Hour), time.Minute), nil},
		{"off hours, three customers", reads(3, t0.Add(12*time.Hour), time.Minute), []string{monitor.RuleOffHours}},
		{"weekend", reads(3, t0.Add(72*time.Hour), time.Minute), []string{monitor.RuleOffHours}},
		{"integration at night", func(s *stream) {
			for i := range 10 {
				s.add(t0.Add(12*time.Hour+time.Duration(i)*time.Minute), "tok_1", "integration", "10.0.0.2", "customer.read", fmt.Sprintf("customer/c%d", i), audit.Success, "", nil)
			}
		}, nil},
		{"reveals below threshold", repeat(14, time.Minute, "usr_1", "agent", "10.0.0.1", "customer.reveal", audit.Success, "", true), nil},
		{"reveal spike", repeat(15, time.Minute, "usr_1", "agent", "10.0.0.1", "customer.reveal", audit.Success, "", true), []string{monitor.RuleRevealSpike}},
		{"reveals spread out", repeat(30, 3*time.Minute, "usr_1", "agent", "10.0.0.1", "customer.reveal", audit.Success, "", true), nil},
		{"byte ranges of one recording", repeat(100, time.Second, "usr_1", "qa_analyst", "10.0.0.1", "recording.play", audit.Success, "", false), nil},
		{"mass playback", repeat(25, time.Minute, "usr_1", "qa_analyst", "10.0.0.1", "recording.play", audit.Success, "", true), []string{monitor.RuleMassPlayback}},
		{"failed auth below threshold", repeat(19, time.Second, "", "", "198.51.100.1", "request.denied", audit.Denied, "unauthenticated", false), nil},
		{"failed auth burst", repeat(20, time.Second, "", "", "198.51.100.1", "request.denied", audit.Denied, "unauthenticated", false), []string{monitor.RuleFailedAuth}},
		{"token used from outside its networks", repeat(10, 20*time.Second, "tok_7", "integration", "198.51.100.1", "request.denied", audit.Denied, "token_network_refused", false), []string{monitor.RuleFailedAuth}},
		{"unknown routes are not auth failures", repeat(50, time.Second, "", "", "198.51.100.1", "request.denied", audit.Denied, "no_such_route", false), nil},
		{"failed logins of one account", repeat(10, 20*time.Second, "usr_9", "", "", "login.password", audit.Denied, "bad_password", false), []string{monitor.RuleFailedAuth}},
		{"flood", repeat(1200, 10*time.Millisecond, "tok_1", "integration", "203.0.113.9", "interaction.create", audit.Success, "", false), []string{monitor.RuleFlood}},
		{"busy integration", repeat(1199, 50*time.Millisecond, "tok_1", "integration", "203.0.113.9", "interaction.create", audit.Success, "", false), nil},
		{"honey read", func(s *stream) {
			s.add(t0, "usr_admin", "security_admin", "", "honey.create", "customer/h1", audit.Success, "", nil)
			s.add(t0.Add(time.Minute), "usr_1", "agent", "10.0.0.1", "customer.search", "customer", audit.Success, "", map[string]any{"customer_ids": []any{"c1", "h1"}})
		}, []string{monitor.RuleHoney}},
		{"honey denied access", func(s *stream) {
			s.add(t0, "usr_1", "auditor", "10.0.0.1", "customer.read", "customer/h-config", audit.Denied, "role_not_permitted", nil)
		}, []string{monitor.RuleHoney}},
		{"monitor's own events", func(s *stream) {
			s.add(t0, monitor.SystemActorID, "", "", "customer.create", "customer/h-config", audit.Success, "", nil)
		}, nil},
	}
	cfg := monitor.DefaultConfig()
	cfg.Honey.Customers = []string{"h-config"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s stream
			tc.build(&s)
			if got := rules(run(t, cfg, &s)); !slices.Equal(got, tc.want) {
				t.Errorf("fired %v, want %v", got, tc.want)
			}
		})
	}
}

// TestBulkBaseline checks that an actor who always reads many customers
// is judged against their own history, and a sudden excess is not.
func TestBulkBaseline(t *testing.T) {
	var s stream
	day := t0.Add(-7 * 24 * time.Hour) // a Wednesday too
	for h := range 10 {                // ten busy hours of 70 to 79 customers
		for i := range 70 + h {
			s.add(day.Add(time.Duration(h)*time.Hour+time.Duration(i)*40*time.Second), "usr_1", "supervisor", "10.0.0.1",
				"customer.read", fmt.Sprintf("customer/c%d-%d", h, i), audit.Success, "", nil)
		}
	}
	// Until min_history_hours of history exist the cap alone decides; then
	// the actor's own baseline keeps hours like the previous ones quiet.
	minHist := monitor.DefaultConfig().BulkAccess.MinHistoryHours
	fs := run(t, monitor.DefaultConfig(), &s)
	if len(fs) != minHist {
		t.Fatalf("busy but regular actor: %d findings, want %d (the hours before a baseline exists)", len(fs), minHist)
	}
	for i := range 200 {
		s.add(t0.Add(time.Duration(i)*10*time.Second), "usr_1", "supervisor", "10.0.0.1", "customer.read", fmt.Sprintf("customer/x%d", i), audit.Success, "", nil)
	}
	if fs := run(t, monitor.DefaultConfig(), &s); len(fs) != minHist+1 || fs[minHist].Rule != monitor.RuleBulkAccess || len(fs[minHist].Evidence) == 0 {
		t.Errorf("excess over the baseline: %+v", fs)
	}
}

// TestSnapshotReplay checks that a detector restored from a snapshot
// taken mid-stream finds exactly what an uninterrupted one finds.
func TestSnapshotReplay(t *testing.T) {
	var s stream
	for i := range 400 {
		s.add(t0.Add(time.Duration(i)*5*time.Second), fmt.Sprintf("usr_%d", i%3), "agent", "10.0.0.1", "customer.reveal", fmt.Sprintf("customer/c%d", i), audit.Success, "", nil)
	}
	whole := run(t, monitor.DefaultConfig(), &s)
	d1, _ := monitor.NewDetector(monitor.DefaultConfig())
	var split []monitor.Finding
	for _, ev := range s.evs[:150] {
		split = append(split, d1.Observe(ev)...)
	}
	snap, err := d1.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := monitor.NewDetector(monitor.DefaultConfig())
	if err := d2.Restore(snap); err != nil {
		t.Fatal(err)
	}
	for _, ev := range s.evs[100:] { // replays 100..149: ignored
		split = append(split, d2.Observe(ev)...)
	}
	if len(whole) == 0 || fmt.Sprint(whole) != fmt.Sprint(split) {
		t.Errorf("uninterrupted %d findings, restored %d:\n%v\n%v", len(whole), len(split), whole, split)
	}
	if err := d2.Restore([]byte(`{"Version":1}`)); err == nil {
		t.Error("incomplete snapshot restored")
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		yaml, err string
	}{
		{"", ""},
		{"bulk_access: {cap: 100, z_score: 3}\noff_hours:\n  schedules:\n    agent: {time_zone: Europe/Paris, days: [mon, tue], start: \"22:00\", end: \"06:00\"}\n", ""},
		{"api_flood: {threshold: 50, window: 10s, exempt: [10.0.0.0/8]}\nhoney: {customers: [a, b], contain: false}", ""},
		{"bulk_access: {cap: 0}", "cap 0"},
		{"bulk_access: {colour: red}", "field colour not found"},
		{"reveal_spike: {window: -1s}", "window"},
		{"honey: {severity: urgent}", "severity"},
		{"off_hours: {schedules: {agent: {time_zone: Mars/Olympus, days: [mon], start: \"08:00\", end: \"17:00\"}}}", "time_zone"},
		{"off_hours: {schedules: {agent: {days: [someday], start: \"08:00\", end: \"17:00\"}}}", "day"},
		{"off_hours: {schedules: {agent: {days: [mon], start: \"8\", end: \"17:00\"}}}", "HH:MM"},
		{"api_flood: {exempt: [10.0.0.0/33]}", "CIDR"},
		{"[", "yaml"},
	}
	for _, tc := range tests {
		_, err := monitor.ParseConfig([]byte(tc.yaml))
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.yaml, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one mentioning %q", tc.yaml, err, tc.err)
		}
	}
}

// TestNightShift checks a schedule that spans midnight, in a time zone.
func TestNightShift(t *testing.T) {
	cfg, err := monitor.ParseConfig([]byte("off_hours:\n  schedules:\n    agent: {time_zone: America/New_York, days: [wed], start: \"22:00\", end: \"06:00\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	// Thursday 04:00 in New York (09:00 UTC) belongs to Wednesday's shift;
	// Thursday 07:00 in New York does not.
	thu4 := time.Date(2026, 11, 19, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		at   time.Time
		want int
	}{{thu4, 0}, {thu4.Add(3 * time.Hour), 1}} {
		var s stream
		for i := range 3 {
			s.add(tc.at.Add(time.Duration(i)*time.Minute), "usr_1", "agent", "10.0.0.1", "customer.read", fmt.Sprintf("customer/c%d", i), audit.Success, "", nil)
		}
		if got := len(run(t, cfg, &s)); got != tc.want {
			t.Errorf("reads at %v: %d findings, want %d", tc.at, got, tc.want)
		}
	}
}
