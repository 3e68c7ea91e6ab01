package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// stmtCache prepares each distinct statement once per transaction and
// reuses it. A group-commit batch runs many callers' functions in one
// transaction, mostly the same few statements (the audit head and append,
// an insert), and modernc.org/sqlite otherwise parses and plans every
// statement on every execution. The statements belong to the transaction
// and are closed with it.
//
// (A pool-wide cache would need sql.DB.Prepare, which takes a connection
// of its own: on the single-connection write pool that deadlocks inside a
// transaction.)
type stmtCache struct {
	tx *sql.Tx
	m  map[string]*sql.Stmt
}

func newStmtCache(tx *sql.Tx) *stmtCache {
	return &stmtCache{tx: tx, m: map[string]*sql.Stmt{}}
}

// get returns the statement for query prepared on the transaction. Only one
// goroutine uses a transaction at a time, so no lock is needed.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	st, err := c.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: prepare: %w", err)
	}
	c.m[query] = st
	return st, nil
}
