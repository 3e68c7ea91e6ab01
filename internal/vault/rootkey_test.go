package vault_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/vault"
)

func TestEnsureRootKeyFileCreatesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "root.key")
	created, err := vault.EnsureRootKeyFile(path)
	if err != nil || !created {
		t.Fatalf("EnsureRootKeyFile(new) = %v, %v; want created", created, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Size() != vault.RootKeySize {
		t.Errorf("root key file has mode %v and %d bytes, want 0600 and %d", fi.Mode().Perm(), fi.Size(), vault.RootKeySize)
	}
	key, _ := os.ReadFile(path)
	if bytes.Equal(key, make([]byte, vault.RootKeySize)) {
		t.Errorf("root key is all zeros")
	}

	created, err = vault.EnsureRootKeyFile(path)
	if err != nil || created {
		t.Fatalf("EnsureRootKeyFile(existing) = %v, %v; want not created, no error", created, err)
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, key) {
		t.Errorf("EnsureRootKeyFile replaced an existing key")
	}
}

func TestEnsureRootKeyFileKeysDiffer(t *testing.T) {
	dir := t.TempDir()
	var keys [][]byte
	for _, name := range []string{"a.key", "b.key"} {
		path := filepath.Join(dir, name)
		if _, err := vault.EnsureRootKeyFile(path); err != nil {
			t.Fatal(err)
		}
		key, _ := os.ReadFile(path)
		keys = append(keys, key)
	}
	if bytes.Equal(keys[0], keys[1]) {
		t.Errorf("two root key files hold the same key")
	}
}

func TestEnsureRootKeyFileRejectsUnsafeFiles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		size    int
		mode    os.FileMode
		wantErr string
	}{
		{"group readable", vault.RootKeySize, 0o640, "group or others"},
		{"world readable", vault.RootKeySize, 0o604, "group or others"},
		{"group writable", vault.RootKeySize, 0o620, "group or others"},
		{"too short", vault.RootKeySize - 1, 0o600, "31 bytes"},
		{"too long", vault.RootKeySize + 1, 0o600, "33 bytes"},
		{"empty", 0, 0o600, "0 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "root.key")
			if err := os.WriteFile(path, bytes.Repeat([]byte{7}, tc.size), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			created, err := vault.EnsureRootKeyFile(path)
			if err == nil || created || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("EnsureRootKeyFile = %v, %v; want an error containing %q", created, err, tc.wantErr)
			}
			// The key source applies the same checks.
			if _, err := vault.FileKeySource(path).RootAEAD(context.Background()); err == nil {
				t.Errorf("FileKeySource accepted the file")
			}
		})
	}
}

func TestEnsureRootKeyFileRejectsDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := vault.EnsureRootKeyFile(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("EnsureRootKeyFile(directory) err = %v, want not a regular file", err)
	}
}

func TestEnsureRootKeyFileMissingParent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "root.key")
	if _, err := vault.EnsureRootKeyFile(path); err == nil {
		t.Fatal("EnsureRootKeyFile created a file in a missing directory")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a file was left behind: %v", err)
	}
}

func TestFileKeySourceDescribe(t *testing.T) {
	if got := vault.FileKeySource("/etc/confide/root.key").Describe(); got != "file:/etc/confide/root.key" {
		t.Errorf("Describe = %q", got)
	}
}
