package fs

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path"

	"github.com/confide-cc/confide/internal/blob"
	"github.com/confide-cc/confide/internal/blob/internal/ctxio"
)

// copyBufferSize is the size of the buffer Put copies through.
const copyBufferSize = 256 << 10

// Put streams r into a staging file, syncs it and renames it over key, then
// syncs the key's directory. If the context is cancelled, r fails or any
// step before the rename fails, the staging file is removed and any
// previous object under key is left untouched. If only the final directory
// sync fails, the new object is in place but may not survive a power loss,
// and Put reports the error.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := blob.ValidateKey(key); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	staging := path.Join(stagingDir, rand.Text())
	n, err := s.stage(ctx, staging, r)
	if err == nil {
		err = s.commit(staging, key)
	}
	if err != nil {
		s.root.Remove(staging) // if stage got as far as creating it
		return 0, fmt.Errorf("blob/fs: put: %w", err)
	}
	return n, s.syncDir(path.Dir(key))
}

// stage writes r to a new staging file and syncs it.
func (s *Store) stage(ctx context.Context, name string, r io.Reader) (int64, error) {
	f, err := s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return 0, err
	}
	// writerOnly hides f's ReadFrom so that the copy goes through buf and
	// checks ctx between reads.
	n, err := io.CopyBuffer(writerOnly{f}, ctxio.NewReader(ctx, r), make([]byte, copyBufferSize))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = ctx.Err()
	}
	return n, err
}

// commit moves a complete staging file to key, creating key's directories.
func (s *Store) commit(staging, key string) error {
	if dir := path.Dir(key); dir != "." {
		if err := s.root.MkdirAll(dir, dirMode); err != nil {
			return err
		}
	}
	return s.root.Rename(staging, key)
}

// syncDir makes a rename into dir durable.
func (s *Store) syncDir(dir string) error {
	d, err := s.root.Open(dir)
	if err != nil {
		return fmt.Errorf("blob/fs: put: sync directory: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("blob/fs: put: sync directory: %w", err)
	}
	return nil
}

type writerOnly struct{ io.Writer }
