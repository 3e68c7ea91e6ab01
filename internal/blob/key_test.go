package blob_test

import (
	"errors"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/blob"
)

func TestValidateKey(t *testing.T) {
	tests := []struct {
		key   string
		valid bool
	}{
		{"a", true},
		{"rec/2024/0b1c-ff.enc", true},
		{".a/_b/-c", true},
		{strings.Repeat("x", blob.MaxKeyLen), true},
		{"", false},
		{strings.Repeat("x", blob.MaxKeyLen+1), false},
		{"..", false},
		{"../x", false},
		{"x/..", false},
		{"a..b", false},
		{".", false},
		{"./x", false},
		{"x/.", false},
		{"/x", false},
		{"x/", false},
		{"a//b", false},
		{"A", false},
		{`a\b`, false},
		{"a\x00", false},
		{"a b", false},
		{"\u00e9", false},
	}
	for _, tt := range tests {
		err := blob.ValidateKey(tt.key)
		if tt.valid && err != nil {
			t.Errorf("ValidateKey(%q) = %v; want nil", tt.key, err)
		}
		if !tt.valid && !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("ValidateKey(%q) = %v; want ErrInvalidKey", tt.key, err)
		}
	}
}

// FuzzValidateKey checks that every key ValidateKey accepts is a clean,
// relative, local path of allowed bytes, whatever the input.
func FuzzValidateKey(f *testing.F) {
	for _, seed := range []string{"a", "a/b", "../a", "a//b", "/a", ".", "a/./b", "a\\b", "a\x00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, key string) {
		// A prefix is valid exactly when it is short enough and of key bytes.
		keyBytes := strings.Trim(key, "abcdefghijklmnopqrstuvwxyz0123456789-_./") == ""
		if err := blob.ValidatePrefix(key); (err == nil) != (keyBytes && len(key) <= blob.MaxKeyLen) {
			t.Fatalf("ValidatePrefix(%q) = %v", key, err)
		}
		if err := blob.ValidateKey(key); err != nil {
			if !errors.Is(err, blob.ErrInvalidKey) {
				t.Fatalf("ValidateKey(%q) = %v; want ErrInvalidKey", key, err)
			}
			return
		}
		switch {
		case len(key) == 0 || len(key) > blob.MaxKeyLen:
			t.Fatalf("accepted key of length %d", len(key))
		case path.Clean(key) != key:
			t.Fatalf("accepted unclean key %q", key)
		case !filepath.IsLocal(key) || path.IsAbs(key):
			t.Fatalf("accepted non-local key %q", key)
		case !keyBytes:
			t.Fatalf("accepted key %q with a disallowed byte", key)
		}
	})
}

func TestValidatePrefix(t *testing.T) {
	tests := []struct {
		prefix string
		valid  bool
	}{
		{"", true},
		{"witness/", true},
		{"a/b-", true},
		{strings.Repeat("x", blob.MaxKeyLen), true},
		{strings.Repeat("x", blob.MaxKeyLen+1), false},
		{"A", false},
		{"a b", false},
		{"\u00e9", false},
		{"a\x00", false},
	}
	for _, tt := range tests {
		err := blob.ValidatePrefix(tt.prefix)
		if tt.valid && err != nil {
			t.Errorf("ValidatePrefix(%q) = %v; want nil", tt.prefix, err)
		}
		if !tt.valid && !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("ValidatePrefix(%q) = %v; want ErrInvalidKey", tt.prefix, err)
		}
	}
}
