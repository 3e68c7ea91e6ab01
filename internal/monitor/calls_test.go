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

// calls adds n ingested calls spread over span from start, from the given
// caller keys in turn ("" for none).
func calls(s *stream, start time.Time, span time.Duration, n int, keys ...string) {
	for i := range n {
		d := map[string]any{"channel": "call", "customer_id": "c1"}
		if k := keys[i%len(keys)]; k != "" {
			d["caller_key"] = k
		}
		s.add(start.Add(span*time.Duration(i)/time.Duration(n)), "tok_telephony", "integration", "10.9.0.1", "interaction.create",
			fmt.Sprintf("interaction/i%d", len(s.evs)), audit.Success, "", d)
	}
}

// TestCallFlood checks both halves of call_flood: many calls from one
// number, and an hour far above the same hour of past weeks.
func TestCallFlood(t *testing.T) {
	week := 7 * 24 * time.Hour
	tests := []struct {
		name  string
		build func(*stream)
		want  []string
	}{
		{"20 calls from one number in an hour", func(s *stream) { calls(s, t0, 50*time.Minute, 20, "aa11") }, nil},
		{"21 calls from one number in an hour", func(s *stream) { calls(s, t0, 50*time.Minute, 21, "aa11") }, []string{monitor.RuleCallFlood}},
		{"21 calls from one number over three hours", func(s *stream) { calls(s, t0, 3*time.Hour, 21, "aa11") }, nil},
		{"40 calls from 40 numbers", func(s *stream) {
			keys := make([]string, 40)
			for i := range keys {
				keys[i] = fmt.Sprintf("k%02d", i)
			}
			calls(s, t0, 50*time.Minute, 40, keys...)
		}, nil},
		{"a chat does not count", func(s *stream) {
			for i := range 30 {
				s.add(t0.Add(time.Duration(i)*time.Minute), "tok_chat", "integration", "10.9.0.2", "interaction.create", "interaction/x",
					audit.Success, "", map[string]any{"channel": "chat", "caller_key": "aa11"})
			}
		}, nil},
		{"usual volume, three weeks", func(s *stream) {
			for w := range 3 {
				calls(s, t0.Add(time.Duration(w)*week), 50*time.Minute, 100, "")
			}
		}, nil},
		{"five times the usual volume from many numbers", func(s *stream) {
			for w := range 2 {
				calls(s, t0.Add(time.Duration(w)*week), 50*time.Minute, 100, "")
			}
			calls(s, t0.Add(2*week), 50*time.Minute, 500, "")
		}, []string{monitor.RuleCallFlood}},
		{"a flood does not teach the baseline to accept the next", func(s *stream) {
			for w := range 2 {
				calls(s, t0.Add(time.Duration(w)*week), 50*time.Minute, 100, "")
			}
			calls(s, t0.Add(2*week), 50*time.Minute, 500, "")
			calls(s, t0.Add(3*week), 50*time.Minute, 400, "")
		}, []string{monitor.RuleCallFlood, monitor.RuleCallFlood}},
		{"a surge with one week of history only", func(s *stream) {
			calls(s, t0, 50*time.Minute, 100, "")
			calls(s, t0.Add(week), 50*time.Minute, 500, "")
		}, nil},
		{"a surge in an hour that is usually busy", func(s *stream) {
			for w := range 3 {
				calls(s, t0.Add(time.Duration(w)*week), 50*time.Minute, 480, "")
			}
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &stream{}
			tc.build(s)
			got := run(t, monitor.DefaultConfig(), s)
			if !slices.Equal(rules(got), tc.want) {
				t.Fatalf("fired %v, want %v (%v)", rules(got), tc.want, got)
			}
			for _, f := range got {
				if strings.Contains(f.Summary, "+") || f.ActorID != "" || len(f.Evidence) == 0 {
					t.Errorf("finding %+v", f)
				}
			}
		})
	}
	// The baseline survives a snapshot.
	s := &stream{}
	for w := range 2 {
		calls(s, t0.Add(time.Duration(w)*week), 50*time.Minute, 100, "")
	}
	d, err := monitor.NewDetector(monitor.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range s.evs {
		d.Observe(ev)
	}
	snap, err := d.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := monitor.NewDetector(monitor.DefaultConfig())
	if err := d2.Restore(snap); err != nil {
		t.Fatal(err)
	}
	s2 := &stream{evs: slices.Clone(s.evs)}
	calls(s2, t0.Add(2*week), 50*time.Minute, 500, "")
	var fired []string
	for _, ev := range s2.evs[len(s.evs):] {
		fired = append(fired, rules(d2.Observe(ev))...)
	}
	if !slices.Equal(fired, []string{monitor.RuleCallFlood}) {
		t.Errorf("after a restore: fired %v", fired)
	}
	if _, err := monitor.ParseConfig([]byte("call_flood: {min_weeks: 9}")); err == nil {
		t.Error("min_weeks above history_weeks accepted")
	}
}
