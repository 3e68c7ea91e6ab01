package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// tx implements store.Tx over one database/sql transaction. Its methods are
// spread over one file per table group.
type tx struct {
	tx       *sql.Tx
	d        *Dialect
	stmts    *stmtCache // nil: statements are prepared per execution
	readOnly bool       // a View transaction: it takes no row locks
	// shared marks a group-commit transaction, which other Update calls
	// share (see groupcommit.go). Its statements run detached from the
	// caller's context, which is checked before each statement instead:
	// SQLite answers an interrupted write by rolling back the whole
	// transaction, the other calls' work included.
	shared bool
	// ended is set once the function the tx was given to has returned. On
	// a shared transaction, which outlives that function, it keeps a
	// retained tx from writing into the next caller's work.
	ended atomic.Bool
}

var _ store.Tx = (*tx)(nil)

// stmtContext returns the context to run one statement under, or the error
// that keeps the statement from running.
func (t *tx) stmtContext(ctx context.Context) (context.Context, error) {
	if t.ended.Load() {
		return nil, sql.ErrTxDone
	}
	if !t.shared {
		return ctx, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, err := t.stmtContext(ctx)
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		return t.tx.ExecContext(ctx, t.d.rebind(query), args...)
	}
	st, err := t.stmts.get(ctx, t.d.rebind(query))
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, err := t.stmtContext(ctx)
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		return t.tx.QueryContext(ctx, t.d.rebind(query), args...)
	}
	st, err := t.stmts.get(ctx, t.d.rebind(query))
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) singleRow {
	ctx, err := t.stmtContext(ctx)
	if err != nil {
		return singleRow{err: err}
	}
	if t.stmts == nil {
		return singleRow{row: t.tx.QueryRowContext(ctx, t.d.rebind(query), args...)}
	}
	st, err := t.stmts.get(ctx, t.d.rebind(query))
	if err != nil {
		return singleRow{err: err}
	}
	return singleRow{row: st.QueryRowContext(ctx, args...)}
}

// singleRow is the result of queryRow: a *sql.Row, or the error that kept the
// query from running.
type singleRow struct {
	row *sql.Row
	err error
}

// Scan implements scanner.
func (r singleRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.row.Scan(dest...)
}

// lockClause returns the suffix that makes a SELECT lock the rows it reads
// until the transaction ends, or "" if there is nothing to lock against.
func (t *tx) lockClause() string {
	if t.readOnly || t.d.LockRows == "" {
		return ""
	}
	return " " + t.d.LockRows
}

// execOne runs a write that must affect at least one row; if it affects
// none it returns ifNone (store.ErrNotFound or store.ErrConflict), wrapped.
func (t *tx) execOne(ctx context.Context, op string, ifNone error, query string, args ...any) error {
	res, err := t.exec(ctx, query, args...)
	if err != nil {
		return t.fail(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return t.fail(op, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: %s: %w", op, ifNone)
	}
	return nil
}

// execCount runs a write and returns the number of rows it affected.
func (t *tx) execCount(ctx context.Context, op, query string, args ...any) (int64, error) {
	res, err := t.exec(ctx, query, args...)
	if err != nil {
		return 0, t.fail(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.fail(op, err)
	}
	return n, nil
}

// fail wraps err with the operation name, mapping missing rows and
// constraint violations to the store's sentinel errors.
func (t *tx) fail(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlstore: %s: %w", op, store.ErrNotFound)
	}
	if kind := t.d.Classify(err); kind != nil {
		return fmt.Errorf("sqlstore: %s: %w: %w", op, kind, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// scanner is a singleRow or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// collect scans every row of rows with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// list runs query and scans all its rows.
func list[T any](ctx context.Context, t *tx, op string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, t.fail(op, err)
	}
	out, err := collect(rows, scan)
	if err != nil {
		return nil, t.fail(op, err)
	}
	return out, nil
}

// checkLimit rejects page sizes that cannot return anything useful.
func checkLimit(op string, limit int) error {
	if limit < 1 {
		return fmt.Errorf("sqlstore: %s: limit %d is not positive", op, limit)
	}
	return nil
}

// micros encodes a time as microseconds since the Unix epoch, and the zero
// time as NULL.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// timeDest is a scan destination that decodes what micros encoded.
type timeDest struct{ t *time.Time }

// Scan implements sql.Scanner.
func (n timeDest) Scan(v any) error {
	var us sql.NullInt64
	if err := us.Scan(v); err != nil {
		return err
	}
	*n.t = time.Time{}
	if us.Valid {
		*n.t = time.UnixMicro(us.Int64).UTC()
	}
	return nil
}

// bytesArg stores nil as an empty value: byte columns are NOT NULL.
func bytesArg(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
