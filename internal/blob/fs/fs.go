// Package fs is a blob.Store kept in a local directory, the default for a
// single Confide node.
//
// Every file operation goes through an os.Root, so no key, symbolic link
// or race can reach outside the directory. The directory is created with
// mode 0700 and objects with mode 0600. A key's '/'-separated segments
// become subdirectories (mode 0700). Empty subdirectories are left in place
// when their last object is deleted, so that a concurrent Put never finds
// its directory removed underneath it.
//
// Put streams into a file under the staging directory "~tmp" (a name no
// key can take, since keys never contain '~'), syncs it, and renames it
// over the key, so readers only ever see complete objects. A failed or
// cancelled Put removes its staging file. Staging files left by a crash
// are removed by New once they have not been written for StaleAfter.
//
// Because directories stand for key prefixes, a key cannot be both an
// object and a prefix of another object ("a" and "a/b"); a Put that would
// need that fails. S3 has no such restriction, so callers should use keys
// of a fixed shape.
package fs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path"
	"time"

	"github.com/confide-cc/confide/internal/blob"
)

const (
	dirMode     = 0o700
	fileMode    = 0o600
	stagingDir  = "~tmp"
	probePrefix = "ping-"
)

// StaleAfter is how long a staging file must have gone unwritten before New
// treats it as left by a crash and removes it. Its modification time moves
// on with every write, so only a Put stalled for this long could lose it.
const StaleAfter = time.Hour

// Store is a blob.Store in a local directory. It is safe for concurrent
// use. Close releases the directory handle.
type Store struct {
	root *os.Root
}

var _ blob.Store = (*Store)(nil)

// New opens the store in dir, creating dir (mode 0700) if it does not
// exist, and removes stale staging files (see StaleAfter). The mode of an
// existing dir is left as it is.
func New(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("blob/fs: empty directory name")
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return nil, fmt.Errorf("blob/fs: create directory: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("blob/fs: open directory: %w", err)
	}
	s := &Store{root: root}
	if err := root.MkdirAll(stagingDir, dirMode); err != nil {
		root.Close()
		return nil, fmt.Errorf("blob/fs: create staging directory: %w", err)
	}
	if err := s.removeStale(time.Now().Add(-StaleAfter)); err != nil {
		root.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the directory handle. The Store must not be used after.
func (s *Store) Close() error {
	return s.root.Close()
}

// Ping writes, syncs and removes a probe file in the staging directory.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	name := path.Join(stagingDir, probePrefix+rand.Text())
	f, err := s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return fmt.Errorf("blob/fs: ping: %w", err)
	}
	_, err = f.Write([]byte("ping"))
	err = errors.Join(err, f.Sync(), f.Close(), s.root.Remove(name))
	if err != nil {
		return fmt.Errorf("blob/fs: ping: %w", err)
	}
	return nil
}

// removeStale removes staging files last modified before cutoff.
func (s *Store) removeStale(cutoff time.Time) error {
	entries, err := iofs.ReadDir(s.root.FS(), stagingDir)
	if err != nil {
		return fmt.Errorf("blob/fs: list staging directory: %w", err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if errors.Is(err, iofs.ErrNotExist) {
			continue // removed meanwhile
		}
		if err != nil {
			return fmt.Errorf("blob/fs: stat staging file: %w", err)
		}
		if info.ModTime().After(cutoff) {
			continue
		}
		if err := s.root.RemoveAll(path.Join(stagingDir, e.Name())); err != nil {
			return fmt.Errorf("blob/fs: remove stale staging file: %w", err)
		}
	}
	return nil
}
