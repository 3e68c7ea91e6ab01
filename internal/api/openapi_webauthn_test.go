package api_test

import (
	"encoding/json"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/users/passkeytest"
)

// exercisePasskeys drives the passkey operations through success and
// failure with a software authenticator (part of TestOpenAPIAgainstServer).
func (s *server) exercisePasskeys() {
	t := s.t
	const (
		secAdmin = identity.RoleSecurityAdmin
		agent    = identity.RoleAgent
	)
	cookieOf := func(r reply) string { return sessionCookie(t, r) }
	auth := passkeytest.New(s.app.Config.WebAuthnRPID(), s.app.Config.WebAuthnOrigins()[0])
	var created struct {
		Link struct{ Token string } `json:"enrollment_link"`
	}
	s.do(201, secAdmin, "POST", "/api/v1/users", map[string]any{"email": "pat.passkey@example.com", "name": "Pat Passkey",
		"roles": []string{"agent"}}).decode(t, &created)
	enroll := cookieOf(s.do(200, "", "POST", "/api/v1/auth/enrollment", map[string]string{"token": created.Link.Token}))

	// Registration during enrollment.
	s.do(409, "", "POST", "/api/v1/auth/webauthn/register/begin", nil, "Cookie", enroll) // no password yet
	s.do(200, "", "POST", "/api/v1/auth/enrollment/password", map[string]string{"password": "amber falcon rivet meadow"}, "Cookie", enroll)
	s.do(409, "", "POST", "/api/v1/auth/enrollment/complete", nil, "Cookie", enroll) // no second factor yet
	s.do(401, "", "POST", "/api/v1/auth/webauthn/register/begin", nil)
	s.do(403, agent, "POST", "/api/v1/auth/webauthn/register/begin", nil, "Cookie", enroll)
	s.do(403, "", "POST", "/api/v1/auth/webauthn/register/begin", nil, "Cookie", enroll, "Sec-Fetch-Site", "cross-site")
	opts := s.do(200, "", "POST", "/api/v1/auth/webauthn/register/begin", nil, "Cookie", enroll)
	resp, err := auth.Create(opts.Body)
	if err != nil {
		t.Fatal(err)
	}
	s.do(400, "", "POST", "/api/v1/auth/webauthn/register/finish", map[string]any{"credential": "not an object"}, "Cookie", enroll)
	s.do(415, "", "POST", "/api/v1/auth/webauthn/register/finish", `{}`, "Cookie", enroll, "Content-Type", "text/plain")
	s.do(401, "", "POST", "/api/v1/auth/webauthn/register/finish", map[string]any{"credential": json.RawMessage(resp)})
	s.do(201, "", "POST", "/api/v1/auth/webauthn/register/finish", map[string]any{"name": "Laptop", "credential": json.RawMessage(resp)}, "Cookie", enroll)
	s.do(400, "", "POST", "/api/v1/auth/webauthn/register/finish", map[string]any{"credential": json.RawMessage(resp)}, "Cookie", enroll) // spent
	s.do(401, "", "POST", "/api/v1/auth/enrollment/complete", nil)
	s.do(200, "", "POST", "/api/v1/auth/enrollment/complete", nil, "Cookie", enroll)

	// Sign-in with the passkey.
	half := cookieOf(s.do(200, "", "POST", "/api/v1/auth/login", map[string]string{"email": "pat.passkey@example.com", "password": "amber falcon rivet meadow"}))
	s.do(401, "", "POST", "/api/v1/auth/webauthn/login/begin", nil)
	s.do(403, agent, "POST", "/api/v1/auth/webauthn/login/begin", nil, "Cookie", half)
	s.do(401, "", "POST", "/api/v1/auth/webauthn/login/finish", map[string]any{"credential": map[string]any{}}, "Cookie", half) // no challenge
	opts = s.do(200, "", "POST", "/api/v1/auth/webauthn/login/begin", nil, "Cookie", half)
	resp, err = auth.Get(opts.Body)
	if err != nil {
		t.Fatal(err)
	}
	s.do(400, "", "POST", "/api/v1/auth/webauthn/login/finish", map[string]any{"name": "x", "credential": json.RawMessage(resp)}, "Cookie", half)
	s.do(403, agent, "POST", "/api/v1/auth/webauthn/login/finish", map[string]any{"credential": json.RawMessage(resp)}, "Cookie", half)
	full := cookieOf(s.do(200, "", "POST", "/api/v1/auth/webauthn/login/finish", map[string]any{"credential": json.RawMessage(resp)}, "Cookie", half))
	s.do(401, "", "POST", "/api/v1/auth/webauthn/login/finish", map[string]any{"credential": json.RawMessage(resp)}, "Cookie", half) // replay

	// Managing passkeys.
	var list struct {
		Items []struct{ ID string }
	}
	s.do(200, "", "GET", "/api/v1/auth/webauthn/credentials", nil, "Cookie", full).decode(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("passkeys %+v", list)
	}
	s.do(403, agent, "GET", "/api/v1/auth/webauthn/credentials", nil)
	s.do(401, "", "GET", "/api/v1/auth/webauthn/credentials", nil, "Cookie", half)
	s.do(409, "", "DELETE", "/api/v1/auth/webauthn/credentials/"+list.Items[0].ID, nil, "Cookie", full) // the last factor
	s.do(404, "", "DELETE", "/api/v1/auth/webauthn/credentials/wac_0000000000000000", nil, "Cookie", full)
	s.do(403, agent, "DELETE", "/api/v1/auth/webauthn/credentials/"+list.Items[0].ID, nil)
	second := passkeytest.New(auth.RPID, auth.Origin)
	opts = s.do(200, "", "POST", "/api/v1/auth/webauthn/register/begin", nil, "Cookie", full)
	if resp, err = second.Create(opts.Body); err != nil {
		t.Fatal(err)
	}
	s.do(201, "", "POST", "/api/v1/auth/webauthn/register/finish", map[string]any{"name": "Key", "credential": json.RawMessage(resp)}, "Cookie", full)
	s.do(204, "", "DELETE", "/api/v1/auth/webauthn/credentials/"+list.Items[0].ID, nil, "Cookie", full)

	// Re-authentication with a passkey.
	s.do(401, "", "POST", "/api/v1/auth/reauth/webauthn/begin", nil)
	s.do(403, agent, "POST", "/api/v1/auth/reauth/webauthn/begin", nil)
	opts = s.do(200, "", "POST", "/api/v1/auth/reauth/webauthn/begin", nil, "Cookie", full)
	if resp, err = second.Get(opts.Body); err != nil {
		t.Fatal(err)
	}
	s.do(400, "", "POST", "/api/v1/auth/reauth/webauthn/finish", map[string]any{"password": "x", "credential": []int{1}}, "Cookie", full)
	s.do(401, "", "POST", "/api/v1/auth/reauth/webauthn/finish", map[string]any{"password": "wrong password!!", "credential": json.RawMessage(resp)}, "Cookie", full)
	opts = s.do(200, "", "POST", "/api/v1/auth/reauth/webauthn/begin", nil, "Cookie", full)
	if resp, err = second.Get(opts.Body); err != nil {
		t.Fatal(err)
	}
	s.do(403, agent, "POST", "/api/v1/auth/reauth/webauthn/finish", map[string]any{"password": "amber falcon rivet meadow", "credential": json.RawMessage(resp)})
	s.do(200, "", "POST", "/api/v1/auth/reauth/webauthn/finish", map[string]any{"password": "amber falcon rivet meadow", "credential": json.RawMessage(resp)}, "Cookie", full)
}
