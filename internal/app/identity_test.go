package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/confide-cc/confide/internal/api"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity/users"
	"github.com/confide-cc/confide/internal/store"
)

// person is a browser: a cookie jar and a fixed user agent.
type person struct {
	e      *env
	client *http.Client
	ua     string
}

func (e *env) person(ua string) *person {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	c := *e.srv.Client()
	c.Jar = jar
	return &person{e: e, client: &c, ua: ua}
}

// do sends a JSON request with the person's cookies and user agent.
func (p *person) do(method, path string, body any, headers ...string) resp {
	p.e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			p.e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, p.e.srv.URL+path, rd)
	if err != nil {
		p.e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", p.ua)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := p.client.Do(req)
	if err != nil {
		p.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Header: res.Header, Body: b}
}

// code is the TOTP code of secret for the step after the current one:
// accepted (±1 step) and not yet used by a confirmation made now.
func code(t *testing.T, secret string, ahead int) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, time.Now().Add(time.Duration(ahead)*30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var tokenInPath = regexp.MustCompile(`token=(cfl_[A-Za-z0-9_-]+)`)

// enrollVia redeems an enrollment link and completes enrollment, returning
// the TOTP secret.
func enrollVia(t *testing.T, p *person, token string, setup map[string]string) string {
	t.Helper()
	secret, _ := enrollWithRecovery(t, p, token, setup)
	return secret
}

// enrollWithRecovery is enrollVia that also returns the recovery codes.
func enrollWithRecovery(t *testing.T, p *person, token string, setup map[string]string) (secret string, recovery []string) {
	t.Helper()
	body := map[string]string{"token": token}
	for k, v := range setup {
		body[k] = v
	}
	p.e.must(p.do("POST", "/api/v1/auth/enrollment", body), 200)
	r := p.e.must(p.do("POST", "/api/v1/auth/enrollment/password", map[string]string{"password": "short"}), 400)
	if r.errCode() != "password_too_short" {
		t.Fatalf("weak password: %s", r.Body)
	}
	var te struct {
		Secret string `json:"totp_secret"`
		URI    string `json:"otpauth_uri"`
	}
	p.e.must(p.do("POST", "/api/v1/auth/enrollment/password", map[string]string{"password": "amber falcon rivet meadow"}), 200).json(t, &te)
	qr := p.e.must(p.do("GET", "/api/v1/auth/enrollment/qr.png", nil), 200)
	if qr.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(qr.Body, []byte("\x89PNG")) {
		t.Fatalf("QR code: %s", qr.Header.Get("Content-Type"))
	}
	var rc struct {
		Codes []string `json:"recovery_codes"`
	}
	p.e.must(p.do("POST", "/api/v1/auth/enrollment/totp", map[string]string{"code": code(t, te.Secret, 0)}), 200).json(t, &rc)
	if len(rc.Codes) != 10 {
		t.Fatalf("recovery codes: %v", rc.Codes)
	}
	return te.Secret, rc.Codes
}

// TestIdentityEndToEnd walks the first security admin through setup,
// sign-in with MFA, user creation and session control over HTTP.
func TestIdentityEndToEnd(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	path, _, ok, err := e.app.SetupLink(ctx)
	if err != nil || !ok {
		t.Fatalf("SetupLink = %v, %v", ok, err)
	}
	const adminEmail = "Sec.Admin@Example.com"
	admin := e.person("Firefox/140")
	secret := enrollVia(t, admin, tokenInPath.FindStringSubmatch(path)[1], map[string]string{"email": adminEmail, "name": "Sam Admin"})
	if _, _, ok, _ := e.app.SetupLink(ctx); ok {
		t.Fatal("a setup link is still offered after the first security admin enrolled")
	}

	// Password only: a half session, refused by every authenticated route.
	e.must(admin.do("POST", "/api/v1/auth/login", map[string]string{"email": "sec.admin@example.com", "password": "amber falcon rivet meadow"}), 200)
	for _, route := range authenticatedRoutes(t) {
		method, p, _ := strings.Cut(route, " ")
		var body any
		if method == "POST" || method == "PATCH" || method == "PUT" {
			body = map[string]string{}
		}
		r := admin.do(method, p, body)
		if r.Status != 401 {
			t.Errorf("%s with a password-only session: %d %s, want 401", route, r.Status, r.Body)
		}
	}

	// Second factor: a full session.
	e.must(admin.do("POST", "/api/v1/auth/mfa", map[string]string{"code": code(t, secret, 1)}), 200)
	var who struct {
		ID, Kind  string
		Roles     []string
		SessionID string `json:"session_id"`
	}
	e.must(admin.do("GET", "/api/v1/auth/session", nil), 200).json(t, &who)
	if who.Kind != "human" || len(who.Roles) != 1 || who.Roles[0] != "security_admin" || who.SessionID == "" {
		t.Fatalf("session principal %+v", who)
	}

	// The admin creates an agent, who enrolls and signs in.
	var created struct {
		User struct{ ID string }
		Link struct{ Token string } `json:"enrollment_link"`
	}
	e.must(admin.do("POST", "/api/v1/users", map[string]any{"email": "agent@example.com", "name": "Ada Agent", "roles": []string{"agent"}, "team": "billing"}), 201).json(t, &created)
	agent := e.person("Chrome/139")
	agentSecret := enrollVia(t, agent, created.Link.Token, nil)
	e.must(agent.do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@example.com", "password": "amber falcon rivet meadow"}), 200)
	e.must(agent.do("POST", "/api/v1/auth/mfa", map[string]string{"code": code(t, agentSecret, 1)}), 200)
	e.must(agent.do("GET", "/api/v1/auth/session", nil), 200)
	e.must(agent.do("GET", "/api/v1/users", nil), 403)

	// Cross-origin state changes with the cookie are refused.
	r := agent.do("POST", "/api/v1/customers", map[string]string{"name": "X"}, "Sec-Fetch-Site", "cross-site")
	if r.Status != 403 || r.errCode() != "cross_origin" {
		t.Fatalf("cross-site POST: %d %s", r.Status, r.Body)
	}

	// The admin sees the agent's sessions and disables the agent: at once,
	// the agent's session stops working.
	var sessions struct{ Items []struct{ ID string } }
	e.must(admin.do("GET", "/api/v1/users/"+created.User.ID+"/sessions", nil), 200).json(t, &sessions)
	if len(sessions.Items) != 1 {
		t.Fatalf("agent sessions: %+v", sessions)
	}
	e.must(admin.do("POST", "/api/v1/users/"+created.User.ID+"/disable", nil), 204)
	if r := agent.do("GET", "/api/v1/auth/session", nil); r.Status != 401 || r.errCode() != "reauthenticate" {
		t.Fatalf("disabled agent's session: %d %s", r.Status, r.Body)
	}

	// A changed user agent ends the admin's session.
	thief := e.person("curl/8")
	thief.client.Jar = admin.client.Jar
	e.must(thief.do("GET", "/api/v1/auth/session", nil), 401)
	e.must(admin.do("GET", "/api/v1/auth/session", nil), 401)

	// Service tokens cannot open interactive sessions.
	r = e.do("integration", "POST", "/api/v1/auth/login", map[string]string{"email": "sec.admin@example.com", "password": "amber falcon rivet meadow"})
	if r.Status != 403 || r.errCode() != "not_a_human" {
		t.Fatalf("login with a bearer token: %d %s", r.Status, r.Body)
	}

	// No e-mail address reaches the audit log or the logs.
	var bodies bytes.Buffer
	for _, ev := range e.auditEvents() {
		b, _ := json.Marshal(ev)
		bodies.Write(b)
	}
	bodies.Write(e.logs.Bytes())
	for _, pii := range []string{"sec.admin@example.com", "agent@example.com", "Sam Admin", "Ada Agent", "amber falcon"} {
		if bytes.Contains(bytes.ToLower(bodies.Bytes()), []byte(strings.ToLower(pii))) {
			t.Errorf("%q appears in the audit log or the logs", pii)
		}
	}
}

// TestLoginLockoutOverHTTP: ten wrong passwords lock the account; then the
// right password fails with the very response an unknown account gets.
func TestLoginLockoutOverHTTP(t *testing.T) {
	e := newEnv(t)
	ctx := ctxAs("security_admin")
	_, link, err := e.app.Users.Create(ctx, usersNew("victim@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	victim := e.person("Firefox/140")
	enrollVia(t, victim, link.Token, nil)
	attacker := e.person("python-requests/2")
	login := func(email, password string) resp {
		return attacker.do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password})
	}
	for range 10 {
		e.must(login("victim@example.com", "not the password"), 401)
	}
	locked := login("victim@example.com", "amber falcon rivet meadow")
	unknown := login("nobody@example.com", "amber falcon rivet meadow")
	if locked.Status != 401 || unknown.Status != 401 || locked.errCode() != "invalid_credentials" ||
		stripRequestID(locked.Body) != stripRequestID(unknown.Body) {
		t.Fatalf("locked account: %d %s; unknown account: %d %s", locked.Status, locked.Body, unknown.Status, unknown.Body)
	}
	if n := len(e.auditEventsOf("user.lock")); n != 1 {
		t.Fatalf("%d user.lock events, want 1", n)
	}
}

var requestID = regexp.MustCompile(`"request_id":"[0-9a-f]*"`)

func stripRequestID(b []byte) string { return requestID.ReplaceAllString(string(b), "") }

// TestLoginPage: the page is self-contained and may not be framed.
func TestLoginPage(t *testing.T) {
	e := newEnv(t)
	r := e.must(e.do("", "GET", "/login", nil), 200)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || r.Header.Get("X-Frame-Options") != "DENY" ||
		!strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'none'") ||
		strings.Contains(r.Header.Get("Content-Security-Policy"), "script-src") || bytes.Contains(r.Body, []byte("<script")) {
		t.Fatalf("login page headers %v", r.Header)
	}
	r = e.do("", "POST", "/login", "email=a%40b.c&password=x", "Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "cross-site")
	if r.Status != 403 {
		t.Fatalf("cross-site form post: %d", r.Status)
	}
	r = e.do("", "POST", "/login", "email=a%40b.c&password=x", "Content-Type", "application/x-www-form-urlencoded")
	if r.Status != 401 || !bytes.Contains(r.Body, []byte("not valid")) {
		t.Fatalf("wrong sign-in on the page: %d %s", r.Status, r.Body)
	}
}

// authenticatedRoutes lists "METHOD /path" of every operation of the
// OpenAPI description that requires authentication, with path parameters
// filled in.
func authenticatedRoutes(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]struct {
			Security *[]any `json:"security"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	var out []string
	for p, ops := range doc.Paths {
		if !strings.HasPrefix(p, "/api/v1/") {
			continue
		}
		for method, op := range ops {
			if op.Security != nil && len(*op.Security) == 0 {
				continue // public
			}
			switch method {
			case "get", "post", "put", "patch", "delete":
				out = append(out, strings.ToUpper(method)+" "+param.ReplaceAllString(p, "x1"))
			}
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d authenticated routes found", len(out))
	}
	return out
}

// auditEventsOf returns the audit events with action ("" for all).
func (e *env) auditEventsOf(action string) []audit.Event {
	e.t.Helper()
	var out []audit.Event
	err := e.app.Store.View(context.Background(), func(tx store.Tx) error {
		recs, err := tx.SearchAudit(context.Background(), store.AuditQuery{Action: action, Limit: 100000})
		for _, r := range recs {
			var ev audit.Event
			if err := json.Unmarshal(r.Body, &ev); err != nil {
				return err
			}
			out = append(out, ev)
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) auditEvents() []audit.Event { return e.auditEventsOf("") }

func usersNew(email string) users.NewUser {
	return users.NewUser{Email: email, Name: "Test User", Roles: []string{"agent"}}
}
