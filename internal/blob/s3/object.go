package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"sync/atomic"

	"github.com/confide-cc/confide/internal/blob"
	"github.com/minio/minio-go/v7"
)

// errReplaced is returned by ReadAt when the key has been overwritten since
// Open.
var errReplaced = errors.New("blob/s3: object replaced since Open")

// Open looks up the object's size and version; no data is read until
// ReadAt. Every ReadAt runs under ctx, so cancelling ctx stops the
// Object's reads as well as Open.
func (s *Store) Open(ctx context.Context, key string) (blob.Object, error) {
	if err := blob.ValidateKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	name := s.prefix + key
	info, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err = mapError(err); err != nil {
		if errors.Is(err, blob.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("blob/s3: open: %w", err)
	}
	return &object{
		ctx:    ctx,
		core:   minio.Core{Client: s.client},
		bucket: s.bucket,
		name:   name,
		etag:   info.ETag,
		size:   info.Size,
	}, nil
}

// object reads an S3 object with ranged GETs. It is safe for concurrent
// use, as io.ReaderAt requires.
type object struct {
	ctx    context.Context // Open's, bounding every read
	core   minio.Core
	bucket string
	name   string
	etag   string
	size   int64
	closed atomic.Bool
}

func (o *object) Size() int64 { return o.size }

// Close marks the object closed; ReadAt then fails with fs.ErrClosed. No
// connection stays open between reads, so there is nothing else to release.
func (o *object) Close() error {
	o.closed.Store(true)
	return nil
}

// ReadAt reads len(p) bytes at off with one ranged GET, following the
// io.ReaderAt contract: fewer bytes come with io.EOF at the object's end.
func (o *object) ReadAt(p []byte, off int64) (int, error) {
	switch {
	case o.closed.Load():
		return 0, fmt.Errorf("blob/s3: read: %w", iofs.ErrClosed)
	case off < 0:
		return 0, errors.New("blob/s3: read: negative offset")
	case len(p) == 0:
		return 0, nil
	case off >= o.size:
		return 0, io.EOF
	}
	n := min(int64(len(p)), o.size-off)
	var opts minio.GetObjectOptions
	if err := opts.SetRange(off, off+n-1); err != nil {
		return 0, fmt.Errorf("blob/s3: read: %w", err)
	}
	if o.etag != "" {
		if err := opts.SetMatchETag(o.etag); err != nil {
			return 0, fmt.Errorf("blob/s3: read: %w", err)
		}
	}
	body, _, _, err := o.core.GetObject(o.ctx, o.bucket, o.name, opts)
	if err != nil {
		return 0, readError(err)
	}
	defer body.Close()
	got, err := io.ReadFull(body, p[:n])
	if err != nil {
		return got, fmt.Errorf("blob/s3: read: %w", err)
	}
	if n < int64(len(p)) {
		return got, io.EOF
	}
	return got, nil
}

// readError maps a failed GET to blob.ErrNotFound for a deleted object and
// to errReplaced for a replaced one.
func readError(err error) error {
	switch minio.ToErrorResponse(err).Code {
	case minio.NoSuchKey:
		return blob.ErrNotFound
	case minio.PreconditionFailed:
		return errReplaced
	}
	return fmt.Errorf("blob/s3: read: %w", err)
}
