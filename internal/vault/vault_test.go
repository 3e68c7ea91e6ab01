package vault_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/confide-cc/confide/internal/vault"
)

func TestOpenReopensSameKeysets(t *testing.T) {
	ctx := context.Background()
	ks, st := rootKey(t), newMemStore()
	v1 := openVault(t, ks, st)
	_, wrapped, kekID, err := v1.NewCustomerKeys("c1")
	if err != nil {
		t.Fatal(err)
	}
	if kekID != v1.PrimaryKEKKeyID() {
		t.Errorf("NewCustomerKeys kekKeyID = %d, want primary %d", kekID, v1.PrimaryKEKKeyID())
	}
	if len(st.keysets) != 2 {
		t.Errorf("store holds %d keysets after Open, want 2 (kek, blind-index)", len(st.keysets))
	}

	v2 := openVault(t, ks, st)
	if v2.PrimaryKEKKeyID() != v1.PrimaryKEKKeyID() {
		t.Errorf("reopened vault has primary KEK %d, want %d", v2.PrimaryKEKKeyID(), v1.PrimaryKEKKeyID())
	}
	if _, err := v2.OpenCustomerKeys(ctx, "c1", wrapped); err != nil {
		t.Errorf("reopened vault cannot open a customer keyset: %v", err)
	}
}

func TestOpenWithWrongRootKeyFails(t *testing.T) {
	st := newMemStore()
	openVault(t, rootKey(t), st)
	other := rootKey(t)
	_, err := vault.Open(context.Background(), other, st)
	if !errors.Is(err, vault.ErrDecrypt) {
		t.Fatalf("Open with another root key: err = %v, want ErrDecrypt", err)
	}
	for _, want := range []string{other.Describe(), "wrong root key", `"kek"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestOpenWithUnreadableRootKeyFails(t *testing.T) {
	_, err := vault.Open(context.Background(), vault.FileKeySource(t.TempDir()+"/missing.key"), newMemStore())
	if err == nil || !strings.Contains(err.Error(), "missing.key") {
		t.Fatalf("Open with a missing root key file: err = %v, want an error naming the file", err)
	}
}

func TestConcurrentFirstOpenAgrees(t *testing.T) {
	ks, st := rootKey(t), newMemStore()
	const nodes = 8
	vaults := make([]*vault.Vault, nodes)
	var wg sync.WaitGroup
	errs := make([]error, nodes)
	for i := range vaults {
		wg.Go(func() { vaults[i], errs[i] = vault.Open(context.Background(), ks, st) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for i, v := range vaults {
		if v.PrimaryKEKKeyID() != vaults[0].PrimaryKEKKeyID() {
			t.Errorf("node %d has primary KEK %d, node 0 has %d", i, v.PrimaryKEKKeyID(), vaults[0].PrimaryKEKKeyID())
		}
	}
}

func TestRotateKEK(t *testing.T) {
	ctx := context.Background()
	v := newVault(t)
	oldPrimary := v.PrimaryKEKKeyID()
	_, oldWrap, oldID, err := v.NewCustomerKeys("old")
	if err != nil {
		t.Fatal(err)
	}

	newPrimary, err := v.RotateKEK(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if newPrimary == oldPrimary || v.PrimaryKEKKeyID() != newPrimary {
		t.Fatalf("after RotateKEK: returned %d, primary %d, old primary %d", newPrimary, v.PrimaryKEKKeyID(), oldPrimary)
	}
	_, newWrap, newID, err := v.NewCustomerKeys("new")
	if err != nil {
		t.Fatal(err)
	}
	if oldID != oldPrimary || newID != newPrimary {
		t.Errorf("kekKeyIDs = %d, %d, want %d, %d", oldID, newID, oldPrimary, newPrimary)
	}
	for customer, wrapped := range map[string][]byte{"old": oldWrap, "new": newWrap} {
		if _, err := v.OpenCustomerKeys(ctx, customer, wrapped); err != nil {
			t.Errorf("OpenCustomerKeys(%s) after rotation: %v", customer, err)
		}
	}

	rewrapped, id, changed, err := v.RewrapCustomerKeyset(ctx, "old", oldWrap)
	if err != nil || !changed || id != newPrimary {
		t.Fatalf("Rewrap(old) = id %d, changed %v, err %v; want id %d, changed", id, changed, err, newPrimary)
	}
	kOld, err := v.OpenCustomerKeys(ctx, "old", oldWrap)
	if err != nil {
		t.Fatal(err)
	}
	kRe, err := v.OpenCustomerKeys(ctx, "old", rewrapped)
	if err != nil {
		t.Fatalf("OpenCustomerKeys(rewrapped): %v", err)
	}
	ad := vault.FieldAD{Table: "customers", Column: "name", Row: "old"}
	sealed, err := kOld.Seal([]byte("Ada"), ad)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := kRe.Open(sealed, ad); err != nil || string(pt) != "Ada" {
		t.Errorf("rewrapped keyset is not the same keyset: Open = %q, %v", pt, err)
	}

	same, id, changed, err := v.RewrapCustomerKeyset(ctx, "new", newWrap)
	if err != nil || changed || id != newPrimary || string(same) != string(newWrap) {
		t.Errorf("Rewrap(already current) = id %d, changed %v, err %v; want unchanged under %d", id, changed, err, newPrimary)
	}
}

func TestRewrapRejectsWrongCustomer(t *testing.T) {
	ctx := context.Background()
	v := newVault(t)
	_, wrapped, _, err := v.NewCustomerKeys("c1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.RotateKEK(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := v.RewrapCustomerKeyset(ctx, "c2", wrapped); !errors.Is(err, vault.ErrDecrypt) {
		t.Errorf("Rewrap under another customer id: err = %v, want ErrDecrypt", err)
	}
}

func TestOtherNodeSeesRotation(t *testing.T) {
	ctx := context.Background()
	ks, st := rootKey(t), newMemStore()
	a, b := openVault(t, ks, st), openVault(t, ks, st)

	rotated, err := a.RotateKEK(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, wrapped, _, err := a.NewCustomerKeys("c1")
	if err != nil {
		t.Fatal(err)
	}
	// b has never heard of the new KEK key: opening reloads it.
	if _, err := b.OpenCustomerKeys(ctx, "c1", wrapped); err != nil {
		t.Fatalf("other node cannot open a keyset wrapped by the rotated KEK: %v", err)
	}
	if b.PrimaryKEKKeyID() != rotated {
		t.Errorf("other node primary KEK = %d after reload, want %d", b.PrimaryKEKKeyID(), rotated)
	}

	rotated, err = b.RotateKEK(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if a.PrimaryKEKKeyID() != rotated {
		t.Errorf("after Reload primary KEK = %d, want %d", a.PrimaryKEKKeyID(), rotated)
	}
}

func TestRotateKEKRetriesAfterLosingRace(t *testing.T) {
	ctx := context.Background()
	ks, st := rootKey(t), newMemStore()
	a, b := openVault(t, ks, st), openVault(t, ks, st)
	var bRotated uint32
	st.beforeSwap = func() {
		var err error
		if bRotated, err = b.RotateKEK(ctx); err != nil {
			t.Error(err)
		}
	}
	aRotated, err := a.RotateKEK(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if aRotated == bRotated {
		t.Fatalf("both rotations produced key %d", aRotated)
	}
	// a won the retry: its key is primary, and b's key survived.
	_, byB, _, err := b.NewCustomerKeys("c1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.OpenCustomerKeys(ctx, "c1", byB); err != nil {
		t.Errorf("key added by the concurrent rotation was lost: %v", err)
	}
	if err := b.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if a.PrimaryKEKKeyID() != aRotated || b.PrimaryKEKKeyID() != aRotated {
		t.Errorf("primary KEK a=%d b=%d, want %d on both", a.PrimaryKEKKeyID(), b.PrimaryKEKKeyID(), aRotated)
	}
}

func TestRotateKEKReportsStoreFailure(t *testing.T) {
	st := newMemStore()
	v := openVault(t, rootKey(t), st)
	before := v.PrimaryKEKKeyID()
	st.swapErr = errors.New("disk full")
	if _, err := v.RotateKEK(context.Background()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("RotateKEK with a failing store: err = %v, want the store's error", err)
	}
	if v.PrimaryKEKKeyID() != before {
		t.Errorf("failed rotation changed the primary KEK")
	}
}

func TestStatsCount(t *testing.T) {
	ctx := context.Background()
	v := newVault(t)
	k, wrapped, _, err := v.NewCustomerKeys("c1")
	if err != nil {
		t.Fatal(err)
	}
	ad := vault.FieldAD{Table: "t", Column: "c", Row: "r"}
	sealed, _ := k.Seal([]byte("x"), ad)
	if _, err := k.Open(sealed, ad); err != nil {
		t.Fatal(err)
	}
	_, _ = k.Open(sealed, vault.FieldAD{})
	if _, err := v.OpenCustomerKeys(ctx, "c1", wrapped); err != nil {
		t.Fatal(err)
	}
	blob := encryptBlob(t, k, "b1", []byte("content"))
	r, err := k.OpenBlob(bytesReader(blob), int64(len(blob)), "b1")
	if err != nil || r.Size() != 7 {
		t.Fatalf("OpenBlob: %v", err)
	}
	want := vault.Stats{Seals: 1, Opens: 1, BlobEncrypts: 1, BlobOpens: 1, Unwraps: 1, Failures: 1}
	if got := v.Stats(); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}
