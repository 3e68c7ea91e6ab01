package storetest

import (
	"testing"

	"github.com/confide-cc/confide/internal/store"
)

func testErasures(t *testing.T, s store.Store) {
	ctx := t.Context()
	e := store.Erasure{CustomerID: "c1", ErasedAt: at(5), Receipt: []byte(`{"customer":"c1","keyset":"destroyed"}`)}
	update(t, s, func(tx store.Tx) error {
		_, err := tx.GetErasure(ctx, "c1")
		wantErr(t, "get missing erasure", err, store.ErrNotFound)
		if err := tx.InsertErasure(ctx, e); err != nil {
			return err
		}
		wantErr(t, "second erasure", tx.InsertErasure(ctx, e), store.ErrConflict)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetErasure(ctx, "c1")
		equal(t, "erasure", got, e)
		return err
	})
}
