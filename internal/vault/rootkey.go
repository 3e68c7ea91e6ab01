package vault

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/tink-crypto/tink-go/v2/aead/subtle"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// RootKeySize is the size in bytes of a root key file.
const RootKeySize = 32

// KeySource provides the root AEAD, the top of the key hierarchy. It wraps
// the installation keysets (the key-encryption keyset and the blind-index
// keyset) and nothing else.
type KeySource interface {
	// RootAEAD returns the AEAD that wraps installation keysets.
	RootAEAD(ctx context.Context) (tink.AEAD, error)
	// Describe names the source for operators and logs (for example
	// "file:/etc/confide/root.key"); it never contains key material.
	Describe() string
}

// FileKeySource returns a KeySource backed by a file holding RootKeySize
// random bytes (see EnsureRootKeyFile). The file is read, and its size and
// permissions checked, on every call to RootAEAD.
func FileKeySource(path string) KeySource { return fileKeySource{path: path} }

type fileKeySource struct{ path string }

func (s fileKeySource) Describe() string { return "file:" + s.path }

func (s fileKeySource) RootAEAD(context.Context) (tink.AEAD, error) {
	key, err := readRootKey(s.path)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	a, err := subtle.NewAESGCM(key) // copies key
	if err != nil {
		return nil, fmt.Errorf("vault: root key %s: %w", s.Describe(), err)
	}
	return redactedAEAD{AEAD: a}, nil
}

// AEADKeySource adapts any tink.AEAD, typically one obtained from a KMS
// client (registry.KMSClient.GetAEAD), into a KeySource. description is
// returned by Describe and must not contain credentials.
func AEADKeySource(description string, a tink.AEAD) KeySource {
	return aeadKeySource{description: description, aead: redactedAEAD{AEAD: a}}
}

type aeadKeySource struct {
	redacted
	description string
	aead        tink.AEAD
}

func (s aeadKeySource) Describe() string { return s.description }

func (s aeadKeySource) RootAEAD(context.Context) (tink.AEAD, error) { return s.aead, nil }

// redactedAEAD hides a root AEAD (which may hold the raw root key) from fmt
// and slog.
type redactedAEAD struct {
	redacted
	tink.AEAD
}

// EnsureRootKeyFile creates a root key file at path holding RootKeySize
// bytes from crypto/rand, readable and writable by the owner only (0600).
// The parent directory must exist. The file is created with O_EXCL, so a
// concurrent creator cannot be overwritten, and it is removed again if
// writing or syncing it fails.
//
// If path already exists, EnsureRootKeyFile reports created=false and
// returns an error unless it is a regular file of exactly RootKeySize bytes
// with no permission bits for group or others.
func EnsureRootKeyFile(path string) (created bool, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		key, err := readRootKey(path)
		clear(key)
		return false, err
	}
	if err != nil {
		return false, fmt.Errorf("vault: create root key file: %w", err)
	}
	key := make([]byte, RootKeySize)
	_, _ = rand.Read(key) // never fails; see crypto/rand.Read
	_, err = f.Write(key)
	clear(key)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return false, fmt.Errorf("vault: write root key file: %w", err)
	}
	return true, nil
}

// readRootKey reads and validates a root key file. The caller clears the
// returned key when done with it.
func readRootKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("vault: open root key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("vault: stat root key file: %w", err)
	}
	switch {
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("vault: root key file %s is not a regular file", path)
	case fi.Mode().Perm()&0o077 != 0:
		return nil, fmt.Errorf("vault: root key file %s has mode %04o; it must not be accessible to group or others (chmod 600)", path, fi.Mode().Perm())
	case fi.Size() != RootKeySize:
		return nil, fmt.Errorf("vault: root key file %s holds %d bytes, want %d", path, fi.Size(), RootKeySize)
	}
	key := make([]byte, RootKeySize)
	if _, err := io.ReadFull(f, key); err != nil {
		clear(key)
		return nil, fmt.Errorf("vault: read root key file %s: %w", path, err)
	}
	return key, nil
}
