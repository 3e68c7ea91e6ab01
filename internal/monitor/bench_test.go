package monitor_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/tokens"
	"github.com/confide-cc/confide/internal/monitor"
	"github.com/confide-cc/confide/internal/monitor/scenario"
	"github.com/confide-cc/confide/internal/store"
)

// BenchmarkEngineThroughput measures what the engine does per audit
// record once read: decode the stored event and run every rule. The
// records are one simulated week of the reference scenario, with its site
// table and GeoIP database; travel=off disables impossible_travel, so the
// two sub-benchmarks of one run give the rule's cost. events/cpu-s divides
// by the process's CPU time, which a busy machine disturbs less than
// events/s (wall time); run it with GOMAXPROCS=1.
func BenchmarkEngineThroughput(b *testing.B) {
	opt := scenario.Defaults
	opt.Weeks, opt.AttacksPerClass = 1, 5
	sc := scenario.Generate(opt)
	recs := make([]store.AuditRecord, len(sc.Events))
	for i, ev := range sc.Events {
		body, err := json.Marshal(ev.Event)
		if err != nil {
			b.Fatal(err)
		}
		recs[i] = store.AuditRecord{Seq: ev.Seq, Time: ev.Time, Body: body}
	}
	cfg, err := scenario.Rules(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	for _, travel := range []bool{false, true} {
		name := "travel=off"
		if travel {
			name = "travel=on"
		}
		b.Run(name, func(b *testing.B) {
			cfg := cfg
			cfg.Travel.Disabled = !travel
			d, err := monitor.NewDetector(cfg) // opens the GeoIP database once
			if err != nil {
				b.Fatal(err)
			}
			n, cpu0 := 0, cpuTime()
			for b.Loop() {
				if err := d.Restore(nil); err != nil {
					b.Fatal(err)
				}
				for _, r := range recs {
					ev, err := monitor.ParseEvent(r)
					if err != nil {
						b.Fatal(err)
					}
					d.Observe(ev)
				}
				n += len(recs)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(n)/cpu.Seconds(), "events/cpu-s")
			}
		})
	}
}

// BenchmarkAlertLatency measures, on SQLite with the production poll
// interval, the time from a triggering event's commit to its stored alert
// (event→alert) and from the alert to the actor's token being revoked
// (alert→contained), under background traffic; it reports the p95 of each.
func BenchmarkAlertLatency(b *testing.B) {
	st := openStore(b)
	ctx := context.Background()
	toks := tokens.New(st)
	var mu sync.Mutex
	raised := map[string]time.Time{} // actor → alert creation time
	var contain []time.Duration
	cfg := monitor.DefaultConfig()
	cfg.Honey.Customers = []string{"honey"}
	cfg.Honey.Cooldown = 0
	startEngine(b, st, monitor.EngineOptions{Rules: cfg, PollInterval: 250 * time.Millisecond,
		Containment: monitor.TokenContainment{Tokens: toks},
		OnAlert: func(a store.Alert) {
			mu.Lock()
			defer mu.Unlock()
			raised[a.ActorID] = a.CreatedAt
			contain = append(contain, time.Since(a.CreatedAt))
		}})
	stop := make(chan struct{})
	go func() { // background traffic: 200 reads/s by ordinary agents
		bg := as(ctx, "usr_bg", identity.KindHuman, identity.RoleAgent, "10.0.0.2")
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			_ = st.Update(bg, func(tx store.Tx) error {
				return audit.Append(bg, tx, audit.NewEvent(bg, "customer.read", "customer/bg", audit.Success))
			})
		}
	}()
	defer close(stop)
	admin := as(ctx, "system:bench", identity.KindSystem, "", "")
	var lat []time.Duration
	for b.Loop() {
		_, tok, err := toks.Create(admin, "bench", identity.RoleIntegration)
		if err != nil {
			b.Fatal(err)
		}
		thief := as(ctx, tok.ID, identity.KindService, identity.RoleIntegration, "192.0.2.1")
		appendEvent(b, st, thief, "customer.read", "customer/honey", audit.Success)
		committed := time.Now()
		waitFor(b, "alert", func() bool { mu.Lock(); defer mu.Unlock(); _, ok := raised[tok.ID]; return ok })
		mu.Lock()
		lat = append(lat, raised[tok.ID].Sub(committed))
		mu.Unlock()
	}
	mu.Lock()
	defer mu.Unlock()
	b.ReportMetric(p95(lat).Seconds()*1000, "p95-event-to-alert-ms")
	b.ReportMetric(p95(contain).Seconds()*1000, "p95-alert-to-contained-ms")
}

func p95(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)*95+99)/100-1]
}
