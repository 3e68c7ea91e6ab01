package fs

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"syscall"

	"github.com/confide-cc/confide/internal/blob"
)

// Open opens the object under key for reading. The Object keeps reading
// the version that was current at Open even if key is replaced or deleted
// meanwhile. It must be closed.
func (s *Store) Open(ctx context.Context, key string) (blob.Object, error) {
	if err := blob.ValidateKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := s.root.Open(key)
	if missing(err) {
		return nil, blob.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blob/fs: open: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob/fs: open: %w", err)
	}
	if !info.Mode().IsRegular() {
		// A directory stands for a key prefix, not an object.
		f.Close()
		return nil, blob.ErrNotFound
	}
	return &object{f: f, size: info.Size()}, nil
}

// Delete removes the object under key. A missing object, or a key that is
// only a prefix of other objects, is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.ValidateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	info, err := s.root.Lstat(key)
	if missing(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("blob/fs: delete: %w", err)
	}
	if info.IsDir() {
		return nil
	}
	if err := s.root.Remove(key); err != nil && !missing(err) {
		return fmt.Errorf("blob/fs: delete: %w", err)
	}
	return nil
}

// missing reports whether err means that no file exists at a path,
// including when one of its parents is a file rather than a directory.
func missing(err error) bool {
	return errors.Is(err, iofs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// object is an open, read-only file. It exposes only blob.Object's methods,
// with the semantics of os.File: ReadAt after Close fails with
// fs.ErrClosed.
type object struct {
	f    *os.File
	size int64
}

func (o *object) ReadAt(p []byte, off int64) (int, error) { return o.f.ReadAt(p, off) }
func (o *object) Close() error                            { return o.f.Close() }
func (o *object) Size() int64                             { return o.size }
