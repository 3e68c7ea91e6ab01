package monitor_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/monitor"
)

// TestBulkAccessTeamBaseline checks that bulk_access weighs a person's
// hour against their team's: a new agent (no history of their own) over
// the cap alerts, unless their whole team routinely reads that many
// customers an hour; far above the team it alerts again.
func TestBulkAccessTeamBaseline(t *testing.T) {
	var seq int64
	add := func(evs *[]monitor.Event, at time.Time, actor, team string, customer int) {
		seq++
		*evs = append(*evs, monitor.Event{Seq: seq, Event: audit.Event{Action: "customer.read", Time: at, ActorID: actor,
			ActorKind: "human", Roles: []string{"agent"}, Team: team, Resource: fmt.Sprintf("customer/c%d-%d", seq, customer),
			Outcome: audit.Success, Origin: "10.0.0.1"}})
	}
	// busyTeam: 10 colleagues reading 62–70 customers an hour for 12 hours.
	busyTeam := func(team string) []monitor.Event {
		var evs []monitor.Event
		for h := range 12 {
			for a := range 10 {
				n := 62 + (a+h)%9
				for i := range n {
					add(&evs, t0.Add(time.Duration(h)*time.Hour+time.Duration(i)*50*time.Second), fmt.Sprintf("usr_%s%d", team, a), team, i)
				}
			}
		}
		return evs
	}
	newcomer := func(team string, n int) []monitor.Event {
		var evs []monitor.Event
		for i := range n {
			add(&evs, t0.Add(13*time.Hour+time.Duration(i)*20*time.Second), "usr_new", team, i)
		}
		return evs
	}
	tests := []struct {
		name string
		evs  []monitor.Event
		want []string
	}{
		{"newcomer at 75 an hour, no team", newcomer("", 75), []string{monitor.RuleBulkAccess}},
		{"newcomer at 75 an hour in a team that reads 62-70", append(busyTeam("billing"), newcomer("billing", 75)...), nil},
		{"newcomer at 150 an hour in that team", append(busyTeam("billing"), newcomer("billing", 150)...), []string{monitor.RuleBulkAccess}},
		{"newcomer at 75 an hour in another team", append(busyTeam("billing"), newcomer("fraud", 75)...), []string{monitor.RuleBulkAccess}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := monitor.NewDetector(monitor.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			var fired []string
			for _, ev := range tc.evs {
				for _, f := range d.Observe(ev) {
					if f.ActorID == "usr_new" && f.Rule == monitor.RuleBulkAccess {
						fired = append(fired, f.Rule)
					}
				}
			}
			fired = slices.Compact(fired)
			if !slices.Equal(fired, tc.want) {
				t.Errorf("the newcomer fired %v, want %v", fired, tc.want)
			}
		})
	}
}
