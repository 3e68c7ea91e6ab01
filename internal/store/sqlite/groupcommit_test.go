package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/store/sqlite"
)

// The tests in this file use synctest to queue Update calls behind one
// whose function holds the writer: synctest.Wait returns once every other
// goroutine is blocked, so the calls are known to wait for the writer, in
// the order they were started, and time does not pass.

// ending is how a test function passed to Update ends after its writes.
type ending string

const (
	commits   ending = "commit"
	fails     ending = "error"
	panics    ending = "panic"
	conflicts ending = "conflict"
)

// errFailing is the text of the error that failing functions return.
const errFailing = "failing"

// write returns a function for Update that inserts customer id, appends an
// audit record and ends as end says.
func write(ctx context.Context, id string, end ending) func(store.Tx) error {
	return func(tx store.Tx) error {
		now := time.Now()
		if err := tx.InsertCustomer(ctx, store.Customer{ID: id, CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		seq, hash, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, store.AuditRecord{Seq: seq + 1, Time: now, Body: []byte(id), PrevHash: hash, Hash: []byte(id)}); err != nil {
			return err
		}
		switch end {
		case fails:
			return errors.New(errFailing)
		case panics:
			panic(id)
		case conflicts:
			return tx.InsertCustomer(ctx, store.Customer{ID: "existing", CreatedAt: now, UpdatedAt: now})
		}
		return nil
	}
}

// updateRecovering calls s.Update and returns the value it panicked with,
// if any.
func updateRecovering(ctx context.Context, s store.Store, fn func(store.Tx) error) (panicked any, err error) {
	defer func() { panicked = recover() }()
	return nil, s.Update(ctx, fn)
}

// holdWriter starts an Update whose function writes customer id and then
// waits until release is called, and returns once the function waits.
// The Update's error arrives on done.
func holdWriter(t *testing.T, s store.Store, id string) (release func(), done <-chan error) {
	t.Helper()
	ctx := t.Context()
	ch, errc := make(chan struct{}), make(chan error, 1)
	go func() {
		errc <- s.Update(ctx, func(tx store.Tx) error {
			if err := write(ctx, id, commits)(tx); err != nil {
				return err
			}
			<-ch
			return nil
		})
	}()
	synctest.Wait()
	return func() { close(ch) }, errc
}

// TestGroupCommitBatch queues Updates that commit, fail, panic and
// conflict behind a held one: they must all run in one transaction, and
// exactly the writes of the successful ones must remain.
func TestGroupCommitBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := open(t)
		ctx := t.Context()
		if err := s.Update(ctx, write(ctx, "existing", commits)); err != nil {
			t.Fatal(err)
		}
		before := s.WriteStats()
		release, held := holdWriter(t, s, "held")
		queued := []ending{commits, fails, commits, panics, commits, conflicts, fails, commits}
		type result struct {
			err      error
			panicked any
		}
		results := make([]result, len(queued))
		var wg sync.WaitGroup
		for i, end := range queued {
			wg.Go(func() {
				results[i].panicked, results[i].err = updateRecovering(ctx, s, write(ctx, fmt.Sprint("q", i), end))
			})
			synctest.Wait() // queued behind the previous one
		}
		release()
		wg.Wait()
		if err := <-held; err != nil {
			t.Fatalf("holding Update: %v", err)
		}

		want := map[string]bool{"existing": true, "held": true}
		for i, end := range queued {
			id, r := fmt.Sprint("q", i), results[i]
			var bad bool
			switch end {
			case commits:
				bad = r.err != nil || r.panicked != nil
				want[id] = true
			case fails:
				bad = r.err == nil || r.err.Error() != errFailing || r.panicked != nil
			case panics:
				bad = r.panicked != id
			case conflicts:
				bad = !errors.Is(r.err, store.ErrConflict) || r.panicked != nil
			}
			if bad {
				t.Errorf("Update %s (%s): returned %v, panicked with %v", id, end, r.err, r.panicked)
			}
		}
		after := s.WriteStats()
		if commits, updates := after.Commits-before.Commits, after.Updates-before.Updates; commits != 1 || updates != uint64(len(want)-1) {
			t.Errorf("%d Updates committed in %d transactions, want %d in 1", updates, commits, len(want)-1)
		}
		checkCustomers(t, s, append([]string{"existing", "held"}, ids("q", len(queued))...), want)
	})
}

// TestGroupCommitBounded queues more Updates than one batch takes: they
// must all commit, in more than one transaction.
func TestGroupCommitBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := open(t)
		ctx := t.Context()
		before := s.WriteStats()
		release, held := holdWriter(t, s, "held")
		const n = 100
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if err := s.Update(ctx, write(ctx, fmt.Sprint("q", i), commits)); err != nil {
					t.Errorf("Update q%d: %v", i, err)
				}
			})
		}
		synctest.Wait()
		release()
		wg.Wait()
		if err := <-held; err != nil {
			t.Fatalf("holding Update: %v", err)
		}
		after := s.WriteStats()
		if updates := after.Updates - before.Updates; updates != n+1 {
			t.Errorf("%d Updates committed, want %d", updates, n+1)
		}
		if commits := after.Commits - before.Commits; commits < 2 {
			t.Errorf("%d Updates committed in %d transaction: the batch is not bounded", n+1, commits)
		}
	})
}

// TestGroupCommitCanceledWhileQueued cancels an Update while it waits for
// the writer: it must return at once, and its function must never run.
func TestGroupCommitCanceledWhileQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := open(t)
		release, held := holdWriter(t, s, "held")
		ctx, cancel := context.WithCancel(t.Context())
		ran := false
		errc := make(chan error, 1)
		go func() {
			errc <- s.Update(ctx, func(tx store.Tx) error {
				ran = true
				return write(ctx, "canceled", commits)(tx)
			})
		}()
		synctest.Wait()
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("canceled Update returned %v, want context.Canceled", err)
		}
		release()
		if err := <-held; err != nil {
			t.Fatalf("holding Update: %v", err)
		}
		if ran {
			t.Error("the function of an Update canceled while queued ran")
		}
		checkCustomers(t, s, []string{"held", "canceled"}, map[string]bool{"held": true})
	})
}

// TestGroupCommitGoexitInBatch has a function call runtime.Goexit (as
// t.FailNow does) in the middle of a batch: its caller's goroutine must
// end, the others of the batch must fail and leave no writes, and the
// writer must go on with the Updates queued after them.
func TestGroupCommitGoexitInBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := open(t)
		ctx := t.Context()
		release, held := holdWriter(t, s, "held")
		before := make(chan error, 1)
		go func() { before <- s.Update(ctx, write(ctx, "before", commits)) }()
		synctest.Wait()
		exited := make(chan bool, 1)
		go func() {
			returned := false
			defer func() { exited <- !returned }()
			_ = s.Update(ctx, func(tx store.Tx) error {
				if err := write(ctx, "exits", commits)(tx); err != nil {
					return err
				}
				runtime.Goexit()
				return nil
			})
			returned = true
		}()
		synctest.Wait()
		after := make(chan error, 1)
		go func() { after <- s.Update(ctx, write(ctx, "after", commits)) }()
		synctest.Wait()
		release()
		if !<-exited {
			t.Error("Update returned after its function called runtime.Goexit")
		}
		for _, c := range []struct {
			id   string
			errc <-chan error
		}{{"held", held}, {"before", before}} {
			if err := <-c.errc; err == nil {
				t.Errorf("Update %s committed in the batch of a runtime.Goexit", c.id)
			}
		}
		if err := <-after; err != nil {
			t.Errorf("Update queued after the batch of a runtime.Goexit: %v", err)
		}
		checkCustomers(t, s, []string{"held", "before", "exits", "after"}, map[string]bool{"after": true})
	})
}

// TestGroupCommitTxAfterFunction has a function use the Tx of the
// function before it in the same batch, which shares its transaction: the
// write must fail and leave nothing.
func TestGroupCommitTxAfterFunction(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := open(t)
		ctx := t.Context()
		release, held := holdWriter(t, s, "held")
		var kept store.Tx
		var leakErr error
		var wg sync.WaitGroup
		wg.Go(func() {
			if err := s.Update(ctx, func(tx store.Tx) error { kept = tx; return nil }); err != nil {
				t.Errorf("Update keeping its Tx: %v", err)
			}
		})
		synctest.Wait()
		wg.Go(func() {
			err := s.Update(ctx, func(store.Tx) error {
				leakErr = kept.InsertCustomer(ctx, store.Customer{ID: "leak", CreatedAt: time.Now(), UpdatedAt: time.Now()})
				return nil
			})
			if err != nil {
				t.Errorf("Update using a kept Tx: %v", err)
			}
		})
		synctest.Wait()
		release()
		wg.Wait()
		if err := <-held; err != nil {
			t.Fatalf("holding Update: %v", err)
		}
		if s.WriteStats().Commits != 1 {
			t.Fatal("the Updates did not share a transaction; the test proves nothing")
		}
		if leakErr == nil {
			t.Error("a Tx wrote after its function returned")
		}
		checkCustomers(t, s, []string{"held", "leak"}, map[string]bool{"held": true})
	})
}

// TestCloseWhileBusyKeepsCommitted closes the store under concurrent
// writers, reopens it and checks that exactly the Updates that returned
// nil are there.
func TestCloseWhileBusyKeepsCommitted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "confide.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	const writers = 8
	tried := make([][]string, writers)
	want := make([]map[string]bool, writers)
	started := make(chan struct{}, writers)
	var wg sync.WaitGroup
	for w := range writers {
		want[w] = map[string]bool{}
		wg.Go(func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("w%d-%d", w, i)
				tried[w] = append(tried[w], id)
				err := s.Update(ctx, write(ctx, id, commits))
				if i == 0 {
					started <- struct{}{}
				}
				if err != nil {
					return
				}
				want[w][id] = true
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
	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for w := range writers {
		checkCustomers(t, s, tried[w], want[w])
	}
}

// TestCheckpointWhileBusy checkpoints while writers commit: Checkpoint
// runs between batches and every commit survives it.
func TestCheckpointWhileBusy(t *testing.T) {
	s, _ := open(t)
	ctx := t.Context()
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := s.Update(ctx, write(ctx, fmt.Sprintf("w%d-%d", w, i), commits)); err != nil {
					t.Errorf("Update: %v", err)
					return
				}
			}
		})
	}
	for range 5 {
		if err := s.Checkpoint(ctx); err != nil {
			t.Errorf("Checkpoint: %v", err)
		}
	}
	wg.Wait()
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatalf("Checkpoint: %v", err)
	}
	err := s.View(ctx, func(tx store.Tx) error {
		seq, _, err := tx.AuditHead(ctx)
		if err == nil && seq != writers*each {
			t.Errorf("audit head %d after %d commits", seq, writers*each)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkCustomers fails the test unless, of the customers ids, exactly
// those in want exist.
func checkCustomers(t *testing.T, s store.Store, ids []string, want map[string]bool) {
	t.Helper()
	ctx := t.Context()
	err := s.View(ctx, func(tx store.Tx) error {
		for _, id := range ids {
			_, err := tx.GetCustomer(ctx, id)
			switch {
			case want[id] && err != nil:
				t.Errorf("customer %s: %v", id, err)
			case !want[id] && !errors.Is(err, store.ErrNotFound):
				t.Errorf("customer %s of a failed Update: got error %v, want ErrNotFound", id, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ids returns prefix0 ... prefix(n-1).
func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(prefix, i)
	}
	return out
}
