package blobtest

import (
	"errors"
	"slices"
	"testing"

	"github.com/confide-cc/confide/internal/blob"
)

// listKeys are stored by testList: keys of a fixed shape, some sharing
// prefixes that do not end at a '/'.
var listKeys = []string{"w/00000000000000000002", "w/00000000000000000010", "w/latest", "wx", "w2/a/b", "other/a"}

// Keys returns every key under prefix, sorted, and fails the test on an
// error.
func Keys(t testing.TB, s blob.Store, prefix string) []string {
	t.Helper()
	var keys []string
	if err := s.List(t.Context(), prefix, func(key string) error {
		keys = append(keys, key)
		return nil
	}); err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	slices.Sort(keys)
	return keys
}

func testList(t *testing.T, s blob.Store) {
	if got := Keys(t, s, ""); len(got) != 0 {
		t.Fatalf("List of an empty store = %q", got)
	}
	for _, k := range listKeys {
		put(t, s, k, []byte(k))
	}
	if err := s.Delete(t.Context(), "other/a"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"w/00000000000000000002", "w/00000000000000000010", "w/latest", "w2/a/b", "wx"}},
		{"w/", []string{"w/00000000000000000002", "w/00000000000000000010", "w/latest"}},
		{"w/0000000000000000001", []string{"w/00000000000000000010"}},
		{"w", []string{"w/00000000000000000002", "w/00000000000000000010", "w/latest", "w2/a/b", "wx"}},
		{"w2/a/", []string{"w2/a/b"}},
		{"w/latest", []string{"w/latest"}},
		{"w/latest/", nil},
		{"other/", nil},
		{"none/", nil},
		{"w//", nil},
		{"w/../", nil},
	}
	for _, tt := range tests {
		if got := Keys(t, s, tt.prefix); !slices.Equal(got, tt.want) {
			t.Errorf("List(%q) = %q; want %q", tt.prefix, got, tt.want)
		}
	}
}

// testListErrors checks that List refuses a prefix no key can have and
// stops at, and returns, the callback's first error.
func testListErrors(t *testing.T, s blob.Store) {
	if err := s.List(t.Context(), "W/", func(string) error { return nil }); !errors.Is(err, blob.ErrInvalidKey) {
		t.Errorf("List of an invalid prefix = %v; want ErrInvalidKey", err)
	}
	put(t, s, "p/a", []byte("a"))
	put(t, s, "p/b", []byte("b"))
	stop := errors.New("stop")
	calls := 0
	err := s.List(t.Context(), "p/", func(string) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("List with a failing callback = %v after %d calls; want the callback's error after 1", err, calls)
	}
}
