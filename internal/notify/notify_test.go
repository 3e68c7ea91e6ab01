package notify_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/notify"
	"github.com/confide-cc/confide/internal/tlsutil"
)

const (
	dest = "+14155550199"
	text = "Your verification code is 271828."
)

// safe fails if err is not a notify.Error or shows the destination or the
// message.
func safe(t *testing.T, err error) {
	t.Helper()
	var ne *notify.Error
	if !errors.As(err, &ne) {
		t.Fatalf("error %v (%T) is not a *notify.Error", err, err)
	}
	for _, s := range []string{dest, "4155550199", "271828", "jane@example.com"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q shows %q", err, s)
		}
	}
}

func TestSMSWebhook(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	w := &notify.SMSWebhook{URL: srv.URL, Secret: "s3cret"}
	if err := w.Send(t.Context(), dest, text); err != nil {
		t.Fatal(err)
	}
	if got.Load() != "Bearer s3cret" {
		t.Errorf("Authorization %v", got.Load())
	}
}

func TestSMSWebhookFailures(t *testing.T) {
	var elsewhere atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Store(true) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/fail":
			http.Error(w, "rejected "+dest, http.StatusBadRequest)
		case "/redirect":
			http.Redirect(w, r, other.URL, http.StatusTemporaryRedirect)
		case "/slow":
			time.Sleep(2 * time.Second)
		}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		path, detail string
	}{{"/fail", "HTTP 400"}, {"/redirect", "HTTP 307"}, {"/slow", "timeout"}} {
		w := &notify.SMSWebhook{URL: srv.URL + tc.path, Secret: "s3cret", Timeout: 300 * time.Millisecond}
		err := w.Send(t.Context(), dest, text)
		safe(t, err)
		if !strings.Contains(err.Error(), tc.detail) {
			t.Errorf("%s: %v, want %s", tc.path, err, tc.detail)
		}
	}
	if elsewhere.Load() {
		t.Error("the redirect was followed (with the secret)")
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	safe(t, (&notify.SMSWebhook{URL: "http://" + addr + "/x"}).Send(t.Context(), dest, text))
}

// requireAiosmtpd returns the Python that has Debian's aiosmtpd, or skips
// the test.
func requireAiosmtpd(t *testing.T) string {
	t.Helper()
	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import aiosmtpd").Run() != nil {
		t.Skip("python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd); skipping the real SMTP server test")
	}
	return py
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serverCert writes a self-signed certificate for 127.0.0.1 and returns
// its files and a pool that trusts it.
func serverCert(t *testing.T) (cert, key string, pool *x509.CertPool) {
	t.Helper()
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if _, err := tlsutil.EnsureSelfSigned(cert, key, nil); err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(cert)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return cert, key, pool
}

// aiosmtpd starts Debian's aiosmtpd on loopback (skipping the test without
// it) and returns its address and maildir.
func aiosmtpd(t *testing.T, extra ...string) (string, string) {
	t.Helper()
	py := requireAiosmtpd(t)
	addr := freeAddr(t)
	dir := filepath.Join(t.TempDir(), "mail")
	cmd := exec.Command(py, append(append([]string{"-m", "aiosmtpd", "-n", "-l", addr}, extra...), "-c", "aiosmtpd.handlers.Mailbox", dir)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr, dir
		}
	}
	t.Fatal("aiosmtpd did not start")
	return "", ""
}

func TestSMTP(t *testing.T) {
	addr, dir := aiosmtpd(t)
	m := &notify.SMTP{Addr: addr, From: "verify@bank.example", Security: notify.SMTPNone}
	if err := m.Send(t.Context(), "jane@example.com", text+"\n.\nline after a lone dot"); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "new", "*"))
	if len(files) != 1 {
		t.Fatalf("%d messages delivered", len(files))
	}
	b, _ := os.ReadFile(files[0])
	for _, want := range []string{"To: jane@example.com", "From: verify@bank.example", "Subject: Your verification code", text, "\n.\n", "line after a lone dot"} {
		if !strings.Contains(strings.ReplaceAll(string(b), "\r\n", "\n"), want) {
			t.Errorf("delivered message lacks %q:\n%s", want, b)
		}
	}

	// STARTTLS is required by default: this server does not offer it, so
	// nothing is sent in clear.
	err := (&notify.SMTP{Addr: addr, From: "verify@bank.example"}).Send(t.Context(), "jane@example.com", text)
	safe(t, err)
	if !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("without STARTTLS: %v", err)
	}
	// Header injection through an address is refused.
	safe(t, m.Send(t.Context(), "jane@example.com\r\nBcc: x@evil.example", text))
	// Password without TLS to a server that does not offer AUTH.
	safe(t, (&notify.SMTP{Addr: addr, From: "verify@bank.example", Security: notify.SMTPNone, Username: "u", Password: "p"}).Send(t.Context(), "jane@example.com", text))
	files, _ = filepath.Glob(filepath.Join(dir, "new", "*"))
	if len(files) != 1 {
		t.Errorf("%d messages delivered, want still 1", len(files))
	}
}

func TestSMTPUnreachable(t *testing.T) {
	addr := freeAddr(t)
	safe(t, (&notify.SMTP{Addr: addr, From: "v@bank.example", Security: notify.SMTPNone}).Send(t.Context(), "jane@example.com", text))
	// A server that accepts and says nothing: the timeout ends it.
	silent, _ := net.Listen("tcp", "127.0.0.1:0")
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	start := time.Now()
	err := (&notify.SMTP{Addr: silent.Addr().String(), From: "v@bank.example", Security: notify.SMTPNone, Timeout: 300 * time.Millisecond}).Send(ctx, "jane@example.com", text)
	safe(t, err)
	if time.Since(start) > 3*time.Second {
		t.Errorf("a silent server held the delivery for %v", time.Since(start))
	}
}

// TestSMTPOverTLS delivers through aiosmtpd with STARTTLS (required by the
// server) and with implicit TLS, verifying its certificate.
func TestSMTPOverTLS(t *testing.T) {
	cert, key, pool := serverCert(t)
	for _, tc := range []struct {
		security string
		args     []string
	}{
		{notify.SMTPStartTLS, []string{"--tlscert", cert, "--tlskey", key}},
		{notify.SMTPTLS, []string{"--smtpscert", cert, "--smtpskey", key}},
	} {
		t.Run(tc.security, func(t *testing.T) {
			addr, maildir := aiosmtpd(t, tc.args...)
			m := &notify.SMTP{Addr: addr, From: "verify@bank.example", Security: tc.security,
				TLSConfig: &tls.Config{ServerName: "127.0.0.1", RootCAs: pool, MinVersion: tls.VersionTLS12}}
			if err := m.Send(t.Context(), "jane@example.com", text); err != nil {
				t.Fatal(err)
			}
			if files, _ := filepath.Glob(filepath.Join(maildir, "new", "*")); len(files) != 1 {
				t.Fatalf("%d messages delivered", len(files))
			}
			// The system roots do not know this certificate.
			untrusted := &notify.SMTP{Addr: addr, From: "verify@bank.example", Security: tc.security}
			safe(t, untrusted.Send(t.Context(), "jane@example.com", text))
		})
	}
}

// TestSMTPAuth delivers through an aiosmtpd that requires STARTTLS and
// then authentication (testdata/smtpd_auth.py): the right user name and
// password deliver; a wrong password, or none, is refused, delivers
// nothing and does not leak into the error.
func TestSMTPAuth(t *testing.T) {
	py := requireAiosmtpd(t)
	cert, key, pool := serverCert(t)
	addr := freeAddr(t)
	host, port, _ := net.SplitHostPort(addr)
	maildir := filepath.Join(t.TempDir(), "mail")
	const user, password = "confide", "correct-horse-battery-staple"
	cmd := exec.Command(py, "testdata/smtpd_auth.py", host, port, cert, key, maildir, user, password)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ready := make([]byte, 6)
	if _, err := io.ReadFull(out, ready); err != nil || string(ready) != "ready\n" {
		t.Fatalf("smtpd_auth.py did not start: %q %v", ready, err)
	}
	tlsConfig := &tls.Config{ServerName: "127.0.0.1", RootCAs: pool, MinVersion: tls.VersionTLS12}
	send := func(username, pass string) error {
		m := &notify.SMTP{Addr: addr, From: "verify@bank.example", Security: notify.SMTPStartTLS, TLSConfig: tlsConfig, Username: username, Password: pass}
		return m.Send(t.Context(), "jane@example.com", text)
	}
	delivered := func() int {
		files, _ := filepath.Glob(filepath.Join(maildir, "new", "*"))
		return len(files)
	}
	if err := send(user, password); err != nil {
		t.Fatalf("with the right password: %v", err)
	}
	if n := delivered(); n != 1 {
		t.Fatalf("%d messages delivered, want 1", n)
	}
	for _, tc := range []struct{ name, user, password string }{
		{"wrong password", user, "not-the-password"},
		{"no credentials", "", ""},
	} {
		err := send(tc.user, tc.password)
		safe(t, err) // a refusal, not quoting the message or the recipient
		t.Logf("%s: %v", tc.name, err)
		if tc.password != "" && strings.Contains(err.Error(), tc.password) {
			t.Errorf("%s: the error %q quotes the password", tc.name, err)
		}
	}
	if n := delivered(); n != 1 {
		t.Errorf("%d messages delivered after the refusals, want still 1", n)
	}
}
