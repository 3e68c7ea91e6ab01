package storetest

import (
	"testing"

	"github.com/confide-cc/confide/internal/store"
)

func testBlindIndex(t *testing.T, s store.Store) {
	ctx := t.Context()
	// Ids that sort differently bytewise and case-insensitively.
	seed(t, s, []string{"c-b", "C-a", "c-a"}, nil)
	h1, h2, h3 := []byte("hash-1"), []byte("hash-2"), []byte("hash-3")
	lookup := func(tx store.Tx, purpose string, keyID uint32, hash []byte, limit int) []string {
		t.Helper()
		ids, err := tx.LookupIndex(ctx, purpose, keyID, hash, limit)
		if err != nil {
			t.Fatalf("LookupIndex: %v", err)
		}
		return ids
	}

	update(t, s, func(tx store.Tx) error {
		if err := tx.ReplaceIndexEntries(ctx, "c-b", []store.IndexEntry{
			{Purpose: "phone", KeyID: 1, Hash: h1},
			{Purpose: "email", KeyID: 1, Hash: h2, CustomerID: "c-b"},
			{Purpose: "phone", KeyID: 1, Hash: h1}, // duplicates are stored once
		}); err != nil {
			return err
		}
		for _, id := range []string{"C-a", "c-a"} {
			if err := tx.ReplaceIndexEntries(ctx, id, []store.IndexEntry{{Purpose: "phone", KeyID: 1, Hash: h1}}); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		equal(t, "phone h1", lookup(tx, "phone", 1, h1, 10), []string{"C-a", "c-a", "c-b"})
		equal(t, "phone h1, limit 2", lookup(tx, "phone", 1, h1, 2), []string{"C-a", "c-a"})
		equal(t, "email h2", lookup(tx, "email", 1, h2, 10), []string{"c-b"})
		equal(t, "other key id", len(lookup(tx, "phone", 2, h1, 10)), 0)
		equal(t, "other purpose", len(lookup(tx, "email", 1, h1, 10)), 0)
		return nil
	})

	update(t, s, func(tx store.Tx) error {
		return tx.ReplaceIndexEntries(ctx, "c-b", []store.IndexEntry{{Purpose: "phone", KeyID: 2, Hash: h3}})
	})
	view(t, s, func(tx store.Tx) error {
		equal(t, "phone h1 after replace", lookup(tx, "phone", 1, h1, 10), []string{"C-a", "c-a"})
		equal(t, "email h2 after replace", len(lookup(tx, "email", 1, h2, 10)), 0)
		equal(t, "phone h3 after replace", lookup(tx, "phone", 2, h3, 10), []string{"c-b"})
		return nil
	})

	update(t, s, func(tx store.Tx) error { return tx.ReplaceIndexEntries(ctx, "c-b", nil) })
	view(t, s, func(tx store.Tx) error {
		equal(t, "after clearing", len(lookup(tx, "phone", 2, h3, 10)), 0)
		return nil
	})

	err := s.Update(ctx, func(tx store.Tx) error {
		return tx.ReplaceIndexEntries(ctx, "c-a", []store.IndexEntry{{Purpose: "phone", KeyID: 1, Hash: h3, CustomerID: "c-b"}})
	})
	if err == nil {
		t.Fatal("ReplaceIndexEntries accepted an entry of another customer")
	}
}
