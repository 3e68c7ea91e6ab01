package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/confide-cc/confide/internal/identity"
)

// exerciseIdentity drives the sign-in, enrollment, session and user
// operations through success and failure (part of TestOpenAPIAgainstServer).
func (s *server) exerciseIdentity() {
	t := s.t
	const (
		secAdmin = identity.RoleSecurityAdmin
		agent    = identity.RoleAgent
	)
	cookieOf := func(r reply) string { return sessionCookie(t, r) }
	code := func(secret string, steps int) string { return totpCode(t, secret, steps) }

	// Users.
	newUser := map[string]any{"email": "ada.agent@example.com", "name": "Ada Agent", "roles": []string{"agent"}, "team": "billing"}
	var created struct {
		User struct{ ID string }
		Link struct{ Token string } `json:"enrollment_link"`
	}
	s.do(201, secAdmin, "POST", "/api/v1/users", newUser).decode(t, &created)
	uid := created.User.ID
	s.do(409, secAdmin, "POST", "/api/v1/users", newUser)
	s.do(400, secAdmin, "POST", "/api/v1/users", map[string]any{"email": "not an address", "name": "X", "roles": []string{"agent"}})
	s.do(415, secAdmin, "POST", "/api/v1/users", `{}`, "Content-Type", "text/plain")
	s.do(403, agent, "POST", "/api/v1/users", newUser)
	s.do(401, "", "POST", "/api/v1/users", newUser)
	s.do(200, secAdmin, "GET", "/api/v1/users", nil)
	s.do(403, identity.RoleAuditor, "GET", "/api/v1/users", nil)
	var link struct{ Token string }
	s.do(200, secAdmin, "POST", "/api/v1/users/"+uid+"/enrollment-link", nil).decode(t, &link)
	s.do(404, secAdmin, "POST", "/api/v1/users/usr_0000000000000000/enrollment-link", nil)
	s.do(403, agent, "POST", "/api/v1/users/"+uid+"/enrollment-link", nil)

	// Enrollment.
	s.do(404, "", "POST", "/api/v1/auth/enrollment", map[string]string{"token": created.Link.Token}) // superseded
	s.do(403, agent, "POST", "/api/v1/auth/enrollment", map[string]string{"token": link.Token})
	enroll := cookieOf(s.do(200, "", "POST", "/api/v1/auth/enrollment", map[string]string{"token": link.Token}))
	s.do(409, "", "GET", "/api/v1/auth/enrollment/qr.png", nil, "Cookie", enroll)
	s.do(401, "", "POST", "/api/v1/auth/enrollment/password", map[string]string{"password": "amber falcon rivet meadow"})
	s.do(400, "", "POST", "/api/v1/auth/enrollment/password", map[string]string{"password": "password1234"}, "Cookie", enroll)
	var te struct {
		Secret string `json:"totp_secret"`
	}
	s.do(200, "", "POST", "/api/v1/auth/enrollment/password", map[string]string{"password": "amber falcon rivet meadow"}, "Cookie", enroll).decode(t, &te)
	s.do(200, "", "GET", "/api/v1/auth/enrollment/qr.png?size=128", nil, "Cookie", enroll)
	s.do(400, "", "GET", "/api/v1/auth/enrollment/qr.png?size=9", nil, "Cookie", enroll)
	s.do(401, "", "GET", "/api/v1/auth/enrollment/qr.png", nil)
	s.do(400, "", "POST", "/api/v1/auth/enrollment/totp", map[string]string{"code": "12345"}, "Cookie", enroll)
	s.do(401, "", "POST", "/api/v1/auth/enrollment/totp", map[string]string{"code": code(te.Secret, 0)})
	s.do(200, "", "POST", "/api/v1/auth/enrollment/totp", map[string]string{"code": code(te.Secret, 0)}, "Cookie", enroll)

	// Sign-in.
	creds := map[string]string{"email": "Ada.Agent@example.com", "password": "amber falcon rivet meadow"}
	s.do(401, "", "POST", "/api/v1/auth/login", map[string]string{"email": creds["email"], "password": "wrong password!"})
	s.do(403, agent, "POST", "/api/v1/auth/login", creds)
	half := cookieOf(s.do(200, "", "POST", "/api/v1/auth/login", creds))
	s.do(401, "", "GET", "/api/v1/auth/session", nil, "Cookie", half) // no MFA, no session
	s.do(401, "", "POST", "/api/v1/auth/mfa", map[string]string{"code": code(te.Secret, 1)})
	full := cookieOf(s.do(200, "", "POST", "/api/v1/auth/mfa", map[string]string{"code": code(te.Secret, 1)}, "Cookie", half))

	// Sessions.
	var who struct {
		SessionID string `json:"session_id"`
	}
	s.do(200, "", "GET", "/api/v1/auth/session", nil, "Cookie", full).decode(t, &who)
	s.do(403, agent, "GET", "/api/v1/auth/session", nil)
	s.do(200, "", "GET", "/api/v1/auth/sessions", nil, "Cookie", full)
	s.do(403, agent, "GET", "/api/v1/auth/sessions", nil)
	s.do(200, secAdmin, "GET", "/api/v1/users/"+uid+"/sessions", nil)
	s.do(403, agent, "GET", "/api/v1/users/"+uid+"/sessions", nil)
	s.do(404, "", "DELETE", "/api/v1/auth/sessions/ses_0000000000000000", nil, "Cookie", full)
	s.do(404, agent, "DELETE", "/api/v1/auth/sessions/"+who.SessionID, nil)
	s.do(403, agent, "POST", "/api/v1/users/"+uid+"/disable", nil)
	s.do(404, secAdmin, "POST", "/api/v1/users/usr_0000000000000000/disable", nil)
	s.do(204, secAdmin, "POST", "/api/v1/users/"+uid+"/disable", nil)
	if r := s.do(401, "", "GET", "/api/v1/auth/session", nil, "Cookie", full); !strings.Contains(string(r.Body), "reauthenticate") {
		t.Errorf("session of a disabled user: %s", r.Body)
	}
	s.do(204, secAdmin, "DELETE", "/api/v1/auth/sessions/"+who.SessionID, nil)
	s.do(204, "", "POST", "/api/v1/auth/logout", nil, "Cookie", full)
	s.do(403, agent, "POST", "/api/v1/auth/logout", nil)
}

// sessionCookie returns the session cookie set by r, as a Cookie header.
func sessionCookie(t *testing.T, r reply) string {
	t.Helper()
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "confide_session" && c.Value != "" {
			return c.Name + "=" + c.Value
		}
	}
	t.Fatalf("no session cookie in %v", r.Header)
	return ""
}

// totpCode is the TOTP code of secret the given number of 30-second steps
// from now.
func totpCode(t *testing.T, secret string, steps int) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, time.Now().Add(time.Duration(steps)*30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
