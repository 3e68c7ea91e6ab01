package monitor_test

import (
	"strings"
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
	f.Add([]byte("impossible_travel: {sites: [{cidr: 10.1.0.0/16, name: hq, country: fr, lat: 48.8, lon: 2.3}, {cidr: 'fd00::/8', name: v6, country: PT, lat: -1e-3, lon: 179.9}], max_speed_kmh: 800, window: 1h}"))
	f.Add([]byte("impossible_travel: {geoip_db: /nonexistent.mmdb, concurrent_countries: false, service_accounts: true}"))
	f.Add([]byte("account_takeover: {distinct_actors: 0, window: 48h, cooldown: 0s}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := monitor.ParseConfig(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "monitor: ") {
				t.Fatalf("error without the monitor prefix: %v", err)
			}
			return
		}
		if _, err := monitor.NewDetector(cfg); err != nil {
			// The GeoIP database is only opened by NewDetector.
			if cfg.Travel.GeoIPDB != "" && strings.Contains(err.Error(), "geoip_db") {
				return
			}
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
	f.Add([]byte(`{"action":"interaction.create","outcome":"success","actor_id":"usr_1","actor_kind":"human","origin":"2001:db8:1::1"}`))
	f.Add([]byte(`{"action":"customer.read","outcome":"success","actor_id":"usr_1","origin":"[::ffff:198.51.100.7]:443"}`))
	f.Add([]byte(`{"action":"verification.takeover_signal","outcome":"success","actor_id":"usr_1","resource":"customer/c1","details":{"failures":1e308,"window_seconds":-1}}`))
	f.Add([]byte(`{"action":"verification.check","outcome":"failure","actor_id":"usr_2","details":{"customer_id":"c1"}}`))
	cfg := travelConfig(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := monitor.NewDetector(cfg)
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
