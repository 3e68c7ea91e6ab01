package storetest

import (
	"math"
	"sync"
	"testing"

	"github.com/confide-cc/confide/internal/store"
)

func testSystemKeysets(t *testing.T, s store.Store) {
	ctx := t.Context()
	first := store.SystemKeyset{Name: "kek", Wrapped: sealed("kek", 1), UpdatedAt: at(1)}
	update(t, s, func(tx store.Tx) error {
		_, err := tx.GetSystemKeyset(ctx, "kek")
		wantErr(t, "get missing keyset", err, store.ErrNotFound)
		got, err := tx.CreateSystemKeyset(ctx, first)
		if err != nil {
			return err
		}
		equal(t, "created keyset", got, first)
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		got, err := tx.CreateSystemKeyset(ctx, store.SystemKeyset{Name: "kek", Wrapped: sealed("kek", 2), UpdatedAt: at(2)})
		if err != nil {
			return err
		}
		equal(t, "second create returns the existing keyset", got, first)
		wantErr(t, "CAS with a stale value", tx.UpdateSystemKeyset(ctx, "kek", sealed("stale"), sealed("kek", 3)), store.ErrConflict)
		wantErr(t, "CAS of a missing keyset", tx.UpdateSystemKeyset(ctx, "nope", first.Wrapped, sealed("x")), store.ErrNotFound)
		return tx.UpdateSystemKeyset(ctx, "kek", first.Wrapped, sealed("kek", 3))
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetSystemKeyset(ctx, "kek")
		if err != nil {
			return err
		}
		equal(t, "wrapped after CAS", got.Wrapped, sealed("kek", 3))
		if !got.UpdatedAt.After(first.UpdatedAt) {
			t.Errorf("UpdatedAt after CAS = %v, want later than %v", got.UpdatedAt, first.UpdatedAt)
		}
		return nil
	})
	// Compare-and-delete, as a finished root-key rotation removes staged copies.
	update(t, s, func(tx store.Tx) error {
		if _, err := tx.CreateSystemKeyset(ctx, store.SystemKeyset{Name: "kek@next", Wrapped: sealed("next", 1), UpdatedAt: at(3)}); err != nil {
			return err
		}
		wantErr(t, "delete with a stale value", tx.DeleteSystemKeyset(ctx, "kek@next", sealed("stale")), store.ErrConflict)
		wantErr(t, "delete of a missing keyset", tx.DeleteSystemKeyset(ctx, "nope", sealed("x")), store.ErrNotFound)
		return tx.DeleteSystemKeyset(ctx, "kek@next", sealed("next", 1))
	})
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetSystemKeyset(ctx, "kek@next")
		wantErr(t, "get after delete", err, store.ErrNotFound)
		got, err := tx.GetSystemKeyset(ctx, "kek")
		if err != nil {
			return err
		}
		equal(t, "other keyset after delete", got.Wrapped, sealed("kek", 3))
		return nil
	})
}

// testSystemKeysetConcurrentCAS races writers that all swap from the same
// value: exactly one wins.
func testSystemKeysetConcurrentCAS(t *testing.T, s store.Store) {
	ctx := t.Context()
	initial := sealed("bi", 0)
	update(t, s, func(tx store.Tx) error {
		_, err := tx.CreateSystemKeyset(ctx, store.SystemKeyset{Name: "bi", Wrapped: initial, UpdatedAt: at(1)})
		return err
	})
	const writers = 8
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			errs[i] = s.Update(ctx, func(tx store.Tx) error {
				return tx.UpdateSystemKeyset(ctx, "bi", initial, sealed("bi", i+1))
			})
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("writers %d and %d both swapped from the same value", winner, i)
		case err == nil:
			winner = i
		default:
			wantErr(t, "losing CAS", err, store.ErrConflict)
		}
	}
	if winner < 0 {
		t.Fatal("no writer swapped the keyset")
	}
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetSystemKeyset(ctx, "bi")
		equal(t, "keyset after the race", got.Wrapped, sealed("bi", winner+1))
		return err
	})
}

func testCustomerKeysets(t *testing.T, s store.Store) {
	ctx := t.Context()
	update(t, s, func(tx store.Tx) error {
		for _, k := range []store.CustomerKeyset{newKeyset("c1", 1), newKeyset("c2", 2), newKeyset("c3", 1), newKeyset("c4", 2)} {
			if err := tx.InsertCustomerKeyset(ctx, k); err != nil {
				return err
			}
		}
		wantErr(t, "duplicate keyset", tx.InsertCustomerKeyset(ctx, newKeyset("c1", 9)), store.ErrConflict)
		_, err := tx.GetCustomerKeyset(ctx, "c9")
		wantErr(t, "get missing keyset", err, store.ErrNotFound)
		wantErr(t, "update missing keyset", tx.UpdateCustomerKeyset(ctx, newKeyset("c9", 2)), store.ErrNotFound)
		return tx.UpdateCustomerKeyset(ctx, newKeyset("c1", 2))
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetCustomerKeyset(ctx, "c1")
		if err != nil {
			return err
		}
		equal(t, "rewrapped keyset", got, newKeyset("c1", 2))

		total, current, err := tx.CountCustomerKeysets(ctx, 2)
		if err != nil {
			return err
		}
		equal(t, "count wrapped by 2", [2]int64{total, current}, [2]int64{4, 3})
		stale, err := tx.ListCustomerKeysetsNotWrappedBy(ctx, 2, "", 10)
		if err != nil {
			return err
		}
		equal(t, "keysets not wrapped by 2", stale, []store.CustomerKeyset{newKeyset("c3", 1)})

		total, current, err = tx.CountCustomerKeysets(ctx, 1)
		if err != nil {
			return err
		}
		equal(t, "count wrapped by 1", [2]int64{total, current}, [2]int64{4, 1})
		page1, err := tx.ListCustomerKeysetsNotWrappedBy(ctx, 1, "", 2)
		if err != nil {
			return err
		}
		equal(t, "first page", page1, []store.CustomerKeyset{newKeyset("c1", 2), newKeyset("c2", 2)})
		page2, err := tx.ListCustomerKeysetsNotWrappedBy(ctx, 1, "c2", 2)
		if err != nil {
			return err
		}
		equal(t, "second page", page2, []store.CustomerKeyset{newKeyset("c4", 2)})
		return nil
	})

	// KEK key ids are uint32: the largest must survive.
	update(t, s, func(tx store.Tx) error { return tx.InsertCustomerKeyset(ctx, newKeyset("c5", math.MaxUint32)) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetCustomerKeyset(ctx, "c5")
		equal(t, "keyset with the largest key id", got, newKeyset("c5", math.MaxUint32))
		return err
	})
}
