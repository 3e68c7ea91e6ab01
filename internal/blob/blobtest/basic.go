package blobtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/blob"
)

func testRoundTrip(t *testing.T, s blob.Store) {
	for _, size := range []int{0, 1, 100, 64<<10 + 1, 1<<20 + 7} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			key := fmt.Sprintf("round-trip/%d.bin", size)
			data := pattern(size).bytes(size)
			put(t, s, key, data)

			obj, err := s.Open(t.Context(), key)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer obj.Close()
			if obj.Size() != int64(size) {
				t.Fatalf("Size = %d; want %d", obj.Size(), size)
			}
			wantContent(t, s, key, data)
		})
	}
}

func testReadAt(t *testing.T, s blob.Store) {
	const size = 1000
	data := pattern(7).bytes(size)
	put(t, s, "read-at", data)
	obj, err := s.Open(t.Context(), "read-at")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer obj.Close()

	tests := []struct {
		name     string
		off      int64
		len      int
		wantN    int
		wantEOF  bool // err must be io.EOF
		allowEOF bool // err may be io.EOF or nil (a read that ends exactly at the end)
	}{
		{name: "start", off: 0, len: 100, wantN: 100},
		{name: "middle", off: 500, len: 100, wantN: 100},
		{name: "single byte", off: 999, len: 1, wantN: 1, allowEOF: true},
		{name: "up to end", off: 900, len: 100, wantN: 100, allowEOF: true},
		{name: "whole", off: 0, len: size, wantN: size, allowEOF: true},
		{name: "across end", off: 950, len: 100, wantN: 50, wantEOF: true},
		{name: "larger than object", off: 0, len: 2 * size, wantN: size, wantEOF: true},
		{name: "at end", off: size, len: 10, wantN: 0, wantEOF: true},
		{name: "past end", off: 2 * size, len: 10, wantN: 0, wantEOF: true},
		{name: "empty buffer", off: 10, len: 0, wantN: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := make([]byte, tt.len)
			n, err := obj.ReadAt(p, tt.off)
			if n != tt.wantN {
				t.Fatalf("ReadAt(%d bytes, %d) = %d bytes; want %d", tt.len, tt.off, n, tt.wantN)
			}
			switch {
			case tt.wantEOF && err != io.EOF:
				t.Fatalf("ReadAt(%d bytes, %d) error = %v; want io.EOF", tt.len, tt.off, err)
			case !tt.wantEOF && err != nil && !(tt.allowEOF && err == io.EOF):
				t.Fatalf("ReadAt(%d bytes, %d) error = %v", tt.len, tt.off, err)
			}
			if n > 0 && !bytes.Equal(p[:n], data[tt.off:tt.off+int64(n)]) {
				t.Fatalf("ReadAt(%d bytes, %d) returned the wrong bytes", tt.len, tt.off)
			}
		})
	}

	t.Run("negative offset", func(t *testing.T) {
		n, err := obj.ReadAt(make([]byte, 10), -1)
		if n != 0 || err == nil || err == io.EOF {
			t.Fatalf("ReadAt(10 bytes, -1) = %d, %v; want 0 and an error other than io.EOF", n, err)
		}
	})

	t.Run("zero-byte object", func(t *testing.T) {
		put(t, s, "read-at-empty", nil)
		empty, err := s.Open(t.Context(), "read-at-empty")
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer empty.Close()
		if n, err := empty.ReadAt(make([]byte, 10), 0); n != 0 || err != io.EOF {
			t.Fatalf("ReadAt(10 bytes, 0) = %d, %v; want 0, io.EOF", n, err)
		}
	})
}

func testReadAtAfterClose(t *testing.T, s blob.Store) {
	put(t, s, "closed", []byte("some bytes"))
	obj, err := s.Open(t.Context(), "closed")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := obj.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n, err := obj.ReadAt(make([]byte, 4), 0); err == nil || err == io.EOF {
		t.Fatalf("ReadAt after Close = %d, %v; want an error other than io.EOF", n, err)
	}
}

func testReplace(t *testing.T, s blob.Store) {
	versions := [][]byte{
		[]byte("first version"),
		[]byte("second version, which is longer than the first"),
		[]byte("third"),
		nil,
		[]byte("fifth"),
	}
	for i, data := range versions {
		put(t, s, "replaced", data)
		obj, err := s.Open(t.Context(), "replaced")
		if err != nil {
			t.Fatalf("version %d: Open: %v", i+1, err)
		}
		size := obj.Size()
		obj.Close()
		if size != int64(len(data)) {
			t.Fatalf("version %d: Size = %d; want %d", i+1, size, len(data))
		}
		wantContent(t, s, "replaced", data)
	}
}

func testDelete(t *testing.T, s blob.Store) {
	ctx := t.Context()
	if err := s.Delete(ctx, "never-stored"); err != nil {
		t.Fatalf("Delete of a missing object: %v", err)
	}
	put(t, s, "deleted", []byte("short-lived"))
	for i := range 2 {
		if err := s.Delete(ctx, "deleted"); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
		wantNotFound(t, s, "deleted")
	}
}

func testNotFound(t *testing.T, s blob.Store) {
	put(t, s, "present/object", []byte("x"))
	for _, key := range []string{"absent", "absent/deeper/key", "present/absent", "present/object/below"} {
		t.Run(key, func(t *testing.T) { wantNotFound(t, s, key) })
	}
}

// testNestedKeys checks that keys sharing a prefix are independent objects
// and that a prefix alone is not an object.
func testNestedKeys(t *testing.T, s blob.Store) {
	ctx := t.Context()
	put(t, s, "dir/sub/a", []byte("a"))
	put(t, s, "dir/sub/b", []byte("b"))

	if err := s.Delete(ctx, "dir/sub/a"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantNotFound(t, s, "dir/sub/a")
	wantContent(t, s, "dir/sub/b", []byte("b"))

	for _, prefix := range []string{"dir", "dir/sub"} {
		wantNotFound(t, s, prefix)
		if err := s.Delete(ctx, prefix); err != nil {
			t.Fatalf("Delete(%q) of a prefix: %v", prefix, err)
		}
	}
	wantContent(t, s, "dir/sub/b", []byte("b"))

	// The key's directory may be emptied and written again.
	if err := s.Delete(ctx, "dir/sub/b"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	put(t, s, "dir/sub/c", []byte("c"))
	wantContent(t, s, "dir/sub/c", []byte("c"))
}

func testValidKeys(t *testing.T, s blob.Store) {
	keys := []string{
		"k",
		"0",
		"rec-2024_01.enc",
		"nested/path/to/object",
		".leading-dot",
		"trailing-dot.",
		"a.b/c.d",
		"_/-/.x",
		strings.Repeat("m", blob.MaxKeyLen),
		strings.Repeat("s/", blob.MaxKeyLen/2) + "e",
	}
	for _, key := range keys {
		t.Run(strings.ReplaceAll(key[:min(len(key), 32)], "/", "|"), func(t *testing.T) {
			if err := blob.ValidateKey(key); err != nil {
				t.Fatalf("ValidateKey: %v", err)
			}
			data := []byte("content of " + key)
			put(t, s, key, data)
			wantContent(t, s, key, data)
			if err := s.Delete(t.Context(), key); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			wantNotFound(t, s, key)
		})
	}
}

func testInvalidKeys(t *testing.T, s blob.Store) {
	tests := []struct{ name, key string }{
		{"empty", ""},
		{"parent", ".."},
		{"parent prefix", "../x"},
		{"parent inside", "a/../b"},
		{"parent suffix", "a/.."},
		{"double dot in name", "a..b"},
		{"dot segment", "a/./b"},
		{"lone dot", "."},
		{"absolute", "/abs"},
		{"trailing slash", "a/"},
		{"double slash", "a//b"},
		{"too long", strings.Repeat("l", blob.MaxKeyLen+1)},
		{"very long", strings.Repeat("v", 4096)},
		{"NUL", "a\x00b"},
		{"backslash", `a\b`},
		{"backslash parent", `..\x`},
		{"upper case", "Key"},
		{"space", "a b"},
		{"tilde", "~tmp/x"},
		{"newline", "a\nb"},
		{"non-ASCII", "caf\u00e9"},
		{"percent", "a%2Fb"},
		{"colon", "c:x"},
	}
	ctx := t.Context()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.NewReader("must not be stored")
			if _, err := s.Put(ctx, tt.key, src); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Put: %v; want blob.ErrInvalidKey", err)
			}
			if obj, err := s.Open(ctx, tt.key); !errors.Is(err, blob.ErrInvalidKey) {
				if err == nil {
					obj.Close()
				}
				t.Errorf("Open: %v; want blob.ErrInvalidKey", err)
			}
			if err := s.Delete(ctx, tt.key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Delete: %v; want blob.ErrInvalidKey", err)
			}
			if err := blob.ValidateKey(tt.key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("ValidateKey: %v; want blob.ErrInvalidKey", err)
			}
		})
	}
}

func testPing(t *testing.T, s blob.Store) {
	for i := range 2 {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("Ping #%d: %v", i+1, err)
		}
	}
}
