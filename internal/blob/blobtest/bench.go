package blobtest

import (
	"io"
	"testing"

	"github.com/confide-cc/confide/internal/blob"
)

// benchSize is the size of the object Bench writes and reads.
const benchSize = 64 << 20

// benchReadSize is the buffer size of each ReadAt in the read benchmark.
const benchReadSize = 1 << 20

// Bench measures the throughput of streaming a 64 MiB object into s
// ("Put64MiB") and of reading it back with sequential 1 MiB ReadAt calls
// ("Read64MiB").
func Bench(b *testing.B, s blob.Store) {
	const key = "bench/object"
	b.Run("Put64MiB", func(b *testing.B) {
		b.SetBytes(benchSize)
		for b.Loop() {
			if _, err := s.Put(b.Context(), key, pattern(9).reader(benchSize)); err != nil {
				b.Fatalf("Put: %v", err)
			}
		}
	})
	b.Run("Read64MiB", func(b *testing.B) {
		if _, err := s.Put(b.Context(), key, pattern(9).reader(benchSize)); err != nil {
			b.Fatalf("Put: %v", err)
		}
		buf := make([]byte, benchReadSize)
		b.SetBytes(benchSize)
		for b.Loop() {
			obj, err := s.Open(b.Context(), key)
			if err != nil {
				b.Fatalf("Open: %v", err)
			}
			for off := int64(0); off < obj.Size(); off += benchReadSize {
				if _, err := obj.ReadAt(buf, off); err != nil && err != io.EOF {
					b.Fatalf("ReadAt: %v", err)
				}
			}
			obj.Close()
		}
	})
	if err := s.Delete(b.Context(), key); err != nil {
		b.Fatalf("Delete: %v", err)
	}
}
