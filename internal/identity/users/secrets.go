package users

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Prefixes of the secrets this package issues, so that secret scanners
// recognise leaked ones and so that one kind is never accepted as another.
const (
	linkPrefix    = "cfl_" // enrollment and setup links
	sessionPrefix = "cfs_" // session cookies
)

// newSecret returns prefix followed by 256 random bits (base64url).
func newSecret(prefix string) string {
	var b [32]byte
	rand.Read(b[:])
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// secretHash is the stored form of a secret: SHA-256. The secrets carry
// 256 random bits, so a fast hash is enough to make a database dump useless.
func secretHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// wellFormed reports whether s could be a secret with prefix, without
// touching the store.
func wellFormed(s, prefix string) bool {
	return strings.HasPrefix(s, prefix) && len(s) == len(prefix)+43
}

// newID returns prefix followed by 64 random bits in hex.
func newID(prefix string) string {
	var b [8]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
