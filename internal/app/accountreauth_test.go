package app_test

import (
	"database/sql"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/users"
)

// form posts a form from the server's own pages, with the person's
// cookies, and does not follow redirects.
func (p *person) form(path string, values url.Values) resp {
	p.e.t.Helper()
	req, err := http.NewRequest("POST", p.e.srv.URL+path, strings.NewReader(values.Encode()))
	if err != nil {
		p.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.e.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("User-Agent", p.ua)
	c := *p.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Do(req)
	if err != nil {
		p.e.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Header: res.Header, Body: b}
}

// backdateSignIn moves the last authentication of the user's sessions
// ago into the past, in the database file.
func backdateSignIn(t *testing.T, e *env, userID string, ago time.Duration) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(e.dataDir, "confide.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE sessions SET auth_time = ? WHERE user_id = ?`, time.Now().Add(-ago).UnixMicro(), userID); err != nil {
		t.Fatal(err)
	}
}

// TestAccountReauth: once the sign-in is older than reauth_window, the
// account page refuses passkey changes and opens its "Confirm it's you"
// form; confirming with the password and a recovery code lets them through.
func TestAccountReauth(t *testing.T) {
	e := newEnv(t)
	u, link, err := e.app.Users.Create(ctxAs(identity.RoleSecurityAdmin), users.NewUser{Email: "robin@example.com", Name: "Robin", Roles: []string{identity.RoleAgent}})
	if err != nil {
		t.Fatal(err)
	}
	p := e.person("Reauth/1.0")
	secret, recovery := enrollWithRecovery(t, p, link.Token, nil)
	e.must(p.do("POST", "/api/v1/auth/login", map[string]string{"email": "robin@example.com", "password": "amber falcon rivet meadow"}), 200)
	e.must(p.do("POST", "/api/v1/auth/mfa", map[string]string{"code": code(t, secret, 1)}), 200)

	backdateSignIn(t, e, u.ID, 10*time.Minute)

	r := p.form("/account/passkeys/remove", url.Values{"id": {"pk_missing"}})
	if page := string(r.Body); r.Status != 403 || !strings.Contains(page, `<details class="reauth" id="reauth" open>`) || !strings.Contains(page, "needs a recent sign-in") {
		t.Fatalf("removing a passkey after the window: %d %s", r.Status, page)
	}
	if r := e.must(p.do("POST", "/api/v1/auth/webauthn/register/begin", nil, "Origin", e.srv.URL), 403); r.errCode() != "reauth_required" {
		t.Fatalf("adding a passkey after the window: %s", r.Body)
	}

	r = p.form("/account/reauth", url.Values{"password": {"wrong password here"}, "code": {recovery[0]}})
	if r.Status != 401 || !strings.Contains(string(r.Body), `id="reauth" open`) {
		t.Fatalf("confirming with a wrong password: %d %s", r.Status, r.Body)
	}
	r = p.form("/account/reauth", url.Values{"password": {"amber falcon rivet meadow"}, "code": {recovery[1]}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/account?confirmed=1" {
		t.Fatalf("confirming: %d %s", r.Status, r.Body)
	}
	if page := string(e.must(p.do("GET", "/account?confirmed=1", nil), 200).Body); !strings.Contains(page, "Confirmed: you can add or remove passkeys for the next 5 minutes.") {
		t.Fatalf("account page after confirming: %s", page)
	}
	// Past the check: the passkey is simply not found.
	if r := p.form("/account/passkeys/remove", url.Values{"id": {"pk_missing"}}); r.Status != 404 {
		t.Fatalf("removing a missing passkey after confirming: %d %s", r.Status, r.Body)
	}
	e.must(p.do("POST", "/api/v1/auth/webauthn/register/begin", nil, "Origin", e.srv.URL), 200)
}
