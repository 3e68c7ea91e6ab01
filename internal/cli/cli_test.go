package cli_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/cli"
)

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

var urlRE = regexp.MustCompile(`serving on (https?://[0-9.:]+)`)

// waitURL waits until the server printed its URL.
func waitURL(t *testing.T, out *syncBuffer, errc <-chan int) string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		if m := urlRE.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-errc:
			t.Fatalf("server exited with %d before serving", code)
		case <-deadline:
			t.Fatal("server did not start")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestServeTLSAndTokens starts the server on a fresh data directory with the
// defaults (TLS with a generated certificate), creates a token with the CLI
// while it runs, calls the API over verified TLS, and stops it gracefully.
func TestServeTLSAndTokens(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "confide-data")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errb := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, []string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}, nil, out, errb)
	}()
	base := waitURL(t, out, done)
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("not TLS by default: %s", base)
	}

	// Files and modes of a fresh installation.
	for path, mode := range map[string]os.FileMode{
		dir: 0o700, dir + "/confide.db": 0o600, dir + "/root.key": 0o600, dir + "/tls/key.pem": 0o600,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), mode)
		}
	}

	tokOut, tokErr, code := run(t, "tokens", "create", "--data", dir, "--name", "crm", "--role", "integration")
	if code != 0 {
		t.Fatalf("tokens create: %d %s", code, tokErr)
	}
	token := strings.TrimSpace(tokOut)
	if !strings.HasPrefix(token, "cft_") || !strings.Contains(tokErr, "shown only once") {
		t.Fatalf("tokens create printed %q / %q", tokOut, tokErr)
	}

	pem, err := os.ReadFile(dir + "/tls/cert.pem")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	// HTTP/2, as browsers and curl negotiate it.
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	req, _ := http.NewRequest("POST", base+"/api/v1/customers", strings.NewReader(`{"name":"Ada Lovelace","phones":["+44 20 7946 0958"]}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("HTTPS request with the generated certificate: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 || res.Header.Get("Strict-Transport-Security") == "" || res.ProtoMajor != 2 {
		t.Fatalf("create customer: %d %s %s", res.StatusCode, res.Proto, body)
	}

	cancel() // what SIGTERM does through signal.NotifyContext
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no graceful shutdown")
	}

	// The log holds the whole story: start, request, stop; and verifies.
	vOut, vErr, code := run(t, "audit", "verify", "--data", dir)
	if code != 0 || !strings.Contains(vOut, "audit log OK") {
		t.Fatalf("audit verify: %d %s %s", code, vOut, vErr)
	}
	lOut, _, code := run(t, "tokens", "list", "--data", dir)
	if code != 0 || !strings.Contains(lOut, "crm") || strings.Contains(lOut, token) {
		t.Errorf("tokens list: %s", lOut)
	}
}

func TestInsecureHTTPOnlyOnLoopback(t *testing.T) {
	dir := t.TempDir() + "/d"
	_, errOut, code := run(t, "serve", "--data", dir, "--addr", "0.0.0.0:0", "--insecure-http")
	if code == 0 || !strings.Contains(errOut, "insecure") {
		t.Fatalf("plain HTTP on all interfaces was accepted: %d %s", code, errOut)
	}
}

func TestConfigCheckHidesSecrets(t *testing.T) {
	out, errOut, code := run(t, "config", "check", "--data", t.TempDir(), "--database-url", "postgres://confide:S3cretCanary@db.example:5432/confide")
	if code != 0 {
		t.Fatalf("config check: %d %s", code, errOut)
	}
	if strings.Contains(out+errOut, "S3cretCanary") || !strings.Contains(out, "database_url") {
		t.Errorf("config check output:\n%s", out)
	}
	if _, _, code := run(t, "config", "check", "--addr", "not an address"); code == 0 {
		t.Errorf("invalid configuration accepted")
	}
}

func TestKeysRotateAndRewrap(t *testing.T) {
	dir := t.TempDir() + "/d"
	if _, e, code := run(t, "migrate", "--data", dir); code != 0 {
		t.Fatalf("migrate: %s", e)
	}
	out, errOut, code := run(t, "keys", "rotate", "--data", dir)
	if code != 0 || !strings.Contains(out, "is primary") {
		t.Fatalf("keys rotate: %d %s %s", code, out, errOut)
	}
	out, _, code = run(t, "keys", "status", "--data", dir)
	if code != 0 || !strings.Contains(out, "pending re-wrap: 0") {
		t.Fatalf("keys status: %s", out)
	}
}

func TestUsage(t *testing.T) {
	if _, errOut, code := run(t, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: %d %s", code, errOut)
	}
	if out, _, code := run(t, "version"); code != 0 || !strings.HasPrefix(out, "confide ") {
		t.Errorf("version: %q", out)
	}
}

// TestSIGTERM builds the real binary, starts it and sends SIGTERM: it must
// shut down gracefully and exit 0.
func TestSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "confide")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/confide")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dir := t.TempDir() + "/d"
	cmd := exec.Command(bin, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--insecure-http")
	out, errb := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan int, 1)
	go func() {
		cmd.Wait()
		exited <- cmd.ProcessState.ExitCode()
	}()
	base := waitURL(t, out, exited)
	res, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]string
	json.NewDecoder(res.Body).Decode(&h)
	res.Body.Close()
	if h["status"] != "ok" {
		t.Fatalf("healthz: %v", h)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case code := <-exited:
		if code != 0 || !strings.Contains(errb.String(), "shutting down") {
			t.Fatalf("exit %d; stderr: %s", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no exit after SIGTERM")
	}
}
