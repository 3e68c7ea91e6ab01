package api_test

import (
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/identity"
)

// exerciseElevation drives re-authentication, break-glass and the
// sensitive user administration through success and failure (part of
// TestOpenAPIAgainstServer). It signs in a security admin and an agent as
// people: these routes refuse service tokens.
func (s *server) exerciseElevation() {
	t := s.t
	const secAdmin, agentRole = identity.RoleSecurityAdmin, identity.RoleAgent
	cookieOf := func(r reply) string { return sessionCookie(t, r) }
	code := func(secret string, steps int) string { return totpCode(t, secret, steps) }
	type person struct {
		id, email, cookie string
		recovery          []string
	}
	const password = "amber falcon rivet meadow"
	signUp := func(email, role string) person {
		t.Helper()
		var created struct {
			User struct{ ID string }
			Link struct{ Token string } `json:"enrollment_link"`
		}
		s.do(201, secAdmin, "POST", "/api/v1/users", map[string]any{"email": email, "name": "Test Person", "roles": []string{role}}).decode(t, &created)
		enroll := cookieOf(s.do(200, "", "POST", "/api/v1/auth/enrollment", map[string]string{"token": created.Link.Token}))
		var te struct {
			Secret string `json:"totp_secret"`
		}
		s.do(200, "", "POST", "/api/v1/auth/enrollment/password", map[string]string{"password": password}, "Cookie", enroll).decode(t, &te)
		var rc struct {
			Codes []string `json:"recovery_codes"`
		}
		s.do(200, "", "POST", "/api/v1/auth/enrollment/totp", map[string]string{"code": code(te.Secret, 0)}, "Cookie", enroll).decode(t, &rc)
		half := cookieOf(s.do(200, "", "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}))
		full := cookieOf(s.do(200, "", "POST", "/api/v1/auth/mfa", map[string]string{"code": code(te.Secret, 1)}, "Cookie", half))
		return person{id: created.User.ID, email: email, cookie: full, recovery: rc.Codes}
	}
	admin := signUp("sam.admin@example.com", secAdmin)
	agent := signUp("bea.agent@example.com", agentRole)
	as := func(p person) []string { return []string{"Cookie", p.cookie} }

	// Re-authentication (with recovery codes: the TOTP steps are spent).
	s.do(200, "", "POST", "/api/v1/auth/reauth", map[string]string{"password": password, "code": admin.recovery[0]}, as(admin)...)
	s.do(401, "", "POST", "/api/v1/auth/reauth", map[string]string{"password": "not the password", "code": admin.recovery[1]}, as(admin)...)
	s.do(400, "", "POST", "/api/v1/auth/reauth", `{"password":`, as(admin)...)
	s.do(403, agentRole, "POST", "/api/v1/auth/reauth", map[string]string{"password": password, "code": "123456"})
	s.do(415, "", "POST", "/api/v1/auth/reauth", `{}`, append(as(admin), "Content-Type", "text/plain")...)
	s.do(401, "", "POST", "/api/v1/auth/reauth", map[string]string{"password": password, "code": "123456"})

	// Training.
	until := time.Now().Add(365 * 24 * time.Hour).UTC().Format(time.RFC3339)
	s.do(200, "", "POST", "/api/v1/users/"+agent.id+"/training", map[string]string{"expires_at": until}, as(admin)...)
	s.do(400, "", "POST", "/api/v1/users/"+agent.id+"/training", map[string]string{"expires_at": "2001-01-01T00:00:00Z"}, as(admin)...)
	s.do(403, secAdmin, "POST", "/api/v1/users/"+agent.id+"/training", map[string]string{"expires_at": until})
	s.do(404, "", "POST", "/api/v1/users/usr_0000000000000000/training", map[string]string{"expires_at": until}, as(admin)...)
	s.do(415, "", "POST", "/api/v1/users/"+agent.id+"/training", `{}`, append(as(admin), "Content-Type", "text/plain")...)
	s.do(401, "", "POST", "/api/v1/users/"+agent.id+"/training", map[string]string{"expires_at": until})

	// Break-glass.
	req := map[string]any{"reason": "Customer locked out during outage INC-4411", "minutes": 5}
	var g struct{ ID string }
	s.do(201, "", "POST", "/api/v1/auth/break-glass", req, as(agent)...).decode(t, &g)
	s.do(409, "", "POST", "/api/v1/auth/break-glass", req, as(agent)...)
	s.do(400, "", "POST", "/api/v1/auth/break-glass", map[string]any{"reason": "short"}, as(agent)...)
	s.do(403, "", "POST", "/api/v1/auth/break-glass", req, as(admin)...)
	s.do(415, "", "POST", "/api/v1/auth/break-glass", `{}`, append(as(agent), "Content-Type", "text/plain")...)
	s.do(401, "", "POST", "/api/v1/auth/break-glass", req)
	s.do(200, "", "GET", "/api/v1/break-glass?review=pending&limit=10", nil, as(admin)...)
	s.do(400, "", "GET", "/api/v1/break-glass?limit=0", nil, as(admin)...)
	s.do(403, agentRole, "GET", "/api/v1/break-glass", nil)
	s.do(401, "", "GET", "/api/v1/break-glass", nil)
	review := map[string]string{"outcome": "justified", "note": "INC-4411 confirmed"}
	s.do(409, "", "POST", "/api/v1/break-glass/"+g.ID+"/review", review, as(admin)...) // still active
	s.do(404, "", "DELETE", "/api/v1/auth/break-glass/"+g.ID, nil, as(admin)...)
	s.do(204, "", "DELETE", "/api/v1/auth/break-glass/"+g.ID, nil, as(agent)...)
	s.do(409, "", "DELETE", "/api/v1/auth/break-glass/"+g.ID, nil, as(agent)...)
	s.do(403, "integration", "DELETE", "/api/v1/auth/break-glass/"+g.ID, nil)
	s.do(401, "", "DELETE", "/api/v1/auth/break-glass/"+g.ID, nil)
	s.do(400, "", "POST", "/api/v1/break-glass/"+g.ID+"/review", map[string]string{"outcome": "fine"}, as(admin)...)
	s.do(403, agentRole, "POST", "/api/v1/break-glass/"+g.ID+"/review", review)
	s.do(404, "", "POST", "/api/v1/break-glass/brg_0000000000000000/review", review, as(admin)...)
	s.do(200, "", "POST", "/api/v1/break-glass/"+g.ID+"/review", review, as(admin)...)
	s.do(415, "", "POST", "/api/v1/break-glass/"+g.ID+"/review", `{}`, append(as(admin), "Content-Type", "text/plain")...)
	s.do(401, "", "POST", "/api/v1/break-glass/"+g.ID+"/review", review)

	// Unlock: ten wrong passwords lock the agent.
	for range 10 {
		s.do(401, "", "POST", "/api/v1/auth/login", map[string]string{"email": agent.email, "password": "not the password"})
	}
	unlock := map[string]string{"reason": "locked herself out"}
	s.do(400, "", "POST", "/api/v1/users/"+agent.id+"/unlock", map[string]string{"reason": ""}, as(admin)...)
	s.do(204, "", "POST", "/api/v1/users/"+agent.id+"/unlock", unlock, as(admin)...)
	s.do(409, "", "POST", "/api/v1/users/"+agent.id+"/unlock", unlock, as(admin)...)
	s.do(403, "", "POST", "/api/v1/users/"+admin.id+"/unlock", unlock, as(admin)...)
	s.do(404, "", "POST", "/api/v1/users/usr_0000000000000000/unlock", unlock, as(admin)...)
	s.do(415, "", "POST", "/api/v1/users/"+agent.id+"/unlock", `{}`, append(as(admin), "Content-Type", "text/plain")...)
	s.do(401, "", "POST", "/api/v1/users/"+agent.id+"/unlock", unlock)

	// Roles and team (ends the agent's session).
	s.do(200, "", "PATCH", "/api/v1/users/"+agent.id, map[string]any{"team": "collections"}, as(admin)...)
	s.do(400, "", "PATCH", "/api/v1/users/"+agent.id, map[string]any{}, as(admin)...)
	s.do(403, "", "PATCH", "/api/v1/users/"+admin.id, map[string]any{"roles": []string{"auditor"}}, as(admin)...)
	s.do(404, "", "PATCH", "/api/v1/users/usr_0000000000000000", map[string]any{"team": "x"}, as(admin)...)
	s.do(415, "", "PATCH", "/api/v1/users/"+agent.id, `{}`, append(as(admin), "Content-Type", "text/plain")...)
	s.do(401, "", "PATCH", "/api/v1/users/"+agent.id, map[string]any{"team": "x"})
	s.do(401, "", "GET", "/api/v1/auth/session", nil, as(agent)...)

	// MFA reset.
	var reset struct {
		Link struct{ URL string } `json:"enrollment_link"`
	}
	s.do(200, "", "POST", "/api/v1/users/"+agent.id+"/mfa-reset", map[string]string{"reason": "lost phone"}, as(admin)...).decode(t, &reset)
	if !strings.HasPrefix(reset.Link.URL, "/enroll?token=cfl_") {
		t.Errorf("MFA reset link %+v", reset)
	}
	s.do(400, "", "POST", "/api/v1/users/"+agent.id+"/mfa-reset", map[string]string{"reason": " "}, as(admin)...)
	s.do(403, "", "POST", "/api/v1/users/"+admin.id+"/mfa-reset", map[string]string{"reason": "mine"}, as(admin)...)
	s.do(404, "", "POST", "/api/v1/users/usr_0000000000000000/mfa-reset", map[string]string{"reason": "x"}, as(admin)...)
	s.do(204, "", "POST", "/api/v1/users/"+agent.id+"/disable", nil, as(admin)...)
	s.do(409, "", "POST", "/api/v1/users/"+agent.id+"/mfa-reset", map[string]string{"reason": "x"}, as(admin)...)
	s.do(415, "", "POST", "/api/v1/users/"+agent.id+"/mfa-reset", `{}`, append(as(admin), "Content-Type", "text/plain")...)
	s.do(401, "", "POST", "/api/v1/users/"+agent.id+"/mfa-reset", map[string]string{"reason": "x"})
}
