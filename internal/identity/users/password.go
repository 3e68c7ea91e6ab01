package users

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are Argon2id cost parameters (RFC 9106).
type Params struct {
	MemoryKiB uint32 // memory per hash, in KiB
	Time      uint32 // passes over the memory
	Threads   uint8  // lanes
}

// DefaultParams is RFC 9106's second recommended option (section 4):
// 64 MiB, 3 passes, 4 lanes, 128-bit salt, 256-bit tag. It costs about
// 100 ms of CPU per hash on a 2-core 2024 server (BenchmarkHashPassword),
// which bounds login throughput by design; Options.MaxConcurrentHashes
// bounds the memory (64 MiB each).
var DefaultParams = Params{MemoryKiB: 64 * 1024, Time: 3, Threads: 4}

const (
	saltLen = 16
	keyLen  = 32
	// maxPasswordBytes bounds what is hashed: longer input is refused
	// rather than silently truncated.
	maxPasswordBytes = 1024
)

// Bounds on parameters read back from the database, so that a tampered
// hash cannot make verification exhaust the node.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 16
)

// hashPassword returns the PHC string of password under p with a fresh
// random salt: $argon2id$v=19$m=…,t=…,p=…$salt$hash (unpadded base64).
func hashPassword(password string, p Params) string {
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// errBadHash reports a stored hash that is not an Argon2id PHC string this
// package can verify.
var errBadHash = errors.New("users: malformed password hash")

// parsedHash is a decoded PHC string.
type parsedHash struct {
	params    Params
	salt, key []byte
}

// parseHash decodes a PHC string made by hashPassword, refusing other
// algorithms, versions and out-of-range parameters.
func parseHash(phc string) (parsedHash, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return parsedHash{}, errBadHash
	}
	var h parsedHash
	var m, t uint32
	var p uint8
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || n != 3 ||
		fmt.Sprintf("m=%d,t=%d,p=%d", m, t, p) != parts[3] {
		return parsedHash{}, errBadHash
	}
	if m < 8*uint32(p) || m > maxMemoryKiB || t < 1 || t > maxTime || p < 1 {
		return parsedHash{}, errBadHash
	}
	h.params = Params{MemoryKiB: m, Time: t, Threads: p}
	var err error
	if h.salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4]); err != nil || len(h.salt) < 8 || len(h.salt) > 64 {
		return parsedHash{}, errBadHash
	}
	if h.key, err = base64.RawStdEncoding.Strict().DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return parsedHash{}, errBadHash
	}
	return h, nil
}

// verifyPassword reports whether password matches the PHC string phc, and
// whether phc was made with parameters other than want (so that the caller
// re-hashes it after a successful login).
func verifyPassword(phc, password string, want Params) (ok, stale bool, err error) {
	h, err := parseHash(phc)
	if err != nil {
		return false, false, err
	}
	key := argon2.IDKey([]byte(password), h.salt, h.params.Time, h.params.MemoryKiB, h.params.Threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1, h.params != want || len(h.key) != keyLen, nil
}
