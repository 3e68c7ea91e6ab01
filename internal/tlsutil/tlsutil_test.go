package tlsutil_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/tlsutil"
)

// pair is the paths of a certificate and its key.
type pair struct{ cert, key string }

// newPair generates a self-signed pair in a new directory "tls" under a
// temporary directory.
func newPair(t *testing.T, extraHosts ...string) pair {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tls")
	p := pair{filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")}
	created, err := tlsutil.EnsureSelfSigned(p.cert, p.key, extraHosts)
	if err != nil || !created {
		t.Fatalf("EnsureSelfSigned() = %v, %v; want true, nil", created, err)
	}
	return p
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("%s holds no certificate", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestEnsureSelfSignedGenerates(t *testing.T) {
	before := time.Now()
	p := newPair(t, "vault.example.com", "192.0.2.10", "[2001:db8::1]", "0.0.0.0", "::", "", "127.0.0.1", "LOCALHOST")

	for _, f := range []struct {
		path string
		mode os.FileMode
	}{
		{filepath.Dir(p.cert), os.ModeDir | 0o700},
		{p.key, 0o600},
		{p.cert, 0o644},
	} {
		info, err := os.Stat(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode() != f.mode {
			t.Errorf("%s mode = %v, want %v", f.path, info.Mode(), f.mode)
		}
	}

	cert := readCert(t, p.cert)
	if got, want := cert.DNSNames, []string{"localhost", "vault.example.com"}; !slices.Equal(got, want) {
		t.Errorf("DNSNames = %q, want %q", got, want)
	}
	var ips []string
	for _, ip := range cert.IPAddresses {
		ips = append(ips, ip.String())
	}
	if want := []string{"127.0.0.1", "::1", "192.0.2.10", "2001:db8::1"}; !slices.Equal(ips, want) {
		t.Errorf("IPAddresses = %q, want %q", ips, want)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Errorf("public key = %T, want ECDSA P-256", cert.PublicKey)
	}
	// Certificates carry whole seconds.
	if cert.NotBefore.After(before) || cert.NotAfter.Before(before.Truncate(time.Second).Add(365*24*time.Hour)) ||
		cert.NotAfter.After(time.Now().Add(366*24*time.Hour)) {
		t.Errorf("validity = %v to %v, want from before now for one year", cert.NotBefore, cert.NotAfter)
	}
	if cert.IsCA || !slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Errorf("IsCA = %v, ExtKeyUsage = %v; want a server certificate", cert.IsCA, cert.ExtKeyUsage)
	}
}

func TestEnsureSelfSignedKeepsExistingPair(t *testing.T) {
	p := newPair(t)
	before, err := tlsutil.Fingerprint(p.cert)
	if err != nil {
		t.Fatal(err)
	}
	created, err := tlsutil.EnsureSelfSigned(p.cert, p.key, []string{"other.example.com"})
	if err != nil || created {
		t.Fatalf("EnsureSelfSigned() on an existing pair = %v, %v; want false, nil", created, err)
	}
	if after, _ := tlsutil.Fingerprint(p.cert); after != before {
		t.Error("EnsureSelfSigned() replaced an existing certificate")
	}
}

func TestEnsureSelfSignedErrors(t *testing.T) {
	a, b := newPair(t), newPair(t)
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.pem")
	newCert, newKey := filepath.Join(t.TempDir(), "c.pem"), filepath.Join(t.TempDir(), "k.pem")
	tests := []struct {
		name       string
		cert, key  string
		extraHosts []string
		want       string
	}{
		{"mismatched pair", a.cert, b.key, nil, "private key does not match public key"},
		{"unreadable certificate", garbage, a.key, nil, "loading " + garbage},
		{"key missing", a.cert, missing, nil, a.cert + " exists but its key " + missing + " does not"},
		{"certificate missing", missing, a.key, nil, a.key + " exists but its certificate " + missing + " does not"},
		{"bad host", newCert, newKey, []string{"not a host"}, `"not a host" is not a host name or IP address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			created, err := tlsutil.EnsureSelfSigned(tt.cert, tt.key, tt.extraHosts)
			if created || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("EnsureSelfSigned() = %v, %v; want an error containing %q", created, err, tt.want)
			}
			for _, path := range []string{missing, newCert, newKey} {
				if _, err := os.Stat(path); err == nil {
					t.Errorf("EnsureSelfSigned() created %s after failing", path)
				}
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	p := newPair(t)
	got, err := tlsutil.Fingerprint(p.cert)
	if err != nil {
		t.Fatal(err)
	}
	if want := colonHex(readCert(t, p.cert).Raw); got != want {
		t.Errorf("Fingerprint() = %s, want %s", got, want)
	}
	if _, err := tlsutil.Fingerprint(p.key); err == nil || !strings.Contains(err.Error(), "holds no PEM certificate") {
		t.Errorf("Fingerprint(key file) error = %v, want no certificate", err)
	}
	if _, err := tlsutil.Fingerprint(filepath.Join(t.TempDir(), "missing.pem")); err == nil {
		t.Error("Fingerprint(missing file) succeeded")
	}
}

// serve accepts TLS connections on a loopback port with cfg, completing
// each handshake, until the test ends. It returns the listener's address.
func serve(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.(*tls.Conn).Handshake()
			conn.Close()
		}
	}()
	return ln.Addr().String()
}

// rootsOf returns a pool trusting the certificate in certFile.
func rootsOf(t *testing.T, certFile string) *x509.CertPool {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(readCert(t, certFile))
	return pool
}

// handshake dials addr with client and returns the connection's state.
func handshake(t *testing.T, addr string, client *tls.Config) (tls.ConnectionState, error) {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, client)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer conn.Close()
	return conn.ConnectionState(), nil
}

// fingerprintOf returns the fingerprint of the server's certificate.
func fingerprintOf(cs tls.ConnectionState) string {
	return colonHex(cs.PeerCertificates[0].Raw)
}

// colonHex returns the SHA-256 of der as colon-separated upper-case hex,
// computed independently of tlsutil.
func colonHex(der []byte) string {
	sum := sha256.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var parts []string
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, ":")
}

func TestServerConfigHandshake(t *testing.T) {
	p := newPair(t)
	cfg, err := tlsutil.ServerConfig(p.cert, p.key)
	if err != nil {
		t.Fatal(err)
	}
	addr := serve(t, cfg)
	want, err := tlsutil.Fingerprint(p.cert)
	if err != nil {
		t.Fatal(err)
	}
	roots := rootsOf(t, p.cert)

	tests := []struct {
		name        string
		client      *tls.Config
		wantVersion uint16
		wantErr     string
	}{
		{"localhost name", &tls.Config{RootCAs: roots, ServerName: "localhost"}, tls.VersionTLS13, ""},
		{"loopback IP", &tls.Config{RootCAs: roots}, tls.VersionTLS13, ""},
		{"TLS 1.2 client", &tls.Config{RootCAs: roots, ServerName: "localhost", MaxVersion: tls.VersionTLS12}, tls.VersionTLS12, ""},
		{"TLS 1.1 client", &tls.Config{RootCAs: roots, ServerName: "localhost", MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}, 0, "protocol version"},
		{"CBC-only client", &tls.Config{RootCAs: roots, ServerName: "localhost", MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}}, 0, "handshake failure"},
		{"name not in certificate", &tls.Config{RootCAs: roots, ServerName: "vault.example.com"}, 0, "certificate is valid for localhost"},
		{"untrusted", &tls.Config{RootCAs: x509.NewCertPool(), ServerName: "localhost"}, 0, "certificate signed by unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := handshake(t, addr, tt.client)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("handshake error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cs.Version != tt.wantVersion {
				t.Errorf("version = %s, want %s", tls.VersionName(cs.Version), tls.VersionName(tt.wantVersion))
			}
			if got := fingerprintOf(cs); got != want {
				t.Errorf("server presented %s, want %s", got, want)
			}
		})
	}
}

func TestServerConfigReloads(t *testing.T) {
	live := newPair(t)
	cfg, err := tlsutil.ServerConfig(live.cert, live.key)
	if err != nil {
		t.Fatal(err)
	}
	addr := serve(t, cfg)
	presented := func() string {
		t.Helper()
		cs, err := handshake(t, addr, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		return fingerprintOf(cs)
	}
	first, _ := tlsutil.Fingerprint(live.cert)
	if got := presented(); got != first {
		t.Fatalf("server presented %s, want %s", got, first)
	}

	next := newPair(t)
	second, _ := tlsutil.Fingerprint(next.cert)
	// Half-way through a rotation the pair does not match: the last good
	// certificate is still served.
	if err := os.Rename(next.cert, live.cert); err != nil {
		t.Fatal(err)
	}
	if got := presented(); got != first {
		t.Errorf("with a mismatched pair the server presented %s, want the old %s", got, first)
	}
	if err := os.Rename(next.key, live.key); err != nil {
		t.Fatal(err)
	}
	if got := presented(); got != second {
		t.Errorf("after rotation the server presented %s, want the new %s", got, second)
	}

	// Removed files leave the last good certificate in service.
	if err := os.Remove(live.cert); err != nil {
		t.Fatal(err)
	}
	if got := presented(); got != second {
		t.Errorf("with the files removed the server presented %s, want %s", got, second)
	}
}

func TestServerConfigRejectsBadPair(t *testing.T) {
	a, b := newPair(t), newPair(t)
	for _, tt := range []struct {
		name, cert, key string
	}{
		{"mismatched", a.cert, b.key},
		{"missing", filepath.Join(t.TempDir(), "none.pem"), a.key},
	} {
		if cfg, err := tlsutil.ServerConfig(tt.cert, tt.key); err == nil || cfg != nil {
			t.Errorf("%s: ServerConfig() = %v, %v; want an error", tt.name, cfg, err)
		}
	}
}

// TestServerConfigOverIPv6 checks the ::1 name of a generated certificate.
func TestServerConfigOverIPv6(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	p := newPair(t)
	cfg, err := tlsutil.ServerConfig(p.cert, p.key)
	if err != nil {
		t.Fatal(err)
	}
	tln := tls.NewListener(ln, cfg)
	t.Cleanup(func() { tln.Close() })
	go func() {
		conn, err := tln.Accept()
		if err == nil {
			_ = conn.(*tls.Conn).Handshake()
			conn.Close()
		}
	}()
	if _, err := handshake(t, ln.Addr().String(), &tls.Config{RootCAs: rootsOf(t, p.cert)}); err != nil {
		t.Errorf("handshake over ::1: %v", err)
	}
}

// TestServerConfigConcurrentRotation races handshakes against a rotation;
// run with -race. Every handshake must get one of the two certificates.
func TestServerConfigConcurrentRotation(t *testing.T) {
	live, next := newPair(t), newPair(t)
	cfg, err := tlsutil.ServerConfig(live.cert, live.key)
	if err != nil {
		t.Fatal(err)
	}
	first, second := readCert(t, live.cert).Raw, readCert(t, next.cert).Raw
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for range 50 {
				c, err := cfg.GetCertificate(&tls.ClientHelloInfo{})
				if err != nil {
					errs <- err
					return
				}
				if leaf := c.Certificate[0]; !slices.Equal(leaf, first) && !slices.Equal(leaf, second) {
					errs <- errors.New("served an unknown certificate")
					return
				}
			}
			errs <- nil
		}()
	}
	if err := os.Rename(next.key, live.key); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next.cert, live.cert); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	c, err := cfg.GetCertificate(&tls.ClientHelloInfo{})
	if err != nil || !slices.Equal(c.Certificate[0], second) {
		t.Errorf("after rotation GetCertificate() = %v; want the new certificate", err)
	}
}

func BenchmarkGetCertificate(b *testing.B) {
	dir := b.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if _, err := tlsutil.EnsureSelfSigned(certFile, keyFile, nil); err != nil {
		b.Fatal(err)
	}
	cfg, err := tlsutil.ServerConfig(certFile, keyFile)
	if err != nil {
		b.Fatal(err)
	}
	hello := &tls.ClientHelloInfo{}
	for b.Loop() {
		if _, err := cfg.GetCertificate(hello); err != nil {
			b.Fatal(err)
		}
	}
}
