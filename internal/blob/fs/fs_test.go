package fs_test

import (
	"bytes"
	"errors"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/blob"
	"github.com/confide-cc/confide/internal/blob/blobtest"
	"github.com/confide-cc/confide/internal/blob/fs"
)

// stagingDir mirrors the package's staging directory name, which the
// package documents.
const stagingDir = "~tmp"

// newStore opens a store in a fresh directory. When the test ends it checks
// that no staging file was left behind and that every file and directory
// is private to the owner.
func newStore(t *testing.T) (*fs.Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "blobs")
	s, err := fs.New(dir)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		checkTree(t, dir)
	})
	return s, dir
}

// checkTree fails the test if dir holds a staging file or anything that is
// not an owner-only file (0600) or directory (0700).
func checkTree(t *testing.T, dir string) {
	t.Helper()
	staged, err := os.ReadDir(filepath.Join(dir, stagingDir))
	if err != nil {
		t.Fatalf("read staging directory: %v", err)
	}
	for _, e := range staged {
		t.Errorf("staging file %q left behind", e.Name())
	}
	err = filepath.WalkDir(dir, func(path string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := iofs.FileMode(0o600)
		if d.IsDir() {
			want = iofs.ModeDir | 0o700
		}
		if info.Mode() != want {
			t.Errorf("%s has mode %v; want %v", path, info.Mode(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
}

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, _ := newStore(t)
		return s
	})
}

func TestNewRejectsBadDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, dir := range map[string]string{"empty name": "", "a file": file, "below a file": filepath.Join(file, "dir")} {
		t.Run(name, func(t *testing.T) {
			if s, err := fs.New(dir); err == nil {
				s.Close()
				t.Fatalf("New(%q) succeeded; want an error", dir)
			}
		})
	}
}

func TestNewRemovesStaleStagingFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "blobs")
	s, err := fs.New(dir)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	s.Close()

	staging := filepath.Join(dir, stagingDir)
	old := time.Now().Add(-fs.StaleAfter - time.Minute)
	for _, name := range []string{"stale", "fresh"} {
		if err := os.WriteFile(filepath.Join(staging, name), []byte("ciphertext"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(filepath.Join(staging, "stale"), old, old); err != nil {
		t.Fatal(err)
	}

	s, err = fs.New(dir)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer s.Close()
	if _, err := os.Stat(filepath.Join(staging, "stale")); !errors.Is(err, iofs.ErrNotExist) {
		t.Errorf("stale staging file: Stat = %v; want it removed", err)
	}
	if _, err := os.Stat(filepath.Join(staging, "fresh")); err != nil {
		t.Errorf("fresh staging file: Stat = %v; want it kept", err)
	}
}

// TestKeyCannotBeObjectAndPrefix checks the documented limit of a
// directory store: a key cannot name an object and a directory at once.
func TestKeyCannotBeObjectAndPrefix(t *testing.T) {
	s, _ := newStore(t)
	ctx := t.Context()
	for _, keys := range [][2]string{{"a", "a/b"}, {"c/d", "c"}} {
		if _, err := s.Put(ctx, keys[0], strings.NewReader("first")); err != nil {
			t.Fatalf("Put(%q): %v", keys[0], err)
		}
		_, err := s.Put(ctx, keys[1], strings.NewReader("second"))
		if err == nil || errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Put(%q) after Put(%q) = %v; want a conflict error", keys[1], keys[0], err)
		}
	}
}

// TestSymlinksCannotEscape plants symbolic links to a directory and a file
// outside the store and checks that no operation follows them out.
func TestSymlinksCannotEscape(t *testing.T) {
	s, dir := newStore(t)
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret")
	if err := os.WriteFile(secret, []byte("outside"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "dirlink")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "filelink")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // so that checkTree sees only the store's own files
		os.Remove(filepath.Join(dir, "dirlink"))
		os.Remove(filepath.Join(dir, "filelink"))
	})
	ctx := t.Context()

	for _, key := range []string{"dirlink/secret", "filelink"} {
		if obj, err := s.Open(ctx, key); err == nil {
			obj.Close()
			t.Errorf("Open(%q) followed a link out of the store", key)
		}
	}
	if _, err := s.Put(ctx, "dirlink/planted", strings.NewReader("x")); err == nil {
		t.Error("Put through a directory link succeeded")
	}
	if _, err := os.Stat(filepath.Join(outside, "planted")); !errors.Is(err, iofs.ErrNotExist) {
		t.Errorf("Put wrote outside the store: Stat = %v", err)
	}
	s.Delete(ctx, "dirlink/secret") // must not remove the file checked below
	if got, err := os.ReadFile(secret); err != nil || string(got) != "outside" {
		t.Errorf("file outside the store changed: %q, %v", got, err)
	}
}

// TestOpenKeepsVersion checks the documented snapshot behaviour: an open
// object keeps its content when the key is replaced or deleted.
func TestOpenKeepsVersion(t *testing.T) {
	s, _ := newStore(t)
	ctx := t.Context()
	if _, err := s.Put(ctx, "k", strings.NewReader("version one")); err != nil {
		t.Fatal(err)
	}
	obj, err := s.Open(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	if _, err := s.Put(ctx, "k", strings.NewReader("version two, longer")); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(io.NewSectionReader(obj, 0, obj.Size()))
	if err != nil || !bytes.Equal(got, []byte("version one")) {
		t.Fatalf("read = %q, %v; want \"version one\"", got, err)
	}
}

func BenchmarkStore(b *testing.B) {
	s, err := fs.New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	blobtest.Bench(b, s)
}
