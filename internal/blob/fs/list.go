package fs

import (
	"context"
	"fmt"
	iofs "io/fs"
	"strings"

	"github.com/confide-cc/confide/internal/blob"
)

// List calls fn with the key of every object under prefix (see
// blob.Store). It walks only the directories that can hold such keys,
// skips the staging directory, and follows no symbolic link.
func (s *Store) List(ctx context.Context, prefix string, fn func(key string) error) error {
	if err := blob.ValidatePrefix(prefix); err != nil {
		return err
	}
	dir := "." // the deepest directory every key under prefix is in
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		dir = prefix[:i]
	}
	fsys := s.root.FS()
	if info, err := iofs.Stat(fsys, dir); !iofs.ValidPath(dir) || missing(err) || err == nil && !info.IsDir() {
		return nil // no key can start with prefix
	} else if err != nil {
		return fmt.Errorf("blob/fs: list: %w", err)
	}
	var fnErr error
	err := iofs.WalkDir(fsys, dir, func(name string, d iofs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case ctx.Err() != nil:
			return ctx.Err()
		case d.IsDir() && (name == stagingDir || name != dir && !strings.HasPrefix(name, prefix)):
			return iofs.SkipDir
		case !d.Type().IsRegular() || !strings.HasPrefix(name, prefix):
			return nil
		}
		fnErr = fn(name)
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("blob/fs: list: %w", err)
	}
	return nil
}
