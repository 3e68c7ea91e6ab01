package blobtest

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/confide-cc/confide/internal/blob"
)

// testLargeStreamed stores a 20 MiB object straight from a generator, so
// neither the test nor (if the store streams) the store holds it whole,
// and reads it back sequentially and in random ranges.
func testLargeStreamed(t *testing.T, s blob.Store) {
	const (
		size = 20<<20 + 13
		key  = "large/object"
	)
	src := pattern(20)
	n, err := s.Put(t.Context(), key, src.reader(size))
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	if n != size {
		t.Fatalf("Put = %d; want %d", n, size)
	}

	obj, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer obj.Close()
	if obj.Size() != size {
		t.Fatalf("Size = %d; want %d", obj.Size(), size)
	}

	// Sequentially, in 1 MiB reads, compared as it streams.
	if _, err := io.CopyBuffer(&patternChecker{pattern: src}, io.NewSectionReader(obj, 0, size), make([]byte, 1<<20)); err != nil {
		t.Fatalf("sequential read: %v", err)
	}

	// Ranges at the edges of 16 MiB (a typical S3 part) and of the object,
	// then random ones.
	type span struct{ off, n int64 }
	spans := []span{{0, 1}, {16<<20 - 5, 10}, {16 << 20, 4096}, {size - 1, 1}, {size - 100, 100}}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 40 {
		off := rng.Int64N(size)
		spans = append(spans, span{off, 1 + rng.Int64N(min(256<<10, size-off))})
	}
	for _, sp := range spans {
		got := make([]byte, sp.n)
		if n, err := obj.ReadAt(got, sp.off); n != len(got) || (err != nil && err != io.EOF) {
			t.Fatalf("ReadAt(%d bytes, %d) = %d, %v", sp.n, sp.off, n, err)
		}
		want := make([]byte, sp.n)
		src.fill(want, sp.off)
		if !bytes.Equal(got, want) {
			t.Fatalf("ReadAt(%d bytes, %d) returned the wrong bytes", sp.n, sp.off)
		}
	}
}

// patternChecker is a writer that fails unless it is written its
// pattern, in order.
type patternChecker struct {
	pattern pattern
	off     int64
	want    []byte
}

func (c *patternChecker) Write(p []byte) (int, error) {
	if cap(c.want) < len(p) {
		c.want = make([]byte, len(p))
	}
	want := c.want[:len(p)]
	c.pattern.fill(want, c.off)
	if !bytes.Equal(p, want) {
		return 0, fmt.Errorf("wrong bytes within offsets [%d, %d)", c.off, c.off+int64(len(p)))
	}
	c.off += int64(len(p))
	return len(p), nil
}

// testConcurrent writes, reads and deletes different keys from several
// goroutines at once, and reads one object from several goroutines at
// once. Run under -race it also checks the store's own synchronization.
func testConcurrent(t *testing.T, s blob.Store) {
	const (
		writers = 8
		readers = 4
	)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			key := fmt.Sprintf("concurrent/%d", w)
			data := pattern(100 + w).bytes(256<<10 + w)
			if _, err := s.Put(t.Context(), key, bytes.NewReader(data)); err != nil {
				t.Errorf("Put(%q): %v", key, err)
				return
			}
			obj, err := s.Open(t.Context(), key)
			if err != nil {
				t.Errorf("Open(%q): %v", key, err)
				return
			}
			defer obj.Close()
			chunk := (len(data) + readers - 1) / readers
			var rg sync.WaitGroup
			for r := range readers {
				rg.Go(func() {
					off := r * chunk
					got := make([]byte, min(chunk, len(data)-off))
					if _, err := obj.ReadAt(got, int64(off)); err != nil && err != io.EOF {
						t.Errorf("ReadAt(%q, %d): %v", key, off, err)
						return
					}
					if !bytes.Equal(got, data[off:off+len(got)]) {
						t.Errorf("ReadAt(%q, %d) returned the wrong bytes", key, off)
					}
				})
			}
			rg.Wait()
			if err := s.Delete(t.Context(), key); err != nil {
				t.Errorf("Delete(%q): %v", key, err)
			}
		})
	}
	wg.Wait()
}
