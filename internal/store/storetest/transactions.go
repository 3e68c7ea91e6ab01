package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/confide-cc/confide/internal/store"
)

// testMissingReferences writes rows that point at rows that do not exist.
func testMissingReferences(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, []string{"c1"}, map[string]string{"i1": "c1"})
	tests := []struct {
		name  string
		write func(store.Tx) error
	}{
		{"interaction of unknown customer", func(tx store.Tx) error {
			return tx.InsertInteraction(ctx, newInteraction("i2", "c9"))
		}},
		{"index entries of unknown customer", func(tx store.Tx) error {
			return tx.ReplaceIndexEntries(ctx, "c9", []store.IndexEntry{{Purpose: "phone", KeyID: 1, Hash: []byte("h")}})
		}},
		{"blob of unknown interaction", func(tx store.Tx) error {
			_, err := tx.PutBlob(ctx, newBlob("k/1", "c1", "i9", "attachment"))
			return err
		}},
		{"blob of unknown customer", func(tx store.Tx) error {
			_, err := tx.PutBlob(ctx, newBlob("k/1", "c9", "i1", "attachment"))
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, tc.name, s.Update(ctx, tc.write), store.ErrNotFound)
		})
	}
}

func testLimitMustBePositive(t *testing.T, s store.Store) {
	ctx := t.Context()
	tests := []struct {
		name string
		list func(tx store.Tx, limit int) error
	}{
		{"ListCustomerKeysetsNotWrappedBy", func(tx store.Tx, limit int) error {
			_, err := tx.ListCustomerKeysetsNotWrappedBy(ctx, 1, "", limit)
			return err
		}},
		{"LookupIndex", func(tx store.Tx, limit int) error {
			_, err := tx.LookupIndex(ctx, "phone", 1, []byte("h"), limit)
			return err
		}},
		{"ScanInteractions", func(tx store.Tx, limit int) error {
			_, err := tx.ScanInteractions(ctx, "", limit)
			return err
		}},
		{"ListInteractions", func(tx store.Tx, limit int) error {
			_, err := tx.ListInteractions(ctx, "c1", "", limit)
			return err
		}},
		{"PendingBlobDeletions", func(tx store.Tx, limit int) error {
			_, err := tx.PendingBlobDeletions(ctx, limit)
			return err
		}},
		{"ListAudit", func(tx store.Tx, limit int) error {
			_, err := tx.ListAudit(ctx, 1, limit)
			return err
		}},
	}
	for _, tc := range tests {
		for _, limit := range []int{0, -1} {
			t.Run(fmt.Sprintf("%s/%d", tc.name, limit), func(t *testing.T) {
				if err := s.View(ctx, func(tx store.Tx) error { return tc.list(tx, limit) }); err == nil {
					t.Fatalf("%s accepted limit %d", tc.name, limit)
				}
			})
		}
	}
}

// testRollbackOnError checks that an Update whose function fails leaves
// nothing behind.
func testRollbackOnError(t *testing.T, s store.Store) {
	ctx := t.Context()
	errStop := errors.New("stop")
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.InsertCustomerKeyset(ctx, newKeyset("c1", 1)); err != nil {
			return err
		}
		if err := tx.InsertCustomer(ctx, newCustomer("c1")); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, chained(0, nil, "{}")); err != nil {
			return err
		}
		return errStop
	})
	wantErr(t, "Update", err, errStop)
	assertEmpty(t, s)
}

// testRollbackOnPanic checks that a panicking Update leaves nothing behind,
// propagates the panic, and does not leak its connection.
func testRollbackOnPanic(t *testing.T, s store.Store) {
	ctx := t.Context()
	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Fatalf("Update recovered %v, want the function's panic", v)
			}
		}()
		_ = s.Update(ctx, func(tx store.Tx) error {
			if err := tx.InsertCustomer(ctx, newCustomer("c1")); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	assertEmpty(t, s)
	seed(t, s, []string{"c2"}, nil) // the store still takes writes
}

// assertEmpty fails unless customer c1, its keyset and any audit record are
// absent.
func assertEmpty(t *testing.T, s store.Store) {
	t.Helper()
	ctx := t.Context()
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetCustomer(ctx, "c1")
		wantErr(t, "customer after rollback", err, store.ErrNotFound)
		_, err = tx.GetCustomerKeyset(ctx, "c1")
		wantErr(t, "keyset after rollback", err, store.ErrNotFound)
		seq, _, err := tx.AuditHead(ctx)
		equal(t, "audit head after rollback", seq, int64(0))
		return err
	})
}

// testUsableAfterConflict checks that ErrConflict from an Insert method does
// not poison the transaction (PostgreSQL aborts a transaction on a failed
// statement).
func testUsableAfterConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, []string{"c1"}, nil)
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "duplicate customer", tx.InsertCustomer(ctx, newCustomer("c1")), store.ErrConflict)
		return tx.InsertCustomer(ctx, newCustomer("c2"))
	})
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetCustomer(ctx, "c2")
		return err
	})
}

func testViewIsReadOnly(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.View(ctx, func(tx store.Tx) error { return tx.InsertCustomer(ctx, newCustomer("c1")) }); err == nil {
		t.Fatal("View allowed a write")
	}
	assertEmpty(t, s)
}

// testCanceledContext checks that Update with a done context returns its
// error without running the function.
func testCanceledContext(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran := false
	err := s.Update(ctx, func(tx store.Tx) error {
		ran = true
		return tx.InsertCustomer(ctx, newCustomer("c1"))
	})
	wantErr(t, "Update with a canceled context", err, context.Canceled)
	if ran {
		t.Error("Update ran the function of a canceled context")
	}
	assertEmpty(t, s)
}

// testConcurrentWriters runs many writers at once; every committed row must
// be there afterwards.
func testConcurrentWriters(t *testing.T, s store.Store) {
	ctx := t.Context()
	const writers, each = 8, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("w%d-c%02d", w, i)
				errs <- s.Update(ctx, func(tx store.Tx) error {
					if err := tx.InsertCustomer(ctx, newCustomer(id)); err != nil {
						return err
					}
					return tx.InsertInteraction(ctx, newInteraction(id+"-i", id))
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Update: %v", err)
		}
	}
	view(t, s, func(tx store.Tx) error {
		for w := range writers {
			for i := range each {
				id := fmt.Sprintf("w%d-c%02d", w, i)
				if _, err := tx.GetCustomer(ctx, id); err != nil {
					return err
				}
				list, err := tx.ListInteractions(ctx, id, "", 10)
				if err != nil {
					return err
				}
				equal(t, "interactions of "+id, len(list), 1)
			}
		}
		return nil
	})
}

func testPing(t *testing.T, s store.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}
