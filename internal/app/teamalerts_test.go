package app_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// TestSupervisorSeesTeamAlerts stores alerts about people of two teams and
// a service account, and checks who lists which: a security admin all of
// them, a supervisor those about their own team, a supervisor without a
// team and an agent nothing (403, audited).
func TestSupervisorSeesTeamAlerts(t *testing.T) {
	e := newEnv(t)
	billingAgent := e.staff(t, "bill.agent@bank.example", []string{identity.RoleAgent}, "billing")
	fraudAgent := e.staff(t, "fraud.agent@bank.example", []string{identity.RoleAgent}, "fraud")
	supervisor := e.staff(t, "bill.lead@bank.example", []string{identity.RoleSupervisor}, "billing")
	teamless := e.staff(t, "floater@bank.example", []string{identity.RoleSupervisor}, "")
	ids := map[string]string{}
	err := e.app.Store.Update(context.Background(), func(tx store.Tx) error {
		for i, actor := range []string{billingAgent.id, fraudAgent.id, "tok_0123456789abcdef"} {
			a := store.Alert{ID: "0194f1d2-8a43-7c2e-9b3a-2f6d1c0e5a7" + string(rune('0'+i)), DedupKey: actor, Rule: "bulk_access",
				Severity: "high", ActorID: actor, Summary: "test", Evidence: []int64{1}, Status: "open", CreatedAt: time.Now().UTC()}
			if _, err := tx.InsertAlert(context.Background(), a); err != nil {
				return err
			}
			ids[actor] = a.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	actors := func(r resp) []string {
		var page struct {
			Items []struct {
				ActorID string `json:"actor_id"`
			}
		}
		r.json(t, &page)
		var out []string
		for _, a := range page.Items {
			out = append(out, a.ActorID)
		}
		slices.Sort(out)
		return out
	}
	all := []string{billingAgent.id, fraudAgent.id, "tok_0123456789abcdef"}
	slices.Sort(all)
	if got := actors(e.must(e.do(identity.RoleSecurityAdmin, "GET", "/api/v1/alerts", nil), 200)); !slices.Equal(got, all) {
		t.Errorf("security admin sees %v, want %v", got, all)
	}
	if got := actors(e.must(supervisor.do("GET", "/api/v1/alerts", nil), 200)); !slices.Equal(got, []string{billingAgent.id}) {
		t.Errorf("billing supervisor sees %v, want only the billing agent's alert", got)
	}
	if ev := e.lastAudit(); ev.Action != "alert.list" || ev.Details["team"] != "billing" || ev.Details["results"] != float64(1) {
		t.Errorf("audit %+v", ev)
	}
	for name, p := range map[string]staffer{"supervisor without a team": teamless, "agent": billingAgent} {
		r := e.must(p.do("GET", "/api/v1/alerts", nil), 403)
		if ev := e.lastAudit(); ev.Action != "alert.list" || ev.Outcome != "denied" || ev.Reason == "" {
			t.Errorf("%s: %s, audit %+v", name, r.Body, ev)
		}
	}
	// Acknowledging stays with security admins.
	e.must(supervisor.do("POST", "/api/v1/alerts/"+ids[billingAgent.id]+"/ack", map[string]string{"reason": "spoke to the agent about it"}), 403)
}
