package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/confide-cc/confide/internal/app"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/config"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// syncBuffer is a goroutine-safe log sink, so tests can scan what the
// server logged.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// env is one Confide node over real storage, served by httptest, with a
// token per role.
type env struct {
	t       testing.TB
	app     *app.App
	srv     *httptest.Server
	tokens  map[string]string
	dataDir string
	logs    *syncBuffer
}

// newEnv starts a node on a fresh data directory (SQLite and local blobs)
// unless args select other storage.
func newEnv(t testing.TB, args ...string) *env {
	t.Helper()
	dir := t.TempDir() + "/data"
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	cfg, _, err := config.Load(fs, append([]string{"--data", dir, "--insecure-http", "--log-level", "debug"}, args...), func(string) string { return "" })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &syncBuffer{}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	e := &env{t: t, app: a, srv: srv, tokens: map[string]string{}, dataDir: dir, logs: logs}
	ctx := ctxAs(identity.RoleSecurityAdmin)
	for _, role := range identity.Roles {
		secret, _, err := a.Tokens.Create(ctx, "test-"+strings.ReplaceAll(role, "_", "-"), role)
		if err != nil {
			t.Fatalf("create token: %v", err)
		}
		e.tokens[role] = secret
	}
	return e
}

// resp is a decoded response.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r resp) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %d response %q: %v", r.Status, r.Body, err)
	}
}

// errCode returns the error code of an error response.
func (r resp) errCode() string {
	var b struct {
		Error struct{ Code, Message, RequestID string } `json:"error"`
	}
	json.Unmarshal(r.Body, &b)
	return b.Error.Code
}

// do sends a request as role ("" for none). body is sent as is if it is a
// string or []byte (with Content-Type application/json unless headers say
// otherwise), else encoded as JSON.
func (e *env) do(role, method, path string, body any, headers ...string) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	case io.Reader:
		rd = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if role != "" {
		tok, ok := e.tokens[role]
		if !ok {
			tok = role // a raw token
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{Status: res.StatusCode, Header: res.Header, Body: b}
}

// must asserts the status of r.
func (e *env) must(r resp, status int) resp {
	e.t.Helper()
	if r.Status != status {
		if r.Status >= 500 {
			e.t.Logf("server log:\n%s", e.logs.Bytes())
		}
		e.t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	return r
}

// auditCount returns the number of audit records, verifying the chain.
func (e *env) auditCount() int64 {
	e.t.Helper()
	rep, err := audit.Verify(context.Background(), e.app.Store, e.app.Audit.Verifier())
	if err != nil {
		e.t.Fatalf("audit log: %v", err)
	}
	return rep.Records
}

// lastAudit returns the last audit event.
func (e *env) lastAudit() audit.Event {
	e.t.Helper()
	n := e.auditCount()
	var ev audit.Event
	err := e.app.Store.View(context.Background(), func(tx store.Tx) error {
		recs, err := tx.ListAudit(context.Background(), n, 1)
		if err != nil || len(recs) != 1 {
			return err
		}
		return json.Unmarshal(recs[0].Body, &ev)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return ev
}

// createCustomer creates a customer as an integration and returns its id.
func (e *env) createCustomer(p map[string]any) string {
	e.t.Helper()
	r := e.must(e.do(identity.RoleIntegration, "POST", "/api/v1/customers", p), http.StatusCreated)
	var out struct{ ID string }
	r.json(e.t, &out)
	return out.ID
}

func sampleCustomer() map[string]any {
	return map[string]any{
		"name":            "Jane Smith",
		"phones":          []string{"+1 415 555 0134"},
		"emails":          []string{"Jane.Smith@Example.com"},
		"address":         map[string]any{"lines": []string{"12 Oak Avenue"}, "city": "Springfield", "postal_code": "62701", "country": "us"},
		"date_of_birth":   "1984-07-28",
		"account_numbers": []string{"ACC12345678"},
		"attributes":      map[string]string{"tier": "gold"},
	}
}

// ctxAs returns a context whose principal holds role, for calling domain
// services directly.
func ctxAs(role string) context.Context {
	return identity.WithPrincipal(context.Background(), identity.Principal{ID: "test:" + role, Kind: identity.KindSystem, Roles: []string{role}})
}
