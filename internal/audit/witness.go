package audit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/confide-cc/confide/internal/blob"
)

// Witness keeps a copy of every checkpoint a node signs outside the
// database, so that rewriting history would also mean rewriting (or
// fooling) the witness.
type Witness interface {
	// Publish stores the signed checkpoint note of tree size size.
	Publish(ctx context.Context, size int64, note []byte) error
	// Describe names the witness for logs (no credentials).
	Describe() string
}

// DirWitness publishes to a directory (WriteWitness).
type DirWitness string

// Publish implements Witness.
func (d DirWitness) Publish(_ context.Context, size int64, note []byte) error {
	return WriteWitness(string(d), size, note)
}

// Describe implements Witness.
func (d DirWitness) Describe() string { return "dir:" + string(d) }

// ObjectStore is the part of a blob store a witness writes to and is
// read back from (blob.Store has it).
type ObjectStore interface {
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	Open(ctx context.Context, key string) (blob.Object, error)
	List(ctx context.Context, prefix string, fn func(key string) error) error
}

// ObjectWitness publishes to an object store (for example an S3 bucket
// with object lock, on another account than the database's): each note
// as witness/<size, 20 digits> and as witness/latest.
type ObjectWitness struct {
	Store       ObjectStore
	Description string
}

// WitnessLatestKey is the object holding the newest witnessed checkpoint.
const WitnessLatestKey = "witness/latest"

// witnessPrefix starts the key of every witness object.
const witnessPrefix = "witness/"

// WitnessKey is the object holding the checkpoint of tree size size.
func WitnessKey(size int64) string { return fmt.Sprintf(witnessPrefix+"%020d", size) }

// Publish implements Witness.
func (w ObjectWitness) Publish(ctx context.Context, size int64, note []byte) error {
	for _, key := range []string{WitnessKey(size), WitnessLatestKey} {
		if _, err := w.Store.Put(ctx, key, bytes.NewReader(note)); err != nil {
			return fmt.Errorf("audit: witness %s: %w", key, err)
		}
	}
	return nil
}

// Describe implements Witness.
func (w ObjectWitness) Describe() string { return w.Description }

// WriteWitness publishes a signed checkpoint note of tree size size to
// dir, outside the database: as dir/<size> and as dir/latest, each
// written to a temporary file and renamed into place, so a reader never
// sees a partial note. Rewriting history then also means rewriting
// (or fooling) this copy, which an operator keeps on other storage.
func WriteWitness(dir string, size int64, note []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("audit: witness directory: %w", err)
	}
	for _, name := range []string{strconv.FormatInt(size, 10), "latest"} {
		if err := writeFileAtomic(filepath.Join(dir, name), note); err != nil {
			return fmt.Errorf("audit: witness checkpoint: %w", err)
		}
	}
	return nil
}

// writeFileAtomic writes data to path through a temporary file in the
// same directory and a rename.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
