package users

import (
	"crypto/rand"
	"crypto/sha256"
	"strings"
)

// RecoveryCodes is how many single-use recovery codes a user gets.
const RecoveryCodes = 10

// recoveryAlphabet is Crockford's base32 without I, L, O, U: no letters
// that read like digits.
const recoveryAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newRecoveryCodes returns RecoveryCodes codes of 16 symbols (80 random
// bits) shown as XXXX-XXXX-XXXX-XXXX, and their stored hashes. 80 bits
// make a fast hash safe against offline guessing.
func newRecoveryCodes() (codes []string, hashes [][]byte) {
	for range RecoveryCodes {
		var b [16]byte
		rand.Read(b[:])
		var sb strings.Builder
		for i, v := range b {
			if i > 0 && i%4 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(recoveryAlphabet[v&31])
		}
		codes = append(codes, sb.String())
		hashes = append(hashes, recoveryHash(sb.String()))
	}
	return codes, hashes
}

// normalizeRecoveryCode upper-cases code and drops separators, so that
// "abcd efgh-…" matches; it returns "" for anything that cannot be a code.
func normalizeRecoveryCode(code string) string {
	var sb strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == '-' || r == ' ':
		case strings.ContainsRune(recoveryAlphabet, r):
			sb.WriteRune(r)
		default:
			return ""
		}
	}
	if sb.Len() != 16 {
		return ""
	}
	return sb.String()
}

// recoveryHash is the stored form of a code (any spelling).
func recoveryHash(code string) []byte {
	h := sha256.Sum256([]byte("confide/recovery-code/v1:" + normalizeRecoveryCode(code)))
	return h[:]
}
