package vault_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/confide-cc/confide/internal/vault"
)

// indexHash returns the primary blind-index hash of value for purpose.
func indexHash(t *testing.T, v *vault.Vault, purpose, value string) vault.IndexHash {
	t.Helper()
	hs, err := v.IndexHashes(purpose, []byte(value))
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) == 0 || len(hs[0].Sum) != vault.IndexHashSize {
		t.Fatalf("IndexHashes = %v, want a %d-byte primary hash", hs, vault.IndexHashSize)
	}
	return hs[0]
}

func TestIndexHashDeterministicAcrossNodes(t *testing.T) {
	ks, st := rootKey(t), newMemStore()
	a, b := openVault(t, ks, st), openVault(t, ks, st)
	h1 := indexHash(t, a, "phone", "+14155550123")
	h2 := indexHash(t, a, "phone", "+14155550123")
	h3 := indexHash(t, b, "phone", "+14155550123")
	if !bytes.Equal(h1.Sum, h2.Sum) || !bytes.Equal(h1.Sum, h3.Sum) || h1.KeyID != h3.KeyID {
		t.Errorf("same value, same installation: hashes %x/%d, %x, %x/%d", h1.Sum, h1.KeyID, h2.Sum, h3.Sum, h3.KeyID)
	}
	if bytes.Contains(h1.Sum, []byte("4155550123")) {
		t.Errorf("hash contains the value")
	}
}

func TestIndexHashSeparatesValuesPurposesAndInstallations(t *testing.T) {
	v := newVault(t)
	base := indexHash(t, v, "email", "ada@example.com")
	for _, tc := range []struct {
		name           string
		v              *vault.Vault
		purpose, value string
	}{
		{"other value", v, "email", "ada@example.org"},
		{"other purpose", v, "phone", "ada@example.com"},
		{"purpose/value boundary moved", v, "emaila", "da@example.com"},
		{"other installation", newVault(t), "email", "ada@example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if h := indexHash(t, tc.v, tc.purpose, tc.value); bytes.Equal(h.Sum, base.Sum) {
				t.Errorf("hash equals the base hash %x", base.Sum)
			}
		})
	}
}

func TestIndexKeyRotationKeepsOldHashes(t *testing.T) {
	ctx := context.Background()
	ks, st := rootKey(t), newMemStore()
	a, b := openVault(t, ks, st), openVault(t, ks, st)
	before := indexHash(t, a, "phone", "+14155550123")

	newID, err := a.RotateIndexKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]*vault.Vault{"rotating node": a, "other node": b} {
		hs, err := v.IndexHashes("phone", []byte("+14155550123"))
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) != 2 || hs[0].KeyID != newID || bytes.Equal(hs[0].Sum, before.Sum) {
			t.Fatalf("%s: IndexHashes = %v, want the new key %d first", name, hs, newID)
		}
		if hs[1].KeyID != before.KeyID || !bytes.Equal(hs[1].Sum, before.Sum) {
			t.Errorf("%s: second hash %x/%d, want the pre-rotation hash %x/%d", name, hs[1].Sum, hs[1].KeyID, before.Sum, before.KeyID)
		}
	}
}
