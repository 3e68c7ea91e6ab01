package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/confide-cc/confide/internal/store"
)

// ending is how one function passed to Update ends, after it has inserted
// a customer and appended an audit record.
type ending int

const (
	endCommit   ending = iota // return nil
	endError                  // return an error of its own
	endPanic                  // panic
	endConflict               // insert a customer that exists, return the ErrConflict
	endCanceled               // cancel its context, then fail on its next statement
	endings
)

// opPanic is what endPanic functions panic with.
type opPanic struct{ id string }

// testMixedOutcomes runs many concurrent Updates that each write, then end
// in one of the ways above, and checks that exactly the writes of the
// committed ones remain, with an audit chain that has no gaps. A backend
// that shares a transaction among concurrent Updates (group commit) must
// keep each one all-or-nothing and independent of its neighbours.
func testMixedOutcomes(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, []string{"existing"}, nil)
	errStop := errors.New("stop")
	const writers, each = 8, 15
	var (
		mu        sync.Mutex
		committed []string
		wg        sync.WaitGroup
	)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("w%d-c%02d", w, i)
				end := ending(w+i) % endings
				if err := runEnding(ctx, s, id, end, errStop); err != nil {
					t.Errorf("%s: %v", id, err)
					return
				}
				if end == endCommit {
					mu.Lock()
					committed = append(committed, id)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	slices.Sort(committed)
	view(t, s, func(tx store.Tx) error {
		for w := range writers {
			for i := range each {
				id := fmt.Sprintf("w%d-c%02d", w, i)
				_, err := tx.GetCustomer(ctx, id)
				if _, ok := slices.BinarySearch(committed, id); ok {
					if err != nil {
						t.Errorf("committed customer %s: %v", id, err)
					}
				} else if !errors.Is(err, store.ErrNotFound) {
					t.Errorf("customer %s of a failed Update: got error %v, want ErrNotFound", id, err)
				}
			}
		}
		log, err := tx.ListAudit(ctx, 1, writers*each+1)
		if err != nil {
			return err
		}
		var bodies []string
		var prev []byte
		for i, r := range log {
			if want := chained(int64(i), prev, string(r.Body)); r.Seq != want.Seq || !bytes.Equal(r.Hash, want.Hash) {
				t.Fatalf("audit record %d (seq %d) does not link to its predecessor", i, r.Seq)
			}
			prev = r.Hash
			bodies = append(bodies, string(r.Body))
		}
		slices.Sort(bodies)
		equal(t, "audit records", bodies, committed)
		return nil
	})
}

// runEnding runs one Update that inserts customer id, appends an audit
// record naming it and ends as end says, and checks that Update reported
// that ending.
func runEnding(ctx context.Context, s store.Store, id string, end ending, errStop error) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer func() {
		v := recover()
		switch {
		case end == endPanic && v != (opPanic{id}):
			err = fmt.Errorf("recovered %v, want the function's panic", v)
		case end != endPanic && v != nil:
			panic(v)
		}
	}()
	got := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.InsertCustomer(ctx, newCustomer(id)); err != nil {
			return err
		}
		seq, hash, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, chained(seq, hash, id)); err != nil {
			return err
		}
		switch end {
		case endError:
			return errStop
		case endPanic:
			panic(opPanic{id})
		case endConflict:
			return tx.InsertCustomer(ctx, newCustomer("existing"))
		case endCanceled:
			cancel()
			return tx.InsertInteraction(ctx, newInteraction(id+"-i", id))
		}
		return nil
	})
	want := map[ending]error{endCommit: nil, endError: errStop, endConflict: store.ErrConflict, endCanceled: context.Canceled}[end]
	if end == endPanic {
		return errors.New("store.Update returned instead of repeating the panic")
	}
	if !errors.Is(got, want) {
		return fmt.Errorf("store.Update returned %v, want %v", got, want)
	}
	return nil
}

// testGoexitInFunction checks that a function that calls runtime.Goexit
// (as t.FailNow does) ends the calling goroutine, leaves nothing behind and
// leaves the store usable.
func testGoexitInFunction(t *testing.T, s store.Store) {
	ctx := t.Context()
	returned := false
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Update(ctx, func(tx store.Tx) error {
			if err := tx.InsertCustomer(ctx, newCustomer("c1")); err != nil {
				return err
			}
			runtime.Goexit()
			return nil
		})
		returned = true
	}()
	<-done
	if returned {
		t.Fatal("Update returned after its function called runtime.Goexit")
	}
	assertEmpty(t, s)
	seed(t, s, []string{"c2"}, nil) // the store still takes writes
}

// testTxAfterFunction checks that a Tx kept past the end of its function
// no longer writes.
func testTxAfterFunction(t *testing.T, s store.Store) {
	ctx := t.Context()
	var kept store.Tx
	update(t, s, func(tx store.Tx) error {
		kept = tx
		return nil
	})
	if err := kept.InsertCustomer(ctx, newCustomer("c1")); err == nil {
		t.Error("a Tx wrote after its function returned")
	}
	if _, err := kept.GetCustomer(ctx, "c1"); err == nil {
		t.Error("a Tx read after its function returned")
	}
	// A write that slipped into a later transaction would show now.
	update(t, s, func(tx store.Tx) error { return nil })
	assertEmpty(t, s)
}

// testCloseWhileBusy closes the store while writers are at work: Close
// must not hang, every Update must return, and Updates after Close must
// fail.
func testCloseWhileBusy(t *testing.T, s store.Store) {
	ctx := t.Context()
	const writers = 8
	started := make(chan struct{}, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				err := s.Update(ctx, func(tx store.Tx) error {
					return tx.InsertCustomer(ctx, newCustomer(fmt.Sprintf("w%d-c%d", w, i)))
				})
				if i == 0 {
					started <- struct{}{}
				}
				if err != nil {
					return
				}
			}
		})
	}
	for range writers {
		<-started
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	if err := s.Update(ctx, func(store.Tx) error { return nil }); err == nil {
		t.Fatal("Update succeeded after Close")
	}
}
