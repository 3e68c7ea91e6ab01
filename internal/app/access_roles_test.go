package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/identity"
)

// TestAccessMatrixByRole is the systematic part of the matrix: every role
// (people with MFA sessions, and the integration's service token) × every
// customer and interaction action × three relations to the customer — the
// person is the agent of a live interaction whose caller is verified (V),
// of a live one whose caller is not (U), or only of an ended interaction in
// another team (X). Supervisors are in team "support", the team of V and U.
// The expectations are written out, not derived from the policies.
func TestAccessMatrixByRole(t *testing.T) {
	e := newEnv(t)
	type action struct {
		name   string
		method string
		path   func(c, i string) string
		body   any
	}
	reveal := map[string]any{"fields": []string{"name"}, "reason": "confirming the caller's name"}
	actions := []action{
		{"read", "GET", func(c, _ string) string { return "/api/v1/customers/" + c }, nil},
		{"list", "GET", func(c, _ string) string { return "/api/v1/customers/" + c + "/interactions" }, nil},
		{"interaction", "GET", func(_, i string) string { return "/api/v1/interactions/" + i }, nil},
		{"play", "GET", func(_, i string) string { return "/api/v1/interactions/" + i + "/recording" }, nil},
		{"reveal", "POST", func(c, _ string) string { return "/api/v1/customers/" + c + "/reveal" }, reveal},
		{"update", "PATCH", func(c, _ string) string { return "/api/v1/customers/" + c }, map[string]any{"attributes": map[string]string{"tier": "silver"}}},
	}
	// role -> action -> statuses for V, U, X.
	want := map[string]map[string]string{
		identity.RoleAgent: {"read": "200 200 404", "list": "200 200 404", "interaction": "200 200 404", "play": "200 200 404",
			"reveal": "200 403 404", "update": "200 403 404"},
		identity.RoleSupervisor: {"read": "200 200 404", "list": "200 200 404", "interaction": "200 200 404", "play": "200 200 404",
			"reveal": "200 200 404", "update": "200 200 404"},
		identity.RoleQAAnalyst: {"read": "200 200 200", "list": "200 200 200", "interaction": "200 200 200", "play": "200 200 200",
			"reveal": "403 403 403", "update": "403 403 403"},
		identity.RolePrivacyOfficer: {"read": "200 200 200", "list": "200 200 200", "interaction": "404 404 404", "play": "404 404 404",
			"reveal": "200 200 200", "update": "200 200 200"},
		identity.RoleSecurityAdmin: {"read": "404 404 404", "list": "404 404 404", "interaction": "404 404 404", "play": "404 404 404",
			"reveal": "404 404 404", "update": "404 404 404"},
		identity.RoleAuditor: {"read": "404 404 404", "list": "404 404 404", "interaction": "404 404 404", "play": "404 404 404",
			"reveal": "404 404 404", "update": "404 404 404"},
		identity.RoleITSupport: {"read": "404 404 404", "list": "404 404 404", "interaction": "404 404 404", "play": "404 404 404",
			"reveal": "404 404 404", "update": "404 404 404"},
		identity.RoleIntegration: {"read": "200 200 200", "list": "200 200 200", "interaction": "404 404 404", "play": "404 404 404",
			"reveal": "403 403 403", "update": "200 200 200"},
	}
	people := map[string]staffer{}
	var rows []matrixRow
	for _, role := range identity.Roles {
		who, agentID := "token:"+role, "tok-integration"
		if role != identity.RoleIntegration {
			people[role] = e.staff(t, strings.ReplaceAll(role, "_", ".")+"@example.com", []string{role}, "support")
			who, agentID = role, people[role].id
		}
		type target struct{ c, i string }
		var targets [3]target
		for k, state := range []string{"V", "U", "X"} {
			c := e.createCustomer(sampleCustomer())
			var i string
			if state == "X" {
				in := callInteraction(c)
				in["agent"], in["queue"] = agentID, "sales"
				i = e.createInteraction(in)
			} else {
				i = e.liveInteraction(c, agentID, "support")
			}
			if state == "V" {
				e.verifyCaller(i)
			}
			e.must(e.do(identity.RoleIntegration, "PUT", "/api/v1/interactions/"+i+"/recording", pattern(800, 3), "Content-Type", "audio/wav"), 201)
			targets[k] = target{c, i}
		}
		for _, a := range actions {
			spec, ok := want[role][a.name]
			if !ok {
				t.Fatalf("no expectation for %s %s", role, a.name)
			}
			statuses := strings.Fields(spec)
			for k := range targets {
				var status int
				fmt.Sscan(statuses[k], &status)
				rows = append(rows, matrixRow{who: who, method: a.method, path: a.path(targets[k].c, targets[k].i), body: a.body, status: status})
			}
		}
	}
	if len(rows) != len(identity.Roles)*len(actions)*3 {
		t.Fatalf("%d rows", len(rows))
	}
	runMatrix(t, e, people, rows)
}
