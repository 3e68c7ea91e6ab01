package blob

import (
	"fmt"
	"strings"
)

// MaxKeyLen is the longest key, in bytes, that a Store accepts. It keeps
// every path segment within the 255-byte file-name limit of common file
// systems and every S3 object name, prefix included, far below 1024 bytes.
const MaxKeyLen = 255

// ValidateKey returns nil if key is acceptable to every Store, and an error
// wrapping ErrInvalidKey otherwise. A valid key is 1 to MaxKeyLen bytes of
// [a-z0-9], '-', '_' and '.', in non-empty segments separated by single '/'
// characters; it contains no "..", and no segment is ".". So a key never
// starts or ends with '/', and no key names a location outside the store.
//
// The error message describes the rule broken without quoting the key.
func ValidateKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(key) > MaxKeyLen:
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidKey, MaxKeyLen)
	case strings.Contains(key, ".."):
		return fmt.Errorf("%w: contains \"..\"", ErrInvalidKey)
	}
	if i := badByte(key); i >= 0 {
		return fmt.Errorf("%w: byte %d is not one of [a-z0-9._/-]", ErrInvalidKey, i)
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch seg {
		case "":
			return fmt.Errorf("%w: empty path segment", ErrInvalidKey)
		case ".":
			return fmt.Errorf("%w: \".\" path segment", ErrInvalidKey)
		}
	}
	return nil
}

// ValidatePrefix returns nil if prefix may start a valid key: at most
// MaxKeyLen bytes of [a-z0-9._/-], and an error wrapping ErrInvalidKey
// otherwise. The empty prefix is valid.
func ValidatePrefix(prefix string) error {
	if len(prefix) > MaxKeyLen {
		return fmt.Errorf("%w: prefix longer than %d bytes", ErrInvalidKey, MaxKeyLen)
	}
	if i := badByte(prefix); i >= 0 {
		return fmt.Errorf("%w: prefix byte %d is not one of [a-z0-9._/-]", ErrInvalidKey, i)
	}
	return nil
}

// badByte returns the index of the first byte of s that no key may hold,
// or -1.
func badByte(s string) int {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 0x80 || !keyByte(byte(r)) })
}

func keyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '/'
}
