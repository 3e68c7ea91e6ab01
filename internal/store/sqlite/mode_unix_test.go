//go:build unix

package sqlite_test

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// TestFileModes checks that the database, its WAL and its shared-memory
// index are readable by the owner only, even under a permissive umask.
func TestFileModes(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0))
	s, path := open(t)
	err := s.Update(t.Context(), func(tx store.Tx) error {
		_, err := tx.CreateSystemKeyset(t.Context(), store.SystemKeyset{Name: "kek", Wrapped: []byte("w"), UpdatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", p, mode)
		}
	}
}
