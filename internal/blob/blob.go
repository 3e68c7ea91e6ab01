// Package blob defines the object store that holds encrypted recordings and
// attachments. Implementations: fs (a local directory, the default) and s3
// (any S3-compatible server). Both pass the conformance suite in blobtest.
//
// The blob store is untrusted: Confide only ever writes ciphertext to it.
package blob

import (
	"context"
	"errors"
	"io"
)

// ErrNotFound is returned when no object exists under a key.
var ErrNotFound = errors.New("blob: not found")

// ErrInvalidKey is returned for keys that are empty, too long, or contain
// anything but [a-z0-9], '-', '_', '.' and '/' separators (no "..", no
// leading '/').
var ErrInvalidKey = errors.New("blob: invalid key")

// Store is an object store.
type Store interface {
	// Put stores the bytes read from r under key, streaming (never holding
	// the whole object in memory). The object becomes visible only once
	// complete; on error nothing is left under key. It returns the number
	// of bytes stored. An existing object under key is replaced.
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	// Open returns a random-access reader over the object.
	Open(ctx context.Context, key string) (Object, error)
	// Delete removes the object; deleting a missing object is not an error.
	Delete(ctx context.Context, key string) error
	// Ping reports whether the store is reachable and writable.
	Ping(ctx context.Context) error
	// List calls fn with the key of every object whose key starts with
	// prefix (every object if prefix is empty), in no particular order,
	// and stops at fn's first error, which it returns. prefix need not end
	// at a '/'; it must consist of the bytes a key may hold (ErrInvalidKey
	// otherwise). Objects put or deleted during a listing may or may not
	// be seen.
	List(ctx context.Context, prefix string, fn func(key string) error) error
}

// Object is an open stored object.
type Object interface {
	io.ReaderAt
	io.Closer
	Size() int64
}
