package monitor_test

import (
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/monitor"
	"github.com/confide-cc/confide/internal/store"
)

// FuzzParseConfig checks that any rule file is either accepted with valid
// values or refused with an error, never a panic.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("bulk_access: {cap: 100}\noff_hours: {schedules: {agent: {days: [mon], start: \"22:00\", end: \"06:00\"}}}"))
	f.Add([]byte("api_flood: {exempt: [10.0.0.0/8], window: 1m}"))
	f.Add([]byte("honey: {customers: [x]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := monitor.ParseConfig(data)
		if err != nil {
			return
		}
		if _, err := monitor.NewDetector(cfg); err != nil {
			t.Fatalf("accepted configuration rejected by NewDetector: %v", err)
		}
	})
}

// FuzzObserve feeds arbitrary stored records to a detector: they are
// parsed or refused, and observing never panics.
func FuzzObserve(f *testing.F) {
	f.Add([]byte(`{"code":"CF-2002","action":"customer.read","time":"2026-11-18T10:00:00Z","actor_id":"u","roles":["agent"],"resource":"customer/c1","outcome":"success","origin":"10.0.0.1"}`))
	f.Add([]byte(`{"action":"customer.search","outcome":"success","actor_id":"u","details":{"customer_ids":["a",1,null]}}`))
	f.Add([]byte(`{"action":"recording.play","outcome":"success","actor_id":"u","details":{"attachment_id":7}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := monitor.NewDetector(monitor.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		for seq := int64(1); seq <= 3; seq++ {
			ev, err := monitor.ParseEvent(store.AuditRecord{Seq: seq, Time: time.Unix(1e9, 0), Body: body})
			if err != nil {
				return
			}
			d.Observe(ev)
		}
		if _, err := d.Snapshot(); err != nil {
			t.Fatal(err)
		}
	})
}
