package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/users"
	"github.com/confide-cc/confide/internal/store"
)

// staffer is a signed-in person (full session with MFA) of the test node.
type staffer struct {
	*person
	id string
}

// staff creates a user with roles and team through the users service,
// enrolls them (password and TOTP over HTTP) and signs them in.
func (e *env) staff(t *testing.T, email string, roles []string, team string) staffer {
	t.Helper()
	u, link, err := e.app.Users.Create(ctxAs(identity.RoleSecurityAdmin), users.NewUser{Email: email, Name: "Staff Member", Roles: roles, Team: team})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	p := e.person("Matrix/1.0 " + email)
	secret := enrollVia(t, p, link.Token, nil)
	e.must(p.do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "amber falcon rivet meadow"}), 200)
	e.must(p.do("POST", "/api/v1/auth/mfa", map[string]string{"code": code(t, secret, 1)}), 200)
	return staffer{person: p, id: u.ID}
}

// liveInteraction records a live call (no end) of customer cid handled by
// agent in queue, as the integration, and returns its id.
func (e *env) liveInteraction(cid, agent, queue string) string {
	e.t.Helper()
	in := callInteraction(cid)
	delete(in, "ended_at")
	in["agent"], in["queue"] = agent, queue
	in["started_at"] = time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	return e.createInteraction(in)
}

// verifyCaller marks interaction id as verified, as caller verification
// does when the caller passes.
func (e *env) verifyCaller(id string) {
	e.t.Helper()
	err := e.app.Store.Update(context.Background(), func(tx store.Tx) error {
		return tx.SetInteractionVerified(context.Background(), id, time.Now())
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// matrixRow is one request and its expected answer: the status and, for a
// refusal, the machine-readable reason in the audit event (and in the
// error message of a 403).
type matrixRow struct {
	who            string // a staffer key, or "token:ROLE" for a service account
	method, path   string
	body           any
	status         int
	reason         string // "" for no check
	ctype, payload string
}

// runMatrix runs rows against e with the given people, checking status,
// reason and that exactly one audit event records each request.
func runMatrix(t *testing.T, e *env, people map[string]staffer, rows []matrixRow) {
	t.Helper()
	for i, row := range rows {
		name := fmt.Sprintf("%03d %s %s %s", i, row.who, row.method, row.path)
		t.Run(name, func(t *testing.T) {
			before := e.auditCount()
			var r resp
			if role, ok := strings.CutPrefix(row.who, "token:"); ok {
				var h []string
				var body any = row.body
				if row.ctype != "" {
					h, body = []string{"Content-Type", row.ctype}, row.payload
				}
				r = e.do(role, row.method, row.path, body, h...)
			} else {
				p, ok := people[row.who]
				if !ok {
					t.Fatalf("no staffer %q", row.who)
				}
				r = p.do(row.method, row.path, row.body)
			}
			if r.Status != row.status {
				t.Fatalf("status %d, want %d: %s", r.Status, row.status, r.Body)
			}
			if n := e.auditCount() - before; n != 1 {
				t.Errorf("%d audit events, want 1", n)
			}
			if row.reason != "" {
				ev := e.lastAudit()
				if ev.Reason != row.reason || ev.Outcome != audit.Denied {
					t.Errorf("audit outcome %s reason %q, want denied %q", ev.Outcome, ev.Reason, row.reason)
				}
				if r.Status == http.StatusForbidden && !strings.Contains(string(r.Body), row.reason) {
					t.Errorf("403 does not name the reason %q: %s", row.reason, r.Body)
				}
			}
		})
	}
}

// TestAccessMatrix is the allow/deny matrix over HTTP with real people
// (sessions with MFA) and service tokens: every role against every
// customer and interaction action, assigned or not, caller verified or
// not, in the team or not, with break-glass. Working hours, networks,
// training and locks are in TestAccessConditions.
func TestAccessMatrix(t *testing.T) {
	e := newEnv(t)
	people := map[string]staffer{}
	for _, s := range []struct {
		key   string
		roles []string
		team  string
	}{
		{"agentA", []string{"agent"}, "support"},
		{"agentB", []string{"agent"}, "support"},
		{"supSupport", []string{"supervisor"}, "support"},
		{"supSales", []string{"supervisor"}, "sales"},
		{"qa", []string{"qa_analyst"}, ""},
		{"privacy", []string{"privacy_officer"}, ""},
		{"secadmin", []string{"security_admin"}, ""},
		{"auditor", []string{"auditor"}, ""},
		{"it", []string{"it_support"}, ""},
	} {
		people[s.key] = e.staff(t, strings.ToLower(s.key)+"@example.com", s.roles, s.team)
	}
	a, b := people["agentA"].id, people["agentB"].id

	// c1: agentA serves it now (support). c2: agentA served it (ended,
	// sales). c3: agentB serves it now, caller verified.
	c1 := e.createCustomer(sampleCustomer())
	c2 := e.createCustomer(sampleCustomer())
	c3 := e.createCustomer(sampleCustomer())
	i1 := e.liveInteraction(c1, a, "support")
	past := callInteraction(c2)
	past["agent"], past["queue"] = a, "sales"
	i2 := e.createInteraction(past)
	i3 := e.liveInteraction(c3, b, "support")
	e.verifyCaller(i3)
	e.must(e.do(identity.RoleIntegration, "PUT", "/api/v1/interactions/"+i1+"/recording", pattern(1000, 7), "Content-Type", "audio/wav"), 201)
	e.must(e.do(identity.RoleIntegration, "PUT", "/api/v1/interactions/"+i2+"/recording", pattern(1000, 7), "Content-Type", "audio/wav"), 201)

	reveal := func(fields ...string) map[string]any {
		return map[string]any{"fields": fields, "reason": "caller asked to confirm their details", "case_id": "CASE-42"}
	}
	patch := map[string]any{"attributes": map[string]string{"tier": "silver"}}
	cust := func(id string) string { return "/api/v1/customers/" + id }
	inter := func(id string) string { return "/api/v1/interactions/" + id }
	const (
		ok   = 200
		nf   = 404
		no   = 403
		made = 201
	)
	var rows []matrixRow
	add := func(r ...matrixRow) { rows = append(rows, r...) }

	// Assigned agent, caller not yet verified: masked data only.
	add(
		matrixRow{who: "agentA", method: "GET", path: cust(c1), status: ok},
		matrixRow{who: "agentA", method: "GET", path: cust(c1) + "/interactions", status: ok},
		matrixRow{who: "agentA", method: "GET", path: inter(i1), status: ok},
		matrixRow{who: "agentA", method: "GET", path: inter(i1) + "/recording", status: ok},
		matrixRow{who: "agentA", method: "POST", path: cust(c1) + "/reveal", body: reveal("phones"), status: no, reason: "caller_not_verified"},
		matrixRow{who: "agentA", method: "PATCH", path: cust(c1), body: patch, status: no, reason: "caller_not_verified"},
		matrixRow{who: "agentA", method: "DELETE", path: cust(c1), status: no, reason: "role_not_permitted"},
		matrixRow{who: "agentA", method: "GET", path: inter(i1) + "/recording/original", status: no, reason: "role_not_permitted"},
		// Finding the caller and creating a profile need no assignment.
		matrixRow{who: "agentA", method: "GET", path: "/api/v1/customers?phone=%2B14155550134", status: ok},
		matrixRow{who: "agentA", method: "POST", path: "/api/v1/customers", body: sampleCustomer(), status: made},
		matrixRow{who: "agentA", method: "POST", path: "/api/v1/interactions", body: callInteraction(c1), status: no, reason: "role_not_permitted"},
		// A customer the agent served before, or someone else's: not found.
		matrixRow{who: "agentA", method: "GET", path: cust(c2), status: nf, reason: "not_assigned"},
		matrixRow{who: "agentA", method: "GET", path: cust(c2) + "/interactions", status: nf, reason: "not_assigned"},
		matrixRow{who: "agentA", method: "GET", path: inter(i2), status: nf, reason: "not_assigned"},
		matrixRow{who: "agentA", method: "GET", path: inter(i2) + "/recording", status: nf, reason: "not_assigned"},
		matrixRow{who: "agentA", method: "POST", path: cust(c2) + "/reveal", body: reveal("name"), status: nf, reason: "not_assigned"},
		matrixRow{who: "agentA", method: "PATCH", path: cust(c2), body: patch, status: nf, reason: "not_assigned"},
		matrixRow{who: "agentA", method: "GET", path: cust(c3), status: nf, reason: "not_assigned"},
		matrixRow{who: "agentA", method: "GET", path: inter(i3), status: nf, reason: "not_assigned"},
		matrixRow{who: "agentB", method: "GET", path: cust(c1), status: nf, reason: "not_assigned"},
		matrixRow{who: "agentB", method: "GET", path: inter(i1), status: nf, reason: "not_assigned"},
		matrixRow{who: "agentB", method: "GET", path: inter(i1) + "/recording", status: nf, reason: "not_assigned"},
		matrixRow{who: "agentB", method: "POST", path: cust(c1) + "/reveal", body: reveal("name"), status: nf, reason: "not_assigned"},
		// Assigned with a verified caller: reveal within the agent's fields.
		matrixRow{who: "agentB", method: "GET", path: cust(c3), status: ok},
		matrixRow{who: "agentB", method: "POST", path: cust(c3) + "/reveal", body: reveal("phones", "date_of_birth"), status: ok},
		matrixRow{who: "agentB", method: "POST", path: cust(c3) + "/reveal", body: reveal("account_numbers"), status: no, reason: "field_not_permitted"},
		matrixRow{who: "agentB", method: "POST", path: cust(c3) + "/reveal", body: reveal("name", "attributes"), status: no, reason: "field_not_permitted"},
		matrixRow{who: "agentB", method: "PATCH", path: cust(c3), body: patch, status: ok},
		matrixRow{who: "agentB", method: "GET", path: inter(i3), status: ok},
		matrixRow{who: "agentB", method: "POST", path: cust(c3) + "/reveal", body: map[string]any{"fields": []string{"name"}}, status: 400},
		matrixRow{who: "agentB", method: "POST", path: cust(c3) + "/reveal", body: map[string]any{"fields": []string{"name"}, "reason": "x", "case_id": "bad id"}, status: 400},

		// Supervisors: their team's customers and interactions.
		matrixRow{who: "supSupport", method: "GET", path: cust(c1), status: ok},
		matrixRow{who: "supSupport", method: "GET", path: inter(i1), status: ok},
		matrixRow{who: "supSupport", method: "GET", path: inter(i1) + "/recording", status: ok},
		matrixRow{who: "supSupport", method: "GET", path: cust(c1) + "/interactions", status: ok},
		matrixRow{who: "supSupport", method: "POST", path: cust(c1) + "/reveal", body: reveal("account_numbers"), status: ok},
		matrixRow{who: "supSupport", method: "POST", path: cust(c1) + "/reveal", body: reveal("attributes"), status: no, reason: "field_not_permitted"},
		matrixRow{who: "supSupport", method: "PATCH", path: cust(c1), body: patch, status: ok},
		matrixRow{who: "supSupport", method: "GET", path: cust(c2), status: nf, reason: "not_in_team"},
		matrixRow{who: "supSupport", method: "GET", path: inter(i2), status: nf, reason: "not_in_team"},
		matrixRow{who: "supSupport", method: "DELETE", path: cust(c1), status: no, reason: "role_not_permitted"},
		matrixRow{who: "supSales", method: "GET", path: cust(c2), status: ok},
		matrixRow{who: "supSales", method: "GET", path: inter(i2) + "/recording", status: ok},
		matrixRow{who: "supSales", method: "GET", path: cust(c1), status: nf, reason: "not_in_team"},
		matrixRow{who: "supSales", method: "GET", path: inter(i1), status: nf, reason: "not_in_team"},
		matrixRow{who: "supSales", method: "POST", path: cust(c1) + "/reveal", body: reveal("name"), status: nf, reason: "not_in_team"},

		// QA: redacted content and masked profiles, never a reveal.
		matrixRow{who: "qa", method: "GET", path: cust(c1), status: ok},
		matrixRow{who: "qa", method: "GET", path: inter(i2), status: ok},
		matrixRow{who: "qa", method: "GET", path: inter(i2) + "/recording", status: ok},
		matrixRow{who: "qa", method: "GET", path: cust(c2) + "/interactions", status: ok},
		matrixRow{who: "qa", method: "POST", path: cust(c1) + "/reveal", body: reveal("name"), status: no, reason: "role_not_permitted"},
		matrixRow{who: "qa", method: "PATCH", path: cust(c1), body: patch, status: no, reason: "role_not_permitted"},
		matrixRow{who: "qa", method: "GET", path: inter(i1) + "/recording/original", status: no, reason: "role_not_permitted"},
		matrixRow{who: "qa", method: "GET", path: "/api/v1/customers?phone=%2B14155550134", status: no, reason: "role_not_permitted"},

		// Privacy officer: profiles and reveals, no interaction content.
		matrixRow{who: "privacy", method: "GET", path: cust(c2), status: ok},
		matrixRow{who: "privacy", method: "POST", path: cust(c2) + "/reveal", body: reveal("attributes", "account_numbers"), status: ok},
		matrixRow{who: "privacy", method: "GET", path: cust(c2) + "/interactions", status: ok},
		matrixRow{who: "privacy", method: "GET", path: inter(i2), status: nf, reason: "role_not_permitted"},
		matrixRow{who: "privacy", method: "GET", path: inter(i2) + "/recording", status: nf, reason: "role_not_permitted"},
		matrixRow{who: "privacy", method: "GET", path: "/api/v1/customers?email=jane.smith%40example.com", status: ok},
		matrixRow{who: "privacy", method: "POST", path: "/api/v1/customers", body: sampleCustomer(), status: no, reason: "role_not_permitted"},

		// Security admin, auditor, IT support: no customer data at all.
		matrixRow{who: "secadmin", method: "GET", path: cust(c1), status: nf, reason: "role_not_permitted"},
		matrixRow{who: "secadmin", method: "GET", path: inter(i1), status: nf, reason: "role_not_permitted"},
		matrixRow{who: "secadmin", method: "POST", path: cust(c1) + "/reveal", body: reveal("name"), status: nf, reason: "role_not_permitted"},
		matrixRow{who: "secadmin", method: "GET", path: "/api/v1/customers?phone=%2B14155550134", status: no, reason: "role_not_permitted"},
		matrixRow{who: "secadmin", method: "GET", path: "/api/v1/users", status: ok},
		matrixRow{who: "secadmin", method: "GET", path: "/api/v1/tokens", status: ok},
		matrixRow{who: "secadmin", method: "GET", path: "/api/v1/audit/checkpoint", status: no, reason: "role_not_permitted"},
		matrixRow{who: "auditor", method: "GET", path: cust(c1), status: nf, reason: "role_not_permitted"},
		matrixRow{who: "auditor", method: "GET", path: inter(i1) + "/recording", status: nf, reason: "role_not_permitted"},
		matrixRow{who: "auditor", method: "PATCH", path: cust(c1), body: patch, status: nf, reason: "role_not_permitted"},
		matrixRow{who: "auditor", method: "GET", path: "/api/v1/audit/checkpoint", status: ok},
		matrixRow{who: "auditor", method: "GET", path: "/api/v1/audit/events", status: ok},
		matrixRow{who: "auditor", method: "GET", path: "/api/v1/users", status: no},
		matrixRow{who: "auditor", method: "POST", path: "/api/v1/tokens", body: map[string]any{"name": "x", "role": "integration"}, status: no},
		matrixRow{who: "it", method: "GET", path: cust(c1), status: nf, reason: "role_not_permitted"},
		matrixRow{who: "it", method: "GET", path: inter(i1), status: nf, reason: "role_not_permitted"},
		matrixRow{who: "it", method: "GET", path: "/api/v1/customers?phone=%2B14155550134", status: no, reason: "role_not_permitted"},
		matrixRow{who: "it", method: "GET", path: "/api/v1/audit/events", status: no, reason: "role_not_permitted"},
		matrixRow{who: "it", method: "GET", path: "/api/v1/auth/session", status: ok},

		// Integration (service token): not interaction-scoped.
		matrixRow{who: "token:integration", method: "GET", path: cust(c2), status: ok},
		matrixRow{who: "token:integration", method: "PATCH", path: cust(c2), body: patch, status: ok},
		matrixRow{who: "token:integration", method: "POST", path: cust(c2) + "/reveal", body: reveal("name"), status: no, reason: "role_not_permitted"},
		matrixRow{who: "token:integration", method: "GET", path: inter(i2), status: nf, reason: "role_not_permitted"},
		matrixRow{who: "token:integration", method: "GET", path: inter(i2) + "/recording", status: nf, reason: "role_not_permitted"},
		matrixRow{who: "token:integration", method: "DELETE", path: cust(c2), status: no, reason: "role_not_permitted"},
	)
	runMatrix(t, e, people, rows)

	// Search: an agent finds every customer with the caller's number (to
	// start an interaction), but sees the masked profile only of the one
	// they serve; the others are ids.
	var found struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	people["agentA"].do("GET", "/api/v1/customers?phone=%2B14155550134", nil).json(t, &found)
	seen := map[string]string{}
	for _, c := range found.Items {
		seen[c.ID] = c.Name
	}
	if _, ok := seen[c3]; !ok || seen[c1] == "" || seen[c3] != "" || len(found.Items) < 3 {
		t.Errorf("agent search results: %+v", found)
	}

	// The reveal's reason and case id are in the audit event.
	var logged bool
	for _, ev := range e.auditEventsOf("customer.reveal") {
		if ev.Outcome == audit.Success && ev.Details["case_id"] == "CASE-42" && ev.Details["reason"] != nil && ev.ActorID == b {
			logged = true
		}
	}
	if !logged {
		t.Error("no successful reveal event with reason and case id")
	}

	// The interaction ends: the agent's access ends with it.
	e.must(e.do(identity.RoleIntegration, "POST", inter(i3)+"/end", map[string]any{}), 200)
	runMatrix(t, e, people, []matrixRow{
		{who: "agentB", method: "GET", path: cust(c3), status: nf, reason: "not_assigned"},
		{who: "agentB", method: "POST", path: cust(c3) + "/reveal", body: reveal("name"), status: nf, reason: "not_assigned"},
		{who: "agentB", method: "GET", path: inter(i3), status: nf, reason: "not_assigned"},
		{who: "supSupport", method: "GET", path: inter(i3), status: ok},
	})

	// Break-glass: agentB, not assigned to c1, elevates with a reason and
	// reads and reveals within the agent's fields; never more fields.
	e.must(people["agentB"].do("POST", "/api/v1/auth/break-glass", map[string]any{"reason": "customer in distress, supervisor unreachable"}), 201)
	runMatrix(t, e, people, []matrixRow{
		{who: "agentB", method: "GET", path: cust(c1), status: ok},
		{who: "agentB", method: "POST", path: cust(c1) + "/reveal", body: reveal("phones"), status: ok},
		{who: "agentB", method: "POST", path: cust(c1) + "/reveal", body: reveal("account_numbers"), status: no, reason: "field_not_permitted"},
		{who: "agentB", method: "PATCH", path: cust(c1), body: patch, status: no, reason: "not_assigned"},
		{who: "agentB", method: "DELETE", path: cust(c1), status: no, reason: "role_not_permitted"},
		{who: "agentA", method: "GET", path: cust(c2), status: nf, reason: "not_assigned"},
	})

	// Ending an interaction: only its own agent (or the integration).
	// agentB still holds the elevation: they may see i1, not end it.
	runMatrix(t, e, people, []matrixRow{
		{who: "agentB", method: "POST", path: inter(i1) + "/end", body: map[string]any{}, status: no, reason: "not_assigned"},
		{who: "supSupport", method: "POST", path: inter(i1) + "/end", body: map[string]any{}, status: no, reason: "role_not_permitted"},
		{who: "qa", method: "POST", path: inter(i1) + "/end", body: map[string]any{}, status: no, reason: "role_not_permitted"},
		{who: "agentA", method: "POST", path: inter(i1) + "/end", body: map[string]any{}, status: ok},
		{who: "agentA", method: "GET", path: cust(c1), status: nf, reason: "not_assigned"},
		{who: "agentA", method: "POST", path: inter(i1) + "/end", body: map[string]any{}, status: nf, reason: "interaction_ended"},
	})

	// Privacy officer erases: the last row, it destroys c2.
	runMatrix(t, e, people, []matrixRow{
		{who: "privacy", method: "DELETE", path: cust(c2), status: ok},
		{who: "privacy", method: "GET", path: cust(c2), status: nf},
	})
}
