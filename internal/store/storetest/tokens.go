package storetest

import (
	"testing"

	"github.com/confide-cc/confide/internal/store"
)

func testTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	t1 := store.Token{ID: "t1", Name: "telephony", Role: "integration", Hash: []byte("hash-1"), CreatedAt: at(1)}
	t2 := store.Token{ID: "t2", Name: "crm", Role: "integration", Hash: []byte("hash-2"), CreatedAt: at(2), LastUsedAt: at(3)}
	update(t, s, func(tx store.Tx) error {
		_, err := tx.TokenByHash(ctx, t1.Hash)
		wantErr(t, "unknown hash", err, store.ErrNotFound)
		if err := tx.InsertToken(ctx, t2); err != nil {
			return err
		}
		if err := tx.InsertToken(ctx, t1); err != nil {
			return err
		}
		sameID := t1
		sameID.Hash = []byte("hash-3")
		wantErr(t, "duplicate id", tx.InsertToken(ctx, sameID), store.ErrConflict)
		sameHash := t1
		sameHash.ID = "t3"
		wantErr(t, "duplicate hash", tx.InsertToken(ctx, sameHash), store.ErrConflict)
		wantErr(t, "revoke unknown", tx.RevokeToken(ctx, "t9", at(5)), store.ErrNotFound)
		wantErr(t, "touch unknown", tx.TouchToken(ctx, "t9", at(5)), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.TokenByHash(ctx, t1.Hash)
		equal(t, "token by hash", got, t1)
		if err != nil {
			return err
		}
		all, err := tx.ListTokens(ctx)
		equal(t, "tokens in creation order", all, []store.Token{t1, t2})
		return err
	})

	update(t, s, func(tx store.Tx) error {
		if err := tx.TouchToken(ctx, "t1", at(10)); err != nil {
			return err
		}
		if err := tx.RevokeToken(ctx, "t2", at(11)); err != nil {
			return err
		}
		return tx.RevokeToken(ctx, "t2", at(12)) // the first revocation stands
	})
	t1.LastUsedAt = at(10)
	t2.RevokedAt = at(11)
	view(t, s, func(tx store.Tx) error {
		got, err := tx.TokenByHash(ctx, t1.Hash)
		equal(t, "touched token", got, t1)
		if err != nil {
			return err
		}
		got, err = tx.TokenByHash(ctx, t2.Hash)
		equal(t, "revoked token is still found", got, t2)
		return err
	})
}
