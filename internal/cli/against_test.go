package cli_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/cli"
)

// TestAuditVerifyAgainstServer exports the log, starts the server on the
// same data, lets the log grow, and checks an export against the running
// server over TLS (consistency proof from the export's checkpoint to the
// server's): it passes for the same log and fails for another server's log
// and for a token without the auditor role.
func TestAuditVerifyAgainstServer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	tok, e, code := run(t, "tokens", "create", "--data", dir, "--name", "auditor", "--role", "auditor")
	if code != 0 {
		t.Fatalf("tokens create: %s", e)
	}
	auditor := strings.TrimSpace(tok)
	tok, _, _ = run(t, "tokens", "create", "--data", dir, "--name", "crm", "--role", "integration")
	integration := strings.TrimSpace(tok)
	key, _, _ := run(t, "audit", "key", "--data", dir)
	key = strings.TrimSpace(key)
	out := filepath.Join(t.TempDir(), "export")
	o, e, code := run(t, "audit", "export", "--data", dir, "--out", out)
	var exported int
	if code != 0 || mustSscanf(o, "exported %d leaves", &exported) != nil {
		t.Fatalf("audit export: %d %s %s", code, o, e)
	}

	base, stop := serve(t, dir)
	defer stop()
	// The server's own start event, and requests, grow the log past the export.
	for range 3 {
		req, _ := http.NewRequest("GET", base+"/api/v1/audit/checkpoint", nil)
		req.Header.Set("Authorization", "Bearer "+auditor)
		res, err := tlsClient(t, dir).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	cacert := filepath.Join(dir, "tls", "cert.pem")
	// Until a checkpoint covers more than the export, so that a real
	// consistency proof is checked.
	deadline := time.Now().Add(30 * time.Second)
	for {
		o, e, code := run(t, "audit", "verify", out, "--key", key, "--against", base, "--token", auditor, "--cacert", cacert)
		if code != 0 || !strings.Contains(o, "server OK: its log") {
			t.Fatalf("verify --against the same log: %d\n%s\n%s", code, o, e)
		}
		var size, exp int
		if err := mustSscanf(o[strings.Index(o, "server OK"):], "server OK: its log (size %d) extends the export (size %d)", &size, &exp); err != nil || exp != exported {
			t.Fatalf("verify --against printed %q (%v)", o, err)
		}
		if size > exported {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server's checkpoint did not grow past the export's %d leaves in 30 s", exported)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// A token without the auditor role is refused, and the CLI says so.
	if _, e, code := run(t, "audit", "verify", out, "--key", key, "--against", base, "--token", integration, "--cacert", cacert); code != 1 || !strings.Contains(e, "404") && !strings.Contains(e, "403") {
		t.Errorf("verify --against with an integration token: %d %s", code, e)
	}
	// Another installation's server: its checkpoint is not signed by the key.
	other := filepath.Join(t.TempDir(), "other")
	run(t, "tokens", "create", "--data", other, "--name", "auditor", "--role", "auditor")
	otherBase, stopOther := serve(t, other)
	defer stopOther()
	otherTok, _, _ := run(t, "tokens", "create", "--data", other, "--name", "auditor2", "--role", "auditor")
	if _, e, code := run(t, "audit", "verify", out, "--key", key, "--against", otherBase, "--token", strings.TrimSpace(otherTok), "--cacert", filepath.Join(other, "tls", "cert.pem")); code != 1 || !strings.Contains(e, "server checkpoint") {
		t.Errorf("verify --against another installation: %d %s", code, e)
	}
	// Without --cacert the self-signed certificate is not trusted.
	if _, e, code := run(t, "audit", "verify", out, "--key", key, "--against", base, "--token", auditor); code != 1 || !strings.Contains(e, "certificate") {
		t.Errorf("verify --against without --cacert: %d %s", code, e)
	}
}

// mustSscanf is fmt.Sscanf that also fails on a partial match.
func mustSscanf(s, format string, args ...any) error {
	n, err := fmt.Sscanf(s, format, args...)
	if err == nil && n != len(args) {
		err = fmt.Errorf("matched %d of %d values", n, len(args))
	}
	return err
}

// tlsClient trusts the self-signed certificate of the data directory dir.
func tlsClient(t *testing.T, dir string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(dir, "tls", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// serve starts `confide serve` on dir (TLS, a free loopback port) and
// returns its base URL and a function that stops it.
func serve(t *testing.T, dir string, args ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &syncBuffer{}, &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server output:\n%s", errb.String())
		}
	})
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, append([]string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}, args...), nil, out, errb)
	}()
	base := waitURL(t, out, done)
	return base, func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("server did not stop")
		}
	}
}
