package api_test

import (
	"context"

	"github.com/confide-cc/confide/internal/identity"
)

// exerciseVerification drives caller verification and the end of an
// interaction through success and failure (part of
// TestOpenAPIAgainstServer). No SMS gateway or SMTP server is configured
// here; internal/app tests deliver real codes.
func (s *server) exerciseVerification() {
	t := s.t
	const (
		integration = identity.RoleIntegration
		agent       = identity.RoleAgent
		supervisor  = identity.RoleSupervisor
		qa          = identity.RoleQAAnalyst
	)
	// The exercise of the alerts revoked the shared supervisor token: use
	// fresh ones, and an agent the interaction is assigned to.
	admin := identity.WithPrincipal(context.Background(), identity.Principal{ID: "test:setup", Kind: identity.KindSystem, Roles: []string{identity.RoleSecurityAdmin}})
	sup, _, err := s.app.Tokens.Create(admin, "openapi-verify-supervisor", supervisor)
	if err != nil {
		t.Fatal(err)
	}
	s.tokens["verify_supervisor"] = sup
	assignedSecret, assigned, err := s.app.Tokens.Create(admin, "openapi-verify-agent", agent)
	if err != nil {
		t.Fatal(err)
	}
	s.tokens["verify_agent"] = assignedSecret

	var created struct{ ID string }
	s.do(201, integration, "POST", "/api/v1/customers", sampleProfile()).decode(t, &created)
	live := callInteraction(created.ID)
	delete(live, "ended_at")
	live["agent"] = assigned.ID
	s.do(201, integration, "POST", "/api/v1/interactions", live).decode(t, &created)
	base := "/api/v1/interactions/" + created.ID

	kba := map[string]any{"method": "kba", "answers": map[string]string{"date_of_birth": "1984/07/28", "postcode": "627 01"}}
	var v struct{ ID, Status, Result string }
	s.do(201, "verify_supervisor", "POST", base+"/verification", kba).decode(t, &v)
	if v.Result != "passed" || v.Status != "passed" {
		t.Errorf("kba with the right answers: %+v", v)
	}
	s.do(201, "verify_supervisor", "POST", base+"/verification", map[string]any{"method": "kba", "answers": map[string]string{"date_of_birth": "1984-07-29", "account_last4": "5678"}}).decode(t, &v)
	if v.Result != "failed" {
		t.Errorf("kba with wrong answers: %+v", v)
	}
	s.do(400, "verify_supervisor", "POST", base+"/verification", map[string]any{"method": "kba", "answers": map[string]string{"postcode": "62701"}})
	s.do(400, "verify_supervisor", "POST", base+"/verification", map[string]any{"method": "fax"})
	s.do(400, "verify_supervisor", "POST", base+"/verification", `{"method":`)
	s.do(415, "verify_supervisor", "POST", base+"/verification", `{}`, "Content-Type", "text/plain")
	s.do(422, "verify_supervisor", "POST", base+"/verification", map[string]any{"method": "sms"})
	s.do(404, agent, "POST", base+"/verification", kba) // not assigned to this agent
	s.do(404, "verify_supervisor", "POST", "/api/v1/interactions/"+unknownID+"/verification", kba)
	s.do(403, qa, "POST", base+"/verification", kba)
	s.do(401, "", "POST", base+"/verification", kba)

	check := base + "/verification/" + v.ID + "/check"
	s.do(404, "verify_supervisor", "POST", check, map[string]string{"code": "123456"}) // a kba verification has no code
	s.do(404, "verify_supervisor", "POST", base+"/verification/"+unknownID+"/check", map[string]string{"code": "123456"})
	s.do(400, "verify_supervisor", "POST", check, map[string]string{"code": "12345"})
	s.do(403, qa, "POST", check, map[string]string{"code": "123456"})
	s.do(401, "", "POST", check, map[string]string{"code": "123456"})

	s.do(403, qa, "POST", base+"/end", nil)
	s.do(404, agent, "POST", base+"/end", nil)
	s.do(404, integration, "POST", "/api/v1/interactions/"+unknownID+"/end", nil)
	s.do(401, "", "POST", base+"/end", nil)
	var ended struct {
		EndedAt    *string `json:"ended_at"`
		VerifiedAt *string `json:"verified_at"`
	}
	s.do(200, "verify_agent", "POST", base+"/end", nil).decode(t, &ended)
	if ended.EndedAt == nil || ended.VerifiedAt == nil {
		t.Errorf("ended interaction: %+v", ended)
	}
	s.do(409, integration, "POST", base+"/end", nil)
	s.do(409, "verify_supervisor", "POST", base+"/verification", kba)
	s.do(409, "verify_supervisor", "POST", base+"/verification/"+unknownID+"/check", map[string]string{"code": "123456"})
}
