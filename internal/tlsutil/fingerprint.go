package tlsutil

import (
	"crypto/sha256"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
)

// Fingerprint returns the SHA-256 fingerprint of the first certificate in
// the PEM file certFile, as upper-case hex byte pairs joined by colons
// ("AB:01:..."), the form browsers and openssl show.
func Fingerprint(certFile string) (string, error) {
	data, err := os.ReadFile(certFile)
	if err != nil {
		return "", fmt.Errorf("tlsutil: %w", err)
	}
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return "", fmt.Errorf("tlsutil: %s holds no PEM certificate", certFile)
		}
		if block.Type == "CERTIFICATE" {
			return formatFingerprint(sha256.Sum256(block.Bytes)), nil
		}
	}
}

func formatFingerprint(sum [sha256.Size]byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
