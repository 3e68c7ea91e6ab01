package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
)

// tokenJSON is a token as the API shows it.
type tokenJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Networks   []string   `json:"networks"`
	LastUsedAt *time.Time `json:"last_used_at"`
	Token      string     `json:"token"`
}

// TestTokenNetworks creates tokens limited to networks through the API and
// uses them from the test client (peer 127.0.0.1, and ::1 where the host
// has IPv6 loopback), on SQLite and PostgreSQL.
func TestTokenNetworks(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testTokenNetworks(t, newEnv(t)) })
	t.Run("postgres", func(t *testing.T) {
		dbURL, _ := pgSchemaURL(t)
		testTokenNetworks(t, newEnv(t, "--database-url", dbURL))
	})
}

func testTokenNetworks(t *testing.T, e *env) {
	create := func(name string, networks ...string) tokenJSON {
		t.Helper()
		body := map[string]any{"name": name, "role": identity.RoleSecurityAdmin}
		if networks != nil {
			body["networks"] = networks
		}
		var tok tokenJSON
		e.must(e.do(identity.RoleSecurityAdmin, "POST", "/api/v1/tokens", body), http.StatusCreated).json(t, &tok)
		e.tokens[name] = tok.Token
		return tok
	}
	loopback := create("loopback", "127.0.0.0/8")
	single := create("single", "127.0.0.1")
	remote := create("remote", "10.0.0.0/8", " 2001:db8::/32", "10.0.0.0/8") // trimmed, duplicate dropped
	v6only := create("v6only", "::1")
	both := create("both", "127.0.0.0/8", "::1/128")
	open := create("open")
	for _, c := range []struct {
		tok  tokenJSON
		want []string
	}{
		{loopback, []string{"127.0.0.0/8"}}, {single, []string{"127.0.0.1/32"}},
		{remote, []string{"10.0.0.0/8", "2001:db8::/32"}}, {v6only, []string{"::1/128"}},
		{both, []string{"127.0.0.0/8", "::1/128"}}, {open, []string{}},
	} {
		if !slices.Equal(c.tok.Networks, c.want) || c.tok.Networks == nil {
			t.Errorf("%s: networks %#v, want %#v", c.tok.Name, c.tok.Networks, c.want)
		}
	}

	// An unknown token's refusal, to compare with.
	unknown := e.must(e.do("cft_"+strings.Repeat("A", 43), "GET", "/api/v1/tokens", nil), http.StatusUnauthorized)
	if ev := e.lastAudit(); ev.Action != "request.denied" || ev.Reason != "unauthenticated" || ev.ActorID != "" {
		t.Errorf("unknown token audited as %+v", ev)
	}

	cases := []struct {
		name string
		want int
	}{
		{"loopback", http.StatusOK},
		{"single", http.StatusOK},
		{"both", http.StatusOK},
		{"open", http.StatusOK},
		{"remote", http.StatusUnauthorized},
		{"v6only", http.StatusUnauthorized},
	}
	for _, c := range cases {
		r := e.do(c.name, "GET", "/api/v1/tokens", nil)
		if r.Status != c.want {
			t.Errorf("%s from 127.0.0.1: status %d, want %d; %s", c.name, r.Status, c.want, r.Body)
			continue
		}
		if c.want != http.StatusUnauthorized {
			continue
		}
		// The client learns nothing more than for an unknown token.
		if !sameError(r, unknown) || r.Header.Get("WWW-Authenticate") != unknown.Header.Get("WWW-Authenticate") {
			t.Errorf("%s: refusal %s differs from an unknown token's %s", c.name, r.Body, unknown.Body)
		}
		// The audit log tells security admins which token, from where.
		ev := e.lastAudit()
		tok := map[string]tokenJSON{"remote": remote, "v6only": v6only}[c.name]
		if ev.Action != "request.denied" || ev.Outcome != audit.Denied || ev.Reason != "token_network_refused" ||
			ev.ActorID != tok.ID || ev.ActorKind != string(identity.KindService) || ev.Origin != "127.0.0.1" ||
			!slices.Equal(ev.Roles, []string{identity.RoleSecurityAdmin}) || ev.Details["route"] != "GET /api/v1/tokens" {
			t.Errorf("%s: refusal audited as %+v", c.name, ev)
		}
	}

	// A refused use is not a use; allowed uses are.
	lastUsed := map[string]bool{}
	for _, tok := range listTokens(t, e) {
		lastUsed[tok.Name] = tok.LastUsedAt != nil
	}
	if lastUsed["remote"] || lastUsed["v6only"] || !lastUsed["loopback"] || !lastUsed["single"] {
		t.Errorf("last_used_at set for: %v", lastUsed)
	}

	// A revoked token is refused as revoked, whatever its networks.
	e.must(e.do(identity.RoleSecurityAdmin, "DELETE", "/api/v1/tokens/"+single.ID, nil), http.StatusNoContent)
	e.must(e.do("single", "GET", "/api/v1/tokens", nil), http.StatusUnauthorized)
	if ev := e.lastAudit(); ev.Reason != "unauthenticated" || ev.ActorID != "" {
		t.Errorf("revoked token audited as %+v", ev)
	}

	// IPv6: the same handler on [::1].
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Logf("no IPv6 loopback (%v); IPv6 peer checks skipped", err)
	} else {
		srv6 := httptest.NewUnstartedServer(e.app.Handler())
		srv6.Listener.Close()
		srv6.Listener = ln
		srv6.Start()
		defer srv6.Close()
		for _, c := range []struct {
			name string
			want int
		}{{"v6only", http.StatusOK}, {"both", http.StatusOK}, {"open", http.StatusOK}, {"loopback", http.StatusUnauthorized}, {"remote", http.StatusUnauthorized}} {
			req, _ := http.NewRequest("GET", srv6.URL+"/api/v1/tokens", nil)
			req.Header.Set("Authorization", "Bearer "+e.tokens[c.name])
			res, err := srv6.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != c.want {
				t.Errorf("%s from ::1: status %d, want %d", c.name, res.StatusCode, c.want)
			}
			if ev := e.lastAudit(); c.want == http.StatusUnauthorized && (ev.Reason != "token_network_refused" || ev.Origin != "::1") {
				t.Errorf("%s from ::1: audited as %+v", c.name, ev)
			}
		}
	}

	// X-Forwarded-For is not trusted: the peer is still 127.0.0.1.
	r := e.do("remote", "GET", "/api/v1/tokens", nil, "X-Forwarded-For", "10.1.2.3", "X-Real-Ip", "10.1.2.3")
	if r.Status != http.StatusUnauthorized {
		t.Errorf("X-Forwarded-For inside the token's networks was trusted: %d", r.Status)
	}

	// Secrets of refused tokens reach neither the log nor the audit log.
	events, _ := json.Marshal(e.auditEvents())
	for _, name := range []string{"remote", "v6only"} {
		secret := e.tokens[name]
		if bytes.Contains(e.logs.Bytes(), []byte(secret)) || bytes.Contains(events, []byte(secret)) {
			t.Errorf("the secret of %s leaked into the logs or the audit log", name)
		}
	}
}

// TestTokenNetworksValidation sends bad network lists: each is a 400 with
// a precise message, is audited as an invalid token.create, and creates
// nothing.
func TestTokenNetworksValidation(t *testing.T) {
	e := newEnv(t)
	before := len(listTokens(t, e))
	many := make([]string, 33)
	for i := range many {
		many[i] = "10.0.0.0/8"
	}
	for _, c := range []struct {
		name     string
		networks any
		code     string
		msg      string
	}{
		{"host bits", []string{"10.0.0.0/8", "10.1.2.3/8"}, "invalid_networks", `networks[1]: "10.1.2.3/8" has host bits set; did you mean 10.0.0.0/8?`},
		{"host bits v6", []string{"2001:db8::1/32"}, "invalid_networks", `networks[0]: "2001:db8::1/32" has host bits set; did you mean 2001:db8::/32?`},
		{"not an address", []string{"example.com"}, "invalid_networks", `networks[0]: "example.com" is not an IP address or CIDR prefix`},
		{"bad length", []string{"10.0.0.0/33"}, "invalid_networks", `networks[0]: "10.0.0.0/33" is not a CIDR prefix (want e.g. 10.0.0.0/8 or 2001:db8::/32)`},
		{"empty entry", []string{""}, "invalid_networks", `networks[0]: empty; give a CIDR prefix such as 10.0.0.0/8 or an address`},
		{"zone", []string{"fe80::1%eth0"}, "invalid_networks", `networks[0]: "fe80::1%eth0" has a zone; zones are not allowed`},
		{"4in6", []string{"::ffff:10.0.0.0/104"}, "invalid_networks", `networks[0]: "::ffff:10.0.0.0/104" is an IPv4-mapped IPv6 prefix; write the IPv4 network in dotted form`},
		{"too long", []string{strings.Repeat("1", 65)}, "invalid_networks", `networks[0]: longer than 64 characters`},
		{"too many", many, "invalid_networks", `networks: at most 32 prefixes, got 33`},
		{"not a list", "10.0.0.0/8", "invalid_type", ""},
		{"not strings", []int{10}, "invalid_type", ""},
	} {
		n := len(e.auditEventsOf("token.create"))
		r := e.do(identity.RoleSecurityAdmin, "POST", "/api/v1/tokens", map[string]any{"name": "bad", "role": "integration", "networks": c.networks})
		var b struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal(r.Body, &b)
		if r.Status != http.StatusBadRequest || b.Error.Code != c.code || (c.msg != "" && b.Error.Message != c.msg) {
			t.Errorf("%s: %d %s, want 400 %s %q", c.name, r.Status, r.Body, c.code, c.msg)
		}
		evs := e.auditEventsOf("token.create")
		if len(evs) != n+1 || evs[len(evs)-1].Outcome != audit.Invalid || evs[len(evs)-1].Reason != c.code {
			t.Errorf("%s: not audited as an invalid token.create: %+v", c.name, evs[n:])
		}
	}
	if after := len(listTokens(t, e)); after != before {
		t.Errorf("%d tokens after refused creations, want %d", after, before)
	}
	// null and [] mean any address.
	for _, nets := range []any{nil, []string{}} {
		var tok tokenJSON
		e.must(e.do(identity.RoleSecurityAdmin, "POST", "/api/v1/tokens", map[string]any{"name": "any", "role": "integration", "networks": nets}), http.StatusCreated).json(t, &tok)
		if tok.Networks == nil || len(tok.Networks) != 0 {
			t.Errorf("networks %v: created with %#v", nets, tok.Networks)
		}
	}
	// The creation's audit event lists the networks.
	var tok tokenJSON
	e.must(e.do(identity.RoleSecurityAdmin, "POST", "/api/v1/tokens", map[string]any{"name": "ivr", "role": "integration", "networks": []string{"192.0.2.0/24", "2001:db8::7"}}), http.StatusCreated).json(t, &tok)
	ev := e.lastAudit()
	got, _ := json.Marshal(ev.Details["networks"])
	if ev.Action != "token.create" || ev.Resource != "token/"+tok.ID || string(got) != `["192.0.2.0/24","2001:db8::7/128"]` {
		t.Errorf("creation audited as %+v", ev)
	}
}

func listTokens(t *testing.T, e *env) []tokenJSON {
	t.Helper()
	var l struct{ Items []tokenJSON }
	e.must(e.do(identity.RoleSecurityAdmin, "GET", "/api/v1/tokens", nil), http.StatusOK).json(t, &l)
	return l.Items
}

// sameError reports whether two error responses differ only in their
// request id.
func sameError(a, b resp) bool {
	var x, y struct {
		Error struct{ Code, Message string }
	}
	return a.Status == b.Status && json.Unmarshal(a.Body, &x) == nil && json.Unmarshal(b.Body, &y) == nil && x == y
}
