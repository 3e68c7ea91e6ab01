package tlsutil

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"sync"
)

// cipherSuites are the TLS 1.2 suites offered: forward-secret AEADs only.
// TLS 1.3 suites are not configurable and all are modern.
var cipherSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// ServerConfig returns a server TLS configuration serving the certificate
// and key in certFile and keyFile. It requires TLS 1.2 or later with
// forward-secret AEAD cipher suites; TLS 1.3 is negotiated whenever the
// client supports it.
//
// The files are checked at every handshake and reloaded when either has
// changed (modification time, size or identity), so a certificate can be
// rotated by replacing the files, preferably each by a rename. Until the
// new pair loads — for instance while only one of the two files has been
// replaced — the last good certificate is served.
//
// It returns an error if the files do not hold a valid pair now.
func ServerConfig(certFile, keyFile string) (*tls.Config, error) {
	r := &reloader{certFile: certFile, keyFile: keyFile}
	if err := r.reload(); err != nil {
		return nil, err
	}
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		CipherSuites:   cipherSuites,
		GetCertificate: r.getCertificate,
	}, nil
}

// reloader serves a certificate pair, reloading it when its files change.
type reloader struct {
	certFile, keyFile string

	mu        sync.Mutex
	cert      *tls.Certificate // the last pair that loaded
	certStamp os.FileInfo      // the files as last tried, whether they loaded or not
	keyStamp  os.FileInfo
}

// getCertificate implements tls.Config.GetCertificate.
func (r *reloader) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// On failure the last good pair, which ServerConfig ensured, is served.
	_ = r.reload()
	return r.cert, nil
}

// reload loads the pair again unless both files are unchanged since the
// last try, so that a broken pair is not parsed at every handshake. It
// returns the error of this try; nil if the pair loaded or was unchanged.
// r.mu must be held once r is shared.
func (r *reloader) reload() error {
	certStamp, certErr := os.Stat(r.certFile)
	keyStamp, keyErr := os.Stat(r.keyFile)
	if err := errors.Join(certErr, keyErr); err != nil {
		return fmt.Errorf("tlsutil: %w", err)
	}
	if sameStamp(r.certStamp, certStamp) && sameStamp(r.keyStamp, keyStamp) {
		return nil
	}
	r.certStamp, r.keyStamp = certStamp, keyStamp
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("tlsutil: loading %s and %s: %w", r.certFile, r.keyFile, err)
	}
	r.cert = &cert
	return nil
}

// sameStamp reports whether b shows no change from a: the same file, size
// and modification time.
func sameStamp(a, b os.FileInfo) bool {
	return a != nil && os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}
