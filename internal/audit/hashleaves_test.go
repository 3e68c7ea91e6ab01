package audit_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/confide-cc/confide/internal/audit"
)

// TestHashLeavesMatchesTlog checks HashLeaves' root, and its roots at
// intermediate sizes (around the workers' batch boundaries, where the
// batches' compact ranges are merged), against golang.org/x/mod/sumdb/tlog,
// an independent RFC 6962 implementation.
func TestHashLeavesMatchesTlog(t *testing.T) {
	const n = 3*8192 + 17
	var in bytes.Buffer
	hashes := make([]tlog.Hash, 0, 2*n)
	for i := range n {
		leaf := fmt.Appendf(nil, `{"i":%d}`, i)
		in.WriteString(base64.StdEncoding.EncodeToString(leaf) + "\n")
		stored, err := tlog.StoredHashes(int64(i), leaf, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(idx))
			for k, x := range idx {
				out[k] = hashes[x]
			}
			return out, nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, stored...)
	}
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for k, x := range idx {
			out[k] = hashes[x]
		}
		return out, nil
	})
	sizes := []uint64{0, 1, 2, 3, 4095, 8191, 8192, 8193, 8193 + 1, 16383, 16384, 16385, 20000, 24576, n - 1, n, n + 5}
	for _, workers := range []int{1, 2, 3} {
		size, root, roots, err := audit.HashLeaves(bytes.NewReader(in.Bytes()), nil, workers, sizes)
		if err != nil {
			t.Fatal(err)
		}
		if size != n {
			t.Fatalf("size %d, want %d", size, n)
		}
		want, err := tlog.TreeHash(n, reader)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(root, want[:]) {
			t.Fatalf("workers=%d: root differs from tlog's", workers)
		}
		for _, s := range sizes {
			got, ok := roots[s]
			if s > n {
				if ok {
					t.Errorf("workers=%d: a root at %d, beyond the %d leaves", workers, s, n)
				}
				continue
			}
			w, err := tlog.TreeHash(int64(s), reader)
			if err != nil {
				t.Fatal(err)
			}
			if !ok || !bytes.Equal(got, w[:]) {
				t.Errorf("workers=%d: root at size %d differs from tlog's (present %v)", workers, s, ok)
			}
		}
	}
}
