package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/app"
	"github.com/confide-cc/confide/internal/config"
	"github.com/confide-cc/confide/internal/identity"
)

// confide is a real Confide node (SQLite, local blobs) served over loopback.
type confide struct {
	url    string
	tokens map[string]string // by role
}

func startConfide(t *testing.T, tlsOn bool) confide {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	cfg, _, err := config.Load(fs, []string{"--data", filepath.Join(t.TempDir(), "data"), "--insecure-http"}, func(string) string { return "" })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	if tlsOn {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	admin := identity.WithPrincipal(context.Background(), identity.Principal{ID: "test:admin", Kind: identity.KindSystem, Roles: []string{identity.RoleSecurityAdmin}})
	c := confide{url: srv.URL, tokens: map[string]string{}}
	for _, role := range []string{identity.RoleIntegration, identity.RoleAgent, identity.RoleAuditor} {
		secret, _, err := a.Tokens.Create(admin, "load-"+role, role)
		if err != nil {
			t.Fatalf("create token: %v", err)
		}
		c.tokens[role] = secret
	}
	return c
}

// load runs confide-load with args plus --json and returns its report.
func load(t *testing.T, args ...string) Report {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), append(args, "--json"), &stdout, &stderr); code != 0 {
		t.Fatalf("confide-load %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	var r Report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("report %q: %v", stdout.String(), err)
	}
	return r
}

func TestModesAgainstConfide(t *testing.T) {
	c := startConfide(t, false)
	tests := []struct {
		name       string
		args       []string
		wantStatus string
		wantLoop   string
	}{
		{"health closed loop", []string{"--mode", "health", "--concurrency", "4"}, "200", "closed"},
		{"ingest closed loop", []string{"--mode", "ingest", "--token", c.tokens[identity.RoleIntegration], "--customers", "3", "--transcript-bytes", "2048"}, "201", "closed"},
		{"read open loop", []string{"--mode", "read", "--token", c.tokens[identity.RoleAgent], "--customers", "5", "--rate", "2000"}, "200", "open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 40
			r := load(t, append([]string{"--url", c.url, "--duration", "1m", "--max-requests", strconv.Itoa(n)}, tt.args...)...)
			if r.Requests != n || r.OK != n || r.Errors != 0 || r.Statuses[tt.wantStatus] != n || r.Latency.Count != n {
				t.Errorf("requests %d, ok %d, errors %d, statuses %v, latencies %d; want %d %s answers",
					r.Requests, r.OK, r.Errors, r.Statuses, r.Latency.Count, n, tt.wantStatus)
			}
			if r.Loop != tt.wantLoop || (r.ServiceTime != nil) != (tt.wantLoop == "open") {
				t.Errorf("loop %q, service time %v; want %q (service time for open loops only)", r.Loop, r.ServiceTime, tt.wantLoop)
			}
			if !r.Latency.Exact || r.Latency.MaxMS < r.Latency.P50MS || r.Latency.P50MS <= 0 {
				t.Errorf("latency %+v: want exact, positive, max ≥ p50", r.Latency)
			}
		})
	}
}

func TestIngestBodiesCarryTheTranscriptSize(t *testing.T) {
	c := startConfide(t, false)
	r := load(t, "--url", c.url, "--mode", "ingest", "--token", c.tokens[identity.RoleIntegration],
		"--customers", "2", "--max-requests", "30", "--transcript-bytes", "4096")
	// The transcript plus about 250 bytes of interaction fields.
	if r.OK != 30 || r.MeanBodyBytes < 4096*9/10 || r.MeanBodyBytes > 4096*11/10+maxTurnBytes+400 {
		t.Errorf("ok %d, mean body %d bytes; want 30 and about 4.3 KB", r.OK, r.MeanBodyBytes)
	}
}

func TestTLS(t *testing.T) {
	c := startConfide(t, true)
	r := load(t, "--url", c.url, "--insecure-skip-verify", "--max-requests", "10")
	if r.OK != 10 {
		t.Errorf("with --insecure-skip-verify: ok %d, statuses %v, failures %v; want 10 ok", r.OK, r.Statuses, r.Failures)
	}
	r = load(t, "--url", c.url, "--max-requests", "3")
	if r.OK != 0 || r.Errors != 3 || r.Failures["other"] != 3 {
		t.Errorf("without it: ok %d, errors %d, failures %v; want 3 certificate failures", r.OK, r.Errors, r.Failures)
	}
}

// A token without the needed role is refused at setup; non-2xx answers
// during a run are counted as errors by status.
func TestRefusals(t *testing.T) {
	c := startConfide(t, false)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--url", c.url, "--mode", "read", "--token", c.tokens[identity.RoleAuditor], "--customers", "2"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "setup: creating customer") || stdout.Len() != 0 {
		t.Errorf("auditor read: exit %d, stderr %q, stdout %q; want exit 1 and a setup error", code, stderr.String(), stdout.String())
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":{"code":"busy"}}`, http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	r := load(t, "--url", srv.URL, "--max-requests", "7")
	if r.OK != 0 || r.Errors != 7 || r.Statuses["503"] != 7 || r.Responses != 7 {
		t.Errorf("ok %d, errors %d, statuses %v; want 7 errors with status 503", r.OK, r.Errors, r.Statuses)
	}
}

// In an open loop a stall is charged to every request scheduled during it.
// The first request takes 200 ms; the 99 others are scheduled 1 ms apart
// behind it on one connection, so each waits until at least 200 ms, and so
// is answered at least 100 ms after its scheduled time: the median latency
// is at least 100 ms, whatever the speed of the machine. A closed loop
// would report one slow request among fast ones.
func TestOpenLoopChargesStallsToDelayedRequests(t *testing.T) {
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { time.Sleep(200 * time.Millisecond) })
	}))
	defer srv.Close()
	r := load(t, "--url", srv.URL, "--rate", "1000", "--concurrency", "1", "--max-requests", "100")
	if r.OK != 100 || r.Latency.P50MS < 100 || r.Latency.MaxMS < 200 {
		t.Errorf("ok %d, latency %+v; want 100 ok, p50 ≥ 100 ms, max ≥ 200 ms", r.OK, r.Latency)
	}
}

// Requests still queued when the hard stop (duration + timeout, here 500 ms)
// passes are not sent, and count as errors: the run ends on time. Of the 20
// requests scheduled, the two workers send a first pair at once and, when it
// times out at 300 ms, perhaps a second pair; never a third (after 600 ms).
func TestOpenLoopStopsWhenTheServerCannotKeepUp(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	r := load(t, "--url", srv.URL, "--rate", "100", "--duration", "200ms", "--timeout", "300ms", "--concurrency", "2")
	if r.Requests < 2 || r.Requests > 4 || r.Failures["timeout"] != r.Requests || r.Requests+r.Unsent != 20 || r.Errors != 20 {
		t.Errorf("requests %d, failures %v, unsent %d, errors %d; want 2 to 4 timed out, the rest of 20 unsent",
			r.Requests, r.Failures, r.Unsent, r.Errors)
	}
}

func TestCommandLine(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("cft_secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no url", []string{}, "--url is required"},
		{"remote", []string{"--url", "http://192.0.2.1:8443"}, "not loopback"},
		{"bad mode", []string{"--url", "http://127.0.0.1:1", "--mode", "write"}, "--mode"},
		{"ingest without token", []string{"--url", "http://127.0.0.1:1", "--mode", "ingest"}, "needs --token"},
		{"token twice", []string{"--url", "http://127.0.0.1:1", "--token", "a", "--token-file", tokenFile}, "not both"},
		{"missing token file", []string{"--url", "http://127.0.0.1:1", "--token-file", tokenFile + ".none"}, "--token-file"},
		{"zero duration", []string{"--url", "http://127.0.0.1:1", "--duration", "0s"}, "--duration"},
		{"endless duration", []string{"--url", "http://127.0.0.1:1", "--duration", "2h"}, "--duration"},
		{"zero concurrency", []string{"--url", "http://127.0.0.1:1", "--concurrency", "0"}, "--concurrency"},
		{"negative rate", []string{"--url", "http://127.0.0.1:1", "--rate", "-1"}, "--rate"},
		{"no requests", []string{"--url", "http://127.0.0.1:1", "--max-requests", "0"}, "--max-requests"},
		{"no customers", []string{"--url", "http://127.0.0.1:1", "--mode", "read", "--token", "t", "--customers", "0"}, "--customers"},
		{"tiny transcript", []string{"--url", "http://127.0.0.1:1", "--mode", "ingest", "--token", "t", "--transcript-bytes", "10"}, "--transcript-bytes"},
		{"two-line token", []string{"--url", "http://127.0.0.1:1", "--token", "a\nb"}, "one line"},
		{"stray argument", []string{"--url", "http://127.0.0.1:1", "extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(context.Background(), tt.args, io.Discard, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), tt.wantErr)
			}
		})
	}
}

func TestTokenFile(t *testing.T) {
	c := startConfide(t, false)
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(c.tokens[identity.RoleAgent]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := load(t, "--url", c.url, "--mode", "read", "--token-file", file, "--customers", "1", "--max-requests", "5")
	if r.OK != 5 {
		t.Errorf("ok %d, statuses %v; want 5", r.OK, r.Statuses)
	}
}

func TestTextReport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--url", srv.URL, "--rate", "500", "--max-requests", "20"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"health on " + srv.URL, "open loop at 500 req/s", "20 sent, 20 answered, 20 ok, 0 errors", "200: 20", "latency:", "p99.9", "service:"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, stdout.String())
		}
	}
}
