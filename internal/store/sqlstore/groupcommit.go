package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// Group commit (Dialect.GroupCommit).
//
// SQLite admits one writer at a time and, with synchronous=FULL, pays one
// fsync per commit, so one transaction per Update would cap the Update
// rate at the fsync rate. With group commit, Update hands its function to
// one writer goroutine, which
//
//  1. takes the first waiting call and begins a transaction;
//  2. runs the call's function inside SAVEPOINT ... RELEASE, or ROLLBACK TO
//     if the function fails or panics, so that each call stays
//     all-or-nothing and a failing call leaves its neighbours' writes alone;
//  3. goes on with the calls that are already waiting, one after the other
//     (it never waits for more to arrive), up to maxBatch calls or
//     maxBatchWork of time;
//  4. commits once, and only then reports to every call of the batch, so
//     that no caller learns of a success, or acts on what its function
//     read, before the batch is durable.
//
// The functions of a batch run one at a time on one connection, each
// seeing the writes of those before it, exactly as if every call had
// committed on its own: Update keeps the contract of store.Store.
//
// If the batch cannot commit (COMMIT fails, or a savepoint statement fails
// and leaves the transaction unusable), nothing of it is kept and every
// call whose function ran gets the batch's error, even one whose function
// had failed: what that function read may never have been committed.
// Panics and runtime.Goexit are caught on the writer goroutine and
// repeated in the caller's goroutine once the batch has ended.

// Batch bounds. A batch stops taking calls at maxBatch of them, or once
// maxBatchWork has passed since it began, which bounds how long its first
// caller waits for the commit.
const (
	maxBatch     = 64
	maxBatchWork = 2 * time.Millisecond
)

// savepoint names the savepoint around each function. Savepoints are
// released before the next one is set, so one name serves every call.
const savepoint = "confide_call"

// errClosed is Update's error once Close has begun.
var errClosed = errors.New("sqlstore: store is closed")

// errGoexit is the error of the calls in a batch that a function ended by
// calling runtime.Goexit (testing.T.FailNow does).
var errGoexit = errors.New("sqlstore: group commit rolled back: a function in it called runtime.Goexit")

// call is one Update waiting for the writer.
type call struct {
	ctx  context.Context
	fn   func(store.Tx) error
	done chan outcome // buffered: the writer never blocks on it
}

// outcome is how a call ended.
type outcome struct {
	err        error
	panicked   bool
	panicValue any  // what the function panicked with
	goexit     bool // the function called runtime.Goexit
}

// groupWriter is the writer goroutine and the queue that feeds it.
type groupWriter struct {
	s *Store
	// calls is unbuffered: a call is queued while its Update blocks in the
	// send, where it can still give up (canceled context, Close).
	calls     chan *call
	closing   chan struct{} // closed when Close begins
	closeOnce sync.Once
	stopped   chan struct{} // closed when the writer has returned for good
}

// startGroupWriter starts the writer goroutine of s.
func startGroupWriter(s *Store) *groupWriter {
	w := &groupWriter{
		s:       s,
		calls:   make(chan *call),
		closing: make(chan struct{}),
		stopped: make(chan struct{}),
	}
	go w.loop()
	return w
}

// update is Store.Update with group commit. A call whose ctx is done before
// its function starts returns ctx.Err() without running it; once the
// function has run, the call waits for the end of its batch.
func (w *groupWriter) update(ctx context.Context, fn func(store.Tx) error) error {
	c := &call{ctx: ctx, fn: fn, done: make(chan outcome, 1)}
	select {
	case w.calls <- c:
	case <-ctx.Done():
		return ctx.Err()
	case <-w.closing:
		return errClosed
	}
	o := <-c.done
	switch {
	case o.goexit:
		runtime.Goexit()
	case o.panicked:
		panic(o.panicValue)
	}
	return o.err
}

// stop makes Update fail from now on, waits for the batch in progress to
// be reported and for the writer to return. It may be called more than
// once.
func (w *groupWriter) stop() {
	w.closeOnce.Do(func() { close(w.closing) })
	<-w.stopped
}

// loop serves batches until stop.
func (w *groupWriter) loop() {
	stopped := false
	defer func() {
		if !stopped {
			// A function called runtime.Goexit, which ends this goroutine
			// whatever it defers; serve has failed its batch. Go on in a
			// new goroutine.
			go w.loop()
		}
	}()
	for {
		select {
		case c := <-w.calls:
			w.serve(c)
		case <-w.closing:
			stopped = true
			close(w.stopped)
			return
		}
	}
}

// serve runs first and the calls waiting behind it as one batch.
func (w *groupWriter) serve(first *call) {
	b := batch{s: w.s}
	ended := false
	defer func() {
		if !ended {
			b.fail(errGoexit)
		}
	}()
	start := time.Now()
	taken := 0
	for c := first; c != nil; c = w.next(start, taken) {
		taken++
		if err := c.ctx.Err(); err != nil {
			c.done <- outcome{err: err}
			continue
		}
		if err := b.run(c); err != nil {
			b.fail(err)
			ended = true
			return
		}
	}
	b.commit()
	ended = true
}

// next returns a call that is already waiting, or nil if there is none or
// the batch begun at start has taken enough.
func (w *groupWriter) next(start time.Time, taken int) *call {
	if taken >= maxBatch || time.Since(start) >= maxBatchWork {
		return nil
	}
	select {
	case c := <-w.calls:
		return c
	default:
		return nil
	}
}

// batch is one group commit in progress.
type batch struct {
	s        *Store
	tx       *sql.Tx
	stmts    *stmtCache // statements prepared on tx, if the dialect caches
	calls    []*call    // the calls whose function ran or was about to
	outcomes []outcome  // what each of calls' functions did
	released int        // functions whose writes the transaction holds
}

// run runs c's function inside a savepoint of the batch's transaction,
// which it begins first if needed. An error means that the transaction is
// no longer usable and the batch must fail.
func (b *batch) run(c *call) error {
	b.calls = append(b.calls, c)
	b.outcomes = append(b.outcomes, outcome{})
	if b.tx == nil {
		t, err := b.s.write.BeginTx(context.Background(), &b.s.d.UpdateOptions)
		if err != nil {
			return fmt.Errorf("sqlstore: begin transaction: %w", err)
		}
		b.tx = t
	}
	if err := b.exec("SAVEPOINT " + savepoint); err != nil {
		return err
	}
	o := &b.outcomes[len(b.outcomes)-1]
	*o = outcome{goexit: true} // unless invoke returns
	if b.stmts == nil && b.s.d.CacheStatements {
		b.stmts = newStmtCache(b.tx)
	}
	t := &tx{tx: b.tx, d: &b.s.d, stmts: b.stmts, shared: true}
	*o = invoke(c.fn, t)
	t.ended.Store(true)
	if o.err == nil && !o.panicked {
		if err := b.exec("RELEASE " + savepoint); err != nil {
			return err
		}
		b.released++
		return nil
	}
	if err := b.exec("ROLLBACK TO " + savepoint); err != nil {
		return err
	}
	return b.exec("RELEASE " + savepoint)
}

// exec runs a savepoint statement. It is not interrupted by any caller's
// context.
func (b *batch) exec(stmt string) error {
	if _, err := b.tx.ExecContext(context.Background(), stmt); err != nil {
		return fmt.Errorf("sqlstore: group commit: %s: %w", stmt, err)
	}
	return nil
}

// commit commits the batch and reports to its calls.
func (b *batch) commit() {
	switch {
	case b.tx == nil: // no function ran
		return
	case b.released == 0:
		// Every function failed and rolled back: there is nothing to keep.
		// A failed rollback leaves nothing behind either.
		_ = b.tx.Rollback()
	default:
		if err := b.tx.Commit(); err != nil {
			b.setError(fmt.Errorf("sqlstore: commit: %w", err))
			break
		}
		b.s.commits.Add(1)
		b.s.updates.Add(uint64(b.released))
	}
	b.report()
}

// fail rolls the batch back and reports err to its calls.
func (b *batch) fail(err error) {
	if b.tx != nil {
		// The transaction may already be gone; nothing of it is kept
		// either way.
		_ = b.tx.Rollback()
	}
	b.setError(err)
	b.report()
}

// setError makes err the outcome of every call whose function returned.
// A function's own error is kept in the message, not the chain: errors.Is
// must not report a conflict or a missing row that the function may have
// read from writes that were never committed.
func (b *batch) setError(err error) {
	for i := range b.outcomes {
		switch o := &b.outcomes[i]; {
		case o.panicked, o.goexit:
		case o.err != nil:
			o.err = fmt.Errorf("%w (the function had failed: %v)", err, o.err)
		default:
			o.err = err
		}
	}
}

// report hands every call its outcome.
func (b *batch) report() {
	for i, c := range b.calls {
		c.done <- b.outcomes[i]
	}
}

// invoke calls fn and returns how it ended. If fn calls runtime.Goexit,
// invoke does not return.
func invoke(fn func(store.Tx) error, t *tx) (o outcome) {
	defer func() {
		// Since Go 1.21 panic(nil) recovers a *runtime.PanicNilError, so
		// nil means that fn did not panic.
		if v := recover(); v != nil {
			o = outcome{panicked: true, panicValue: v}
		}
	}()
	return outcome{err: fn(t)}
}
