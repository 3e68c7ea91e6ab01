package blobtest

import (
	"bytes"
	"io"
	"testing"
)

// TestPatternFill checks fill at every alignment against the pattern's
// byte-by-byte definition, and the reader against fill.
func TestPatternFill(t *testing.T) {
	const seed = pattern(5)
	want := make([]byte, 100)
	for i := range want {
		want[i] = byte(seed.word(int64(i)/8) >> (8 * (i % 8)))
	}
	for off := range 20 {
		for n := range 40 {
			got := make([]byte, n)
			seed.fill(got, int64(off))
			if !bytes.Equal(got, want[off:off+n]) {
				t.Fatalf("fill(%d bytes, %d) = %x; want %x", n, off, got, want[off:off+n])
			}
		}
	}
	got, err := io.ReadAll(io.LimitReader(seed.reader(1<<20), int64(len(want))))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("reader = %x, %v; want %x", got, err, want)
	}
}
