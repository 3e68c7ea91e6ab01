package vault_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/confide-cc/confide/internal/vault"
)

// TestRootRotation stages a new root key on a node with the old key, opens
// a second node with the new key while the rotation is staged, finishes it
// there, and checks that customer data opens throughout, that the old key
// opens nothing afterwards, and that key rotations wait for the rotation.
func TestRootRotation(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	oldKey, newKey, otherKey := rootKey(t), rootKey(t), rootKey(t)
	a := openVault(t, oldKey, st)
	if _, err := a.NoteSigner(ctx, "confide.test/audit"); err != nil { // creates the checkpoint keyset
		t.Fatal(err)
	}
	keys, wrapped, _, err := a.NewCustomerKeys("c1")
	if err != nil {
		t.Fatal(err)
	}
	ad := vault.FieldAD{Table: "customers", Column: "name", Row: "c1"}
	sealed, err := keys.Seal([]byte("Ada"), ad)
	if err != nil {
		t.Fatal(err)
	}
	opens := func(v *vault.Vault) error {
		k, err := v.OpenCustomerKeys(ctx, "c1", wrapped)
		if err != nil {
			return err
		}
		pt, err := k.Open(sealed, ad)
		if err == nil && string(pt) != "Ada" {
			err = errors.New("wrong plaintext")
		}
		return err
	}
	signer := func(v *vault.Vault) string {
		s, err := v.NoteSigner(ctx, "confide.test/audit")
		if err != nil {
			t.Fatal(err)
		}
		return s.VerifierKey()
	}
	vkey := signer(a)

	if _, err := a.FinishRootRotation(ctx); err == nil {
		t.Error("FinishRootRotation with nothing staged succeeded")
	}
	staged, err := a.StageRootRotation(ctx, newKey)
	want := []string{"kek", "blind-index", "audit-checkpoint"}
	if err != nil || !slices.Equal(staged, want) {
		t.Fatalf("StageRootRotation = %v, %v; want %v", staged, err, want)
	}
	if again, err := a.StageRootRotation(ctx, newKey); err != nil || !slices.Equal(again, want) {
		t.Errorf("staging again with the same key = %v, %v", again, err)
	}
	if _, err := a.StageRootRotation(ctx, otherKey); err == nil {
		t.Error("staging a rotation to a third key over a staged one succeeded")
	}
	if _, err := a.RotateKEK(ctx); !errors.Is(err, vault.ErrRootRotationStaged) {
		t.Errorf("RotateKEK while staged = %v, want ErrRootRotationStaged", err)
	}

	// A node moved to the new key works before the rotation is finished.
	b := openVault(t, newKey, st)
	if err := opens(b); err != nil {
		t.Fatalf("node with the new key, rotation staged: %v", err)
	}
	if signer(b) != vkey {
		t.Error("the checkpoint key changed with the root key")
	}
	// Finishing needs the new key.
	if _, err := a.FinishRootRotation(ctx); err == nil {
		t.Fatal("FinishRootRotation on a node with the old key succeeded")
	}
	done, err := b.FinishRootRotation(ctx)
	if err != nil || !slices.Equal(done, want) {
		t.Fatalf("FinishRootRotation = %v, %v", done, err)
	}
	if s, err := b.RootRotation(ctx); err != nil || len(s.Staged) != 0 {
		t.Errorf("after finishing: staged %v, %v", s.Staged, err)
	}
	// The old key opens nothing now; the new one opens everything.
	if _, err := vault.Open(ctx, oldKey, st); !errors.Is(err, vault.ErrDecrypt) {
		t.Errorf("Open with the retired root key = %v, want ErrDecrypt", err)
	}
	c := openVault(t, newKey, st)
	if err := opens(c); err != nil {
		t.Errorf("after finishing: %v", err)
	}
	if signer(c) != vkey {
		t.Error("the checkpoint key changed after finishing")
	}
	if _, err := c.RotateKEK(ctx); err != nil {
		t.Errorf("RotateKEK after finishing: %v", err)
	}
}

// TestRootRotationAbort stages and aborts: nothing changes.
func TestRootRotationAbort(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	oldKey, newKey := rootKey(t), rootKey(t)
	a := openVault(t, oldKey, st)
	if _, err := a.StageRootRotation(ctx, newKey); err != nil {
		t.Fatal(err)
	}
	removed, err := a.AbortRootRotation(ctx)
	if err != nil || len(removed) != 2 {
		t.Fatalf("AbortRootRotation = %v, %v", removed, err)
	}
	if _, err := vault.Open(ctx, newKey, st); !errors.Is(err, vault.ErrDecrypt) {
		t.Errorf("Open with the aborted key = %v, want ErrDecrypt", err)
	}
	openVault(t, oldKey, st)
	if _, err := a.RotateKEK(ctx); err != nil {
		t.Errorf("RotateKEK after abort: %v", err)
	}
}
