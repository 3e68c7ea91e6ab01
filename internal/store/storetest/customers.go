package storetest

import (
	"slices"
	"testing"

	"github.com/confide-cc/confide/internal/store"
)

func testCustomers(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := newCustomer("c1")
	update(t, s, func(tx store.Tx) error {
		_, err := tx.GetCustomer(ctx, "c1")
		wantErr(t, "get missing customer", err, store.ErrNotFound)
		if err := tx.InsertCustomer(ctx, c); err != nil {
			return err
		}
		wantErr(t, "duplicate customer", tx.InsertCustomer(ctx, newCustomer("c1")), store.ErrConflict)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetCustomer(ctx, "c1")
		equal(t, "inserted customer", got, c)
		return err
	})

	changed := c
	changed.Name = sealed("c1", "new name")
	changed.Attributes = sealed("c1", "new attributes")
	changed.CreatedAt = at(50) // ignored: creation time is immutable
	changed.UpdatedAt = at(60)
	update(t, s, func(tx store.Tx) error {
		missing := newCustomer("c2")
		wantErr(t, "update missing customer", tx.UpdateCustomer(ctx, missing), store.ErrNotFound)
		_, err := tx.DeleteCustomer(ctx, "c2")
		wantErr(t, "delete missing customer", err, store.ErrNotFound)
		return tx.UpdateCustomer(ctx, changed)
	})
	want := changed
	want.CreatedAt = c.CreatedAt
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetCustomer(ctx, "c1")
		equal(t, "updated customer", got, want)
		return err
	})
}

// testDeleteCustomer erases one of two customers that share a blind-index
// hash and checks that everything of the one, and nothing of the other, is
// gone.
func testDeleteCustomer(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, []string{"a", "b"}, map[string]string{"a-i1": "a", "a-i2": "a", "b-i1": "b"})
	shared := []byte("shared-hash")
	blobs := []store.Blob{
		newBlob("a/rec1", "a", "a-i1", "recording"),
		newBlob("a/att1", "a", "a-i1", "attachment"),
		newBlob("a/att2", "a", "a-i2", "attachment"),
		newBlob("b/rec1", "b", "b-i1", "recording"),
	}
	update(t, s, func(tx store.Tx) error {
		if err := tx.ReplaceIndexEntries(ctx, "a", []store.IndexEntry{
			{Purpose: "phone", KeyID: 1, Hash: []byte("a-phone")},
			{Purpose: "email", KeyID: 1, Hash: []byte("a-email")},
			{Purpose: "phone", KeyID: 1, Hash: shared},
		}); err != nil {
			return err
		}
		if err := tx.ReplaceIndexEntries(ctx, "b", []store.IndexEntry{{Purpose: "phone", KeyID: 1, Hash: shared}}); err != nil {
			return err
		}
		for _, b := range blobs {
			if _, err := tx.PutBlob(ctx, b); err != nil {
				return err
			}
		}
		return tx.InsertErasure(ctx, store.Erasure{CustomerID: "a", ErasedAt: at(99), Receipt: []byte(`{"customer":"a"}`)})
	})

	update(t, s, func(tx store.Tx) error {
		erased, err := tx.DeleteCustomer(ctx, "a")
		if err != nil {
			return err
		}
		equal(t, "erased rows", erased, store.ErasedRows{
			Keysets: 1, IndexEntries: 3, Interactions: 2,
			Blobs: []string{"a/att1", "a/att2", "a/rec1"},
		})
		_, err = tx.DeleteCustomer(ctx, "a")
		wantErr(t, "second delete", err, store.ErrNotFound)
		return nil
	})

	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetCustomer(ctx, "a")
		wantErr(t, "deleted customer", err, store.ErrNotFound)
		_, err = tx.GetCustomerKeyset(ctx, "a")
		wantErr(t, "deleted keyset", err, store.ErrNotFound)
		for _, id := range []string{"a-i1", "a-i2"} {
			_, err = tx.GetInteraction(ctx, id)
			wantErr(t, "deleted interaction", err, store.ErrNotFound)
		}
		for _, b := range blobs[:3] {
			_, err = tx.GetBlob(ctx, b.Key)
			wantErr(t, "deleted blob", err, store.ErrNotFound)
		}
		ids, err := tx.LookupIndex(ctx, "phone", 1, []byte("a-phone"), 10)
		if err != nil {
			return err
		}
		equal(t, "index entries of the deleted customer", len(ids), 0)
		if ids, err = tx.LookupIndex(ctx, "phone", 1, shared, 10); err != nil {
			return err
		}
		equal(t, "shared hash", ids, []string{"b"})
		queued, err := tx.PendingBlobDeletions(ctx, 10)
		if err != nil {
			return err
		}
		slices.Sort(queued)
		equal(t, "queued blob deletions", queued, []string{"a/att1", "a/att2", "a/rec1"})

		// The other customer is untouched, and so is the erasure receipt.
		if _, err := tx.GetCustomer(ctx, "b"); err != nil {
			return err
		}
		if _, err := tx.GetCustomerKeyset(ctx, "b"); err != nil {
			return err
		}
		if _, err := tx.GetInteraction(ctx, "b-i1"); err != nil {
			return err
		}
		got, err := tx.GetBlob(ctx, "b/rec1")
		equal(t, "other customer's blob", got, blobs[3])
		if err != nil {
			return err
		}
		total, _, err := tx.CountCustomerKeysets(ctx, 1)
		equal(t, "keysets left", total, int64(1))
		if err != nil {
			return err
		}
		_, err = tx.GetErasure(ctx, "a")
		return err
	})
}
