package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/users"
)

// TestPasskeyNoBypass: a password-only half session cannot add a second
// factor, finish enrollment or reach any authenticated route, and an
// enrollment session reaches nothing but enrollment.
func TestPasskeyNoBypass(t *testing.T) {
	e := newEnv(t)
	_, link, err := e.app.Users.Create(ctxAs(identity.RoleSecurityAdmin), usersNew("victim@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	victim := e.person("Firefox/140")
	enrollVia(t, victim, link.Token, nil)

	// The attacker knows the password only.
	attacker := e.person("Firefox/140")
	e.must(attacker.do("POST", "/api/v1/auth/login", map[string]string{"email": "victim@example.com", "password": "amber falcon rivet meadow"}), 200)
	for _, route := range []string{
		"POST /api/v1/auth/webauthn/register/begin",
		"POST /api/v1/auth/webauthn/register/finish",
		"POST /api/v1/auth/enrollment/complete",
		"POST /api/v1/auth/enrollment/password",
		"POST /api/v1/auth/enrollment/totp",
		"GET /api/v1/auth/enrollment/qr.png",
		"GET /api/v1/auth/webauthn/credentials",
		"DELETE /api/v1/auth/webauthn/credentials/wac_0000000000000000",
	} {
		method, path, _ := strings.Cut(route, " ")
		var body any
		switch {
		case strings.HasSuffix(path, "/finish"):
			body = map[string]any{"credential": map[string]any{"id": "x"}}
		case strings.HasSuffix(path, "/password"):
			body = map[string]string{"password": "a brand new password"}
		case strings.HasSuffix(path, "/totp"):
			body = map[string]string{"code": "123456"}
		}
		if r := attacker.do(method, path, body); r.Status != 401 {
			t.Errorf("%s with a password-only session: %d %s, want 401", route, r.Status, r.Body)
		}
	}
	// The passkey second factor needs a passkey: this account has none.
	if r := attacker.do("POST", "/api/v1/auth/webauthn/login/begin", nil); r.Status != 409 || r.errCode() != "no_passkey" {
		t.Errorf("passkey sign-in without a passkey: %d %s", r.Status, r.Body)
	}
	if r := attacker.do("POST", "/api/v1/auth/webauthn/login/finish", map[string]any{"credential": map[string]any{"id": "x"}}); r.Status != 401 {
		t.Errorf("forged assertion: %d %s", r.Status, r.Body)
	}
	// The account page sends a half session to sign in.
	req, _ := http.NewRequest("GET", e.srv.URL+"/account", nil)
	req.Header.Set("User-Agent", attacker.ua)
	attacker.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := attacker.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("account page with a half session: %d %s", res.StatusCode, res.Header.Get("Location"))
	}

	// An enrollment session reaches enrollment only.
	_, link, err = e.app.Users.Create(ctxAs(identity.RoleSecurityAdmin), usersNew("newbie@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	newbie := e.person("Firefox/140")
	e.must(newbie.do("POST", "/api/v1/auth/enrollment", map[string]string{"token": link.Token}), 200)
	e.must(newbie.do("POST", "/api/v1/auth/enrollment/password", map[string]string{"password": "amber falcon rivet meadow"}), 200)
	for _, route := range authenticatedRoutes(t) {
		method, p, _ := strings.Cut(route, " ")
		var body any
		if method == "POST" || method == "PATCH" || method == "PUT" {
			body = map[string]string{}
		}
		if r := newbie.do(method, p, body); r.Status != 401 {
			t.Errorf("%s with an enrollment session: %d %s, want 401", route, r.Status, r.Body)
		}
	}
	if r := newbie.do("POST", "/api/v1/auth/webauthn/login/begin", nil); r.Status != 401 {
		t.Errorf("passkey sign-in with an enrollment session: %d %s", r.Status, r.Body)
	}
	e.must(newbie.do("POST", "/api/v1/auth/webauthn/register/begin", nil), 200) // what it is for
	if r := newbie.do("POST", "/api/v1/auth/enrollment/complete", nil); r.Status != 409 || r.errCode() != "no_second_factor" {
		t.Errorf("completing enrollment without a factor: %d %s", r.Status, r.Body)
	}
}

// TestPasskeyPages: the pages that run passkey ceremonies load only the
// self-hosted script; every other page allows no script at all.
func TestPasskeyPages(t *testing.T) {
	e := newEnv(t)
	_, link, err := e.app.Users.Create(ctxAs(identity.RoleSecurityAdmin), users.NewUser{Email: "pat@example.com", Name: "Pat", Roles: []string{"agent"}})
	if err != nil {
		t.Fatal(err)
	}
	p := e.person("Firefox/140")
	js := e.must(e.do("", "GET", "/assets/webauthn.js", nil), 200)
	if ct := js.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") || js.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(string(js.Body), "navigator.credentials.create") {
		t.Fatalf("webauthn.js: %s %v", ct, js.Header)
	}
	for _, path := range []string{"/login", "/enroll?token=" + link.Token} {
		r := e.must(e.do("", "GET", path, nil), 200)
		if csp := r.Header.Get("Content-Security-Policy"); strings.Contains(csp, "script-src") || strings.Contains(string(r.Body), "<script") {
			t.Errorf("%s: CSP %q allows script", path, csp)
		}
	}
	// The second-factor page of enrollment (after the password) offers a
	// passkey: it loads webauthn.js under script-src 'self'.
	e.must(p.do("POST", "/api/v1/auth/enrollment", map[string]string{"token": link.Token}), 200)
	req, _ := http.NewRequest("POST", e.srv.URL+"/enroll/password", strings.NewReader("password=amber+falcon+rivet+meadow"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", p.ua)
	res, err := p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	csp := res.Header.Get("Content-Security-Policy")
	if res.StatusCode != 200 || !strings.Contains(page, `<script src="/assets/webauthn.js" defer></script>`) ||
		!strings.Contains(page, `id="passkey-register"`) || strings.Count(page, "<script") != 1 {
		t.Fatalf("second-factor page: %d %s", res.StatusCode, page)
	}
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") || !strings.Contains(csp, "default-src 'none'") ||
		!strings.Contains(csp, "frame-ancestors 'none'") || res.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("second-factor page CSP %q", csp)
	}
}
