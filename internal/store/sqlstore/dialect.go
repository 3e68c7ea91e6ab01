package sqlstore

import (
	"database/sql"
	"strconv"
	"strings"
)

// Dialect describes what differs between the databases sqlstore runs on.
// Queries are written once with ? placeholders and ON CONFLICT clauses,
// which both SQLite and PostgreSQL accept; column types (BLOB or BYTEA) live
// in each dialect's migrations.
type Dialect struct {
	// Name selects the migrations: migrations/<Name>/NNNN_name.sql.
	Name string
	// NumberedPlaceholders rewrites each ? in a query to $1, $2, ...
	// (PostgreSQL).
	NumberedPlaceholders bool
	// LockRows is appended to a SELECT whose rows must stay locked until
	// the transaction ends ("FOR UPDATE"). It is empty where write
	// transactions already exclude each other (SQLite's BEGIN IMMEDIATE).
	LockRows string
	// MigrationLock, if not empty, is the first statement of the migration
	// transaction and excludes concurrent migrators until it ends (a
	// transaction-scoped advisory lock). It is empty where beginning an
	// Update transaction already does (SQLite's BEGIN IMMEDIATE).
	MigrationLock string
	// UpdateOptions begins Update transactions; ViewOptions begins View
	// transactions and must make them read-only.
	UpdateOptions, ViewOptions sql.TxOptions
	// GroupCommit runs the Update calls of this process through one writer
	// goroutine, which commits the calls that are waiting at the same time
	// in one transaction, each inside a savepoint of its own (see
	// groupcommit.go). It suits a database that serializes writers anyway
	// and pays one fsync per commit (SQLite); it needs SAVEPOINT, and write
	// transactions that exclude every other writer, so that a savepoint
	// sees exactly the state its predecessors left.
	GroupCommit bool
	// CacheStatements prepares each statement once per connection and
	// reuses it (see stmtCache), for drivers that do not cache themselves.
	CacheStatements bool
	// Classify returns store.ErrNotFound if err is a foreign-key violation
	// (the write referenced a missing row), store.ErrConflict if it is a
	// unique violation, and nil otherwise.
	Classify func(err error) error
}

// rebind rewrites the ? placeholders of query for the dialect. Queries
// are package constants that never contain ? inside literals.
func (d *Dialect) rebind(query string) string {
	if !d.NumberedPlaceholders || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for _, r := range query {
		if r != '?' {
			b.WriteRune(r)
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}
