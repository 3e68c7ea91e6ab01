package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/identity"
)

// TestAuthorizationMatrix checks the core routes against every role held by
// a service token (not interaction-scoped: see TestAccessMatrix for people):
// reads the role may not make look like "not found", changes are
// forbidden, and every request — allowed or not — leaves exactly one audit
// event.
func TestAuthorizationMatrix(t *testing.T) {
	e := newEnv(t)
	cid := e.createCustomer(sampleCustomer())
	iid := e.createInteraction(callInteraction(cid))
	e.must(e.do(identity.RoleIntegration, "PUT", "/api/v1/interactions/"+iid+"/recording", pattern(1000, 7), "Content-Type", "audio/wav"), 201)

	const (
		ok   = 200
		made = 201
		nf   = 404
		no   = 403
	)
	type route struct {
		name, method, path string
		body               any
		ctype              string
		want               map[string]int // role -> status; missing roles expect other
		other              int
	}
	reveal := map[string]any{"fields": []string{"name"}, "reason": "verification"}
	routes := []route{
		{"create customer", "POST", "/api/v1/customers", sampleCustomer(), "",
			map[string]int{identity.RoleIntegration: made, identity.RoleAgent: made, identity.RoleSupervisor: made}, no},
		{"read customer", "GET", "/api/v1/customers/" + cid, nil, "",
			map[string]int{identity.RoleIntegration: ok, identity.RoleAgent: ok, identity.RoleSupervisor: ok, identity.RoleQAAnalyst: ok, identity.RolePrivacyOfficer: ok}, nf},
		{"search", "GET", "/api/v1/customers?phone=%2B14155550134", nil, "",
			map[string]int{identity.RoleIntegration: ok, identity.RoleAgent: ok, identity.RoleSupervisor: ok, identity.RolePrivacyOfficer: ok}, no},
		{"reveal", "POST", "/api/v1/customers/" + cid + "/reveal", reveal, "",
			map[string]int{identity.RoleAgent: ok, identity.RoleSupervisor: ok, identity.RolePrivacyOfficer: ok, identity.RoleIntegration: no, identity.RoleQAAnalyst: no}, nf},
		{"read interaction", "GET", "/api/v1/interactions/" + iid, nil, "",
			map[string]int{identity.RoleAgent: ok, identity.RoleSupervisor: ok, identity.RoleQAAnalyst: ok}, nf},
		{"list interactions", "GET", "/api/v1/customers/" + cid + "/interactions", nil, "",
			map[string]int{identity.RoleIntegration: ok, identity.RoleAgent: ok, identity.RoleSupervisor: ok, identity.RoleQAAnalyst: ok, identity.RolePrivacyOfficer: ok}, nf},
		{"play recording", "GET", "/api/v1/interactions/" + iid + "/recording", nil, "",
			map[string]int{identity.RoleAgent: ok, identity.RoleSupervisor: ok, identity.RoleQAAnalyst: ok}, nf},
		{"upload recording", "PUT", "/api/v1/interactions/" + iid + "/recording", pattern(10, 8), "audio/wav",
			map[string]int{identity.RoleIntegration: made}, no},
		{"create interaction", "POST", "/api/v1/interactions", callInteraction(cid), "",
			map[string]int{identity.RoleIntegration: made}, no},
		{"list tokens", "GET", "/api/v1/tokens", nil, "",
			map[string]int{identity.RoleSecurityAdmin: ok}, no},
		{"create token", "POST", "/api/v1/tokens", map[string]any{"name": "crm", "role": "integration"}, "",
			map[string]int{identity.RoleSecurityAdmin: made}, no},
	}
	for _, rt := range routes {
		for _, role := range identity.Roles {
			want, ok := rt.want[role]
			if !ok {
				want = rt.other
			}
			t.Run(fmt.Sprintf("%s/%s", rt.name, role), func(t *testing.T) {
				before := e.auditCount()
				var h []string
				if rt.ctype != "" {
					h = []string{"Content-Type", rt.ctype}
				}
				r := e.do(role, rt.method, rt.path, rt.body, h...)
				if r.Status != want {
					t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
				}
				if got := e.auditCount() - before; got != 1 {
					t.Errorf("%d audit events, want 1", got)
				}
			})
		}
	}
}

func TestUnauthenticatedRequests(t *testing.T) {
	e := newEnv(t)
	cid := e.createCustomer(sampleCustomer())
	for _, tc := range []struct{ name, token string }{
		{"no token", ""},
		{"unknown token", "cft_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"not our format", "hunter2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.auditCount()
			r := e.do(tc.token, "GET", "/api/v1/customers/"+cid, nil)
			if r.Status != 401 || r.Header.Get("WWW-Authenticate") == "" {
				t.Fatalf("status %d", r.Status)
			}
			if e.auditCount()-before != 1 || e.lastAudit().Action != "request.denied" {
				t.Errorf("refusal not audited")
			}
		})
	}
	// A revoked token stops working at once.
	var tok struct{ ID, Token string }
	e.must(e.do(identity.RoleSecurityAdmin, "POST", "/api/v1/tokens", map[string]any{"name": "short-lived", "role": "agent"}), 201).json(t, &tok)
	e.must(e.do(tok.Token, "GET", "/api/v1/customers/"+cid, nil), 200)
	e.must(e.do(identity.RoleSecurityAdmin, "DELETE", "/api/v1/tokens/"+tok.ID, nil), 204)
	e.must(e.do(tok.Token, "GET", "/api/v1/customers/"+cid, nil), 401)
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/nope", nil), 404)
	e.must(e.do("", "GET", "/healthz", nil), 200)
	e.must(e.do("", "GET", "/readyz", nil), 200)
	m := e.must(e.do("", "GET", "/metrics", nil), 200)
	for _, want := range []string{"confide_http_requests_total", "confide_store_tx_duration_seconds", "confide_vault_operations_total"} {
		if !contains(m.Body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	var spec map[string]any
	e.must(e.do("", "GET", "/api/v1/openapi.json", nil), 200).json(t, &spec)
	if spec["openapi"] != "3.1.0" {
		t.Errorf("openapi version %v", spec["openapi"])
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }
