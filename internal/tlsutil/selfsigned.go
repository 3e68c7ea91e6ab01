// Package tlsutil provides the TLS material of Confide's HTTPS server: a
// self-signed certificate for a first start, a server configuration that
// picks up rotated certificate files without a restart, and certificate
// fingerprints to print at startup.
package tlsutil

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// validity is the lifetime of a generated certificate.
const validity = 365 * 24 * time.Hour

// clockSkew backdates a generated certificate so that clients whose clock
// is slightly behind accept it.
const clockSkew = time.Hour

// EnsureSelfSigned makes sure certFile and keyFile hold a matching
// certificate and private key.
//
// If neither file exists it generates them and returns created=true: an
// ECDSA P-256 key and a self-signed server certificate valid for one year,
// for the names localhost, 127.0.0.1 and ::1 plus extraHosts (host names or
// IP addresses; empty strings and unspecified addresses such as 0.0.0.0
// are skipped). Missing parent directories are created with mode 0700, the
// key file with mode 0600 and the certificate with mode 0644. Existing
// files are never overwritten.
//
// If both exist it loads them and returns an error unless they form a
// valid pair. If only one exists it returns an error.
func EnsureSelfSigned(certFile, keyFile string, extraHosts []string) (created bool, err error) {
	certExists, err := exists(certFile)
	if err != nil {
		return false, err
	}
	keyExists, err := exists(keyFile)
	if err != nil {
		return false, err
	}
	switch {
	case certExists && keyExists:
		if _, err := tls.LoadX509KeyPair(certFile, keyFile); err != nil {
			return false, fmt.Errorf("tlsutil: loading %s and %s: %w", certFile, keyFile, err)
		}
		return false, nil
	case certExists:
		return false, fmt.Errorf("tlsutil: %s exists but its key %s does not", certFile, keyFile)
	case keyExists:
		return false, fmt.Errorf("tlsutil: %s exists but its certificate %s does not", keyFile, certFile)
	}

	dnsNames, ips, err := subjectAltNames(extraHosts)
	if err != nil {
		return false, err
	}
	certPEM, keyPEM, err := selfSigned(dnsNames, ips, time.Now())
	if err != nil {
		return false, err
	}
	if err := createFile(keyFile, keyPEM, 0o600); err != nil {
		return false, err
	}
	if err := createFile(certFile, certPEM, 0o644); err != nil {
		os.Remove(keyFile)
		return false, err
	}
	return true, nil
}

// hostName matches a DNS name, optionally with a leading wildcard label.
var hostName = regexp.MustCompile(`^(\*\.)?([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)

// subjectAltNames returns the DNS names and IP addresses of a generated
// certificate: the loopback names followed by extraHosts, without repeats.
func subjectAltNames(extraHosts []string) ([]string, []netip.Addr, error) {
	dnsNames := []string{"localhost"}
	ips := []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}
	for _, h := range extraHosts {
		h = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(h), "["), "]")
		if ip, err := netip.ParseAddr(h); err == nil {
			ip = ip.Unmap().WithZone("")
			if !ip.IsUnspecified() && !slices.Contains(ips, ip) {
				ips = append(ips, ip)
			}
			continue
		}
		switch {
		case h == "":
		case len(h) > 253 || !hostName.MatchString(h):
			return nil, nil, fmt.Errorf("tlsutil: %q is not a host name or IP address", h)
		case !slices.Contains(dnsNames, strings.ToLower(h)):
			dnsNames = append(dnsNames, strings.ToLower(h))
		}
	}
	return dnsNames, ips, nil
}

// selfSigned generates a key and a self-signed server certificate valid
// from now (less clockSkew) for validity, and returns both PEM-encoded.
func selfSigned(dnsNames []string, ips []netip.Addr, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("tlsutil: generating key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, nil, fmt.Errorf("tlsutil: generating serial number: %w", err)
	}
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"Confide"}, CommonName: "Confide self-signed certificate"},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              dnsNames,
	}
	for _, ip := range ips {
		template.IPAddresses = append(template.IPAddresses, ip.AsSlice())
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("tlsutil: creating certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("tlsutil: encoding key: %w", err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return certPEM, keyPEM, nil
}

// createFile writes data to a new file at path with exactly mode perm,
// creating missing parent directories with mode 0700. It fails if path
// exists, and leaves nothing behind when it fails.
func createFile(path string, data []byte, perm os.FileMode) (err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("tlsutil: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("tlsutil: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(path)
		}
	}()
	if err := f.Chmod(perm); err != nil { // the umask may have cleared bits
		f.Close()
		return fmt.Errorf("tlsutil: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("tlsutil: writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("tlsutil: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("tlsutil: writing %s: %w", path, err)
	}
	return nil
}

// exists reports whether path exists.
func exists(path string) (bool, error) {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("tlsutil: %w", err)
	}
}
