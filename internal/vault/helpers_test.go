package vault_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/confide-cc/confide/internal/vault"
)

// memStore is an in-memory SystemKeysetStore: a map under a mutex, which is
// the whole of the interface's contract. beforeSwap, if set, runs (once)
// before a swap is attempted, to interleave another node's update; swapErr,
// if set, makes swaps fail without changing anything.
type memStore struct {
	mu         sync.Mutex
	keysets    map[string][]byte
	beforeSwap func()
	swapErr    error
}

var errConflict = errors.New("memstore: conflict")

func newMemStore() *memStore { return &memStore{keysets: make(map[string][]byte)} }

func (s *memStore) LoadSystemKeyset(_ context.Context, name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.keysets[name]), nil
}

func (s *memStore) CreateSystemKeyset(_ context.Context, name string, wrapped []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.keysets[name]; ok {
		return bytes.Clone(cur), nil
	}
	s.keysets[name] = bytes.Clone(wrapped)
	return bytes.Clone(wrapped), nil
}

func (s *memStore) SwapSystemKeyset(_ context.Context, name string, old, new []byte) error {
	s.mu.Lock()
	hook := s.beforeSwap
	s.beforeSwap = nil
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.swapErr != nil {
		return s.swapErr
	}
	if !bytes.Equal(s.keysets[name], old) {
		return errConflict
	}
	s.keysets[name] = bytes.Clone(new)
	return nil
}

func (s *memStore) DeleteSystemKeyset(_ context.Context, name string, old []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.keysets[name]
	if !ok {
		return errors.New("memstore: not found")
	}
	if !bytes.Equal(cur, old) {
		return errConflict
	}
	delete(s.keysets, name)
	return nil
}

// rootKey creates a fresh root key file and returns its key source.
func rootKey(t testing.TB) vault.KeySource {
	t.Helper()
	path := filepath.Join(t.TempDir(), "root.key")
	if _, err := vault.EnsureRootKeyFile(path); err != nil {
		t.Fatal(err)
	}
	return vault.FileKeySource(path)
}

// openVault opens a vault over st with root key ks.
func openVault(t testing.TB, ks vault.KeySource, st vault.SystemKeysetStore) *vault.Vault {
	t.Helper()
	v, err := vault.Open(context.Background(), ks, st)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// newVault opens a vault over a fresh store and root key.
func newVault(t testing.TB) *vault.Vault {
	t.Helper()
	return openVault(t, rootKey(t), newMemStore())
}

// newCustomer returns keys for a new customer of v.
func newCustomer(t testing.TB, v *vault.Vault, id string) *vault.CustomerKeys {
	t.Helper()
	k, _, _, err := v.NewCustomerKeys(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
