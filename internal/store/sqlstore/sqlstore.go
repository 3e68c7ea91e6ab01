// Package sqlstore implements store.Store over database/sql. It is the one
// implementation shared by the SQLite and PostgreSQL backends; what differs
// between the two databases is described by a Dialect, and the schema lives
// in embedded, versioned migrations (migrations/<dialect>/NNNN_name.sql).
//
// Encoding, identical on every dialect:
//   - times are stored as int64 microseconds since the Unix epoch, so they
//     come back truncated to the microsecond and in UTC; optional times
//     (Interaction.EndedAt, Token.LastUsedAt, Token.RevokedAt) store the zero
//     time as NULL, and required ones reject it;
//   - byte slices are never NULL: nil is stored as an empty value and may
//     come back as nil or empty;
//   - identifiers are compared and ordered bytewise.
//
// Errors wrap store.ErrNotFound and store.ErrConflict so that errors.Is
// works. A write that references a missing row (an interaction for an
// unknown customer, a blob for an unknown interaction, index entries for an
// unknown customer) fails with store.ErrNotFound. A unique collision on an
// Insert method is detected without a failing statement, so the
// transaction stays usable after store.ErrConflict on every dialect; after
// any other error the caller should end the transaction by returning an
// error (PostgreSQL refuses further statements in it).
//
// On a dialect with GroupCommit (SQLite), Update runs its function on one
// writer goroutine, in a transaction that it may share with other Update
// calls, each inside a savepoint of its own, so that one fsync commits
// them all (see groupcommit.go). The contract of store.Store.Update is
// unchanged: each call is all-or-nothing, calls are serialized, a function
// reads its own writes and those of every call serialized before it, and
// Update returns only once the call's writes are committed. A function
// must not call Update: with group commit, the inner call would wait
// forever for the writer that is running the outer one.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/confide-cc/confide/internal/store"
)

// Store is a store.Store over one or two database/sql pools.
type Store struct {
	d      Dialect
	write  *sql.DB
	read   *sql.DB
	writer *groupWriter // nil unless d.GroupCommit

	commits, updates atomic.Uint64 // see WriteStats
}

var _ store.Store = (*Store)(nil)

// New returns a Store that runs Update on write and View on read. read may
// be nil, in which case write is used for both. The Store owns both pools:
// Close closes them. If d.GroupCommit is set, New starts the writer
// goroutine, which Close stops.
func New(d Dialect, write, read *sql.DB) *Store {
	if read == nil {
		read = write
	}
	s := &Store{d: d, write: write, read: read}
	if d.GroupCommit {
		s.writer = startGroupWriter(s)
	}
	return s
}

// Update runs fn in a read-write transaction (store.Store). If ctx is done
// before fn starts, Update returns ctx.Err() without running it. With group
// commit, fn runs on the writer goroutine, a panic in fn is repeated in the
// caller's goroutine once fn's batch has ended, and a done ctx fails the
// statements that fn starts afterwards instead of interrupting one already
// running.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if s.writer != nil {
		return s.writer.update(ctx, fn)
	}
	if err := s.run(ctx, s.write, s.d.UpdateOptions, fn); err != nil {
		return err
	}
	s.commits.Add(1)
	s.updates.Add(1)
	return nil
}

// WriteStats counts the work of Update since New.
type WriteStats struct {
	// Commits is the number of transactions that Update committed.
	Commits uint64
	// Updates is the number of Update calls whose writes those
	// transactions committed. Updates/Commits is the mean number of calls
	// per group commit (1 without group commit).
	Updates uint64
}

// WriteStats returns the counts so far. The two are read one after the
// other, not as one snapshot.
func (s *Store) WriteStats() WriteStats {
	return WriteStats{Commits: s.commits.Load(), Updates: s.updates.Load()}
}

// View runs fn in a read-only transaction (store.Store). Writes inside it
// fail.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, s.read, s.d.ViewOptions, fn)
}

// run begins a transaction on db, calls fn and commits, or rolls back if fn
// returns an error or panics.
func (s *Store) run(ctx context.Context, db *sql.DB, opts sql.TxOptions, fn func(store.Tx) error) (err error) {
	sqlTx, err := db.BeginTx(ctx, &opts)
	if err != nil {
		return fmt.Errorf("sqlstore: begin transaction: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			// The transaction is abandoned; a rollback error adds nothing
			// to the error (or panic) that got us here.
			_ = sqlTx.Rollback()
		}
	}()
	if err := fn(&tx{tx: sqlTx, d: &s.d, readOnly: opts.ReadOnly}); err != nil {
		return err
	}
	committed = true
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

// Ping reports whether the database is reachable (store.Store).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: ping: %w", err)
	}
	if s.read != s.write {
		if err := s.read.PingContext(ctx); err != nil {
			return fmt.Errorf("sqlstore: ping read pool: %w", err)
		}
	}
	return nil
}

// Close closes the pools (store.Store). With group commit it first stops
// the writer: the batch in progress commits and reports, and Update calls
// that it did not take fail, before the pools close.
func (s *Store) Close() error {
	if s.writer != nil {
		s.writer.stop()
	}
	var errs []error
	if s.read != s.write {
		errs = append(errs, s.read.Close())
	}
	errs = append(errs, s.write.Close())
	return errors.Join(errs...)
}
