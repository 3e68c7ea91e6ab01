// Package postgres is Confide's shared storage backend: store.Store over
// PostgreSQL through pgx (github.com/jackc/pgx/v5/stdlib), for any number
// of stateless Confide nodes.
//
// Update transactions run at READ COMMITTED. The rows that writers must
// serialize on are locked explicitly (SELECT ... FOR UPDATE on the audit
// head, the customer being deleted and the recording being replaced), and
// every compare-and-swap is a single conditional UPDATE, which PostgreSQL
// re-checks against the latest committed row. SERIALIZABLE was rejected:
// its serialization failures would force Update to re-run the caller's
// function, which may have side effects (blob uploads) that must not
// happen twice. View transactions are READ ONLY at REPEATABLE READ, so
// every read in one View sees the same snapshot.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/store/sqlstore"
)

// Pool limits. Each Confide node holds at most maxConns connections.
const (
	maxConns    = 16
	maxIdleTime = 5 * time.Minute
)

// migrationLockKey identifies Confide's schema migrations among the
// database's advisory locks.
const migrationLockKey = 0x636f6e66696465 // "confide"

var dialect = sqlstore.Dialect{
	Name:                 "postgres",
	NumberedPlaceholders: true,
	LockRows:             "FOR UPDATE",
	MigrationLock:        fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", migrationLockKey),
	UpdateOptions:        sql.TxOptions{Isolation: sql.LevelReadCommitted},
	ViewOptions:          sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	Classify:             classify,
}

// Open connects to the PostgreSQL database at url (a postgres:// URL or a
// key=value connection string, as pgx accepts) and migrates the schema to
// the latest version. Parameters the URL carries, such as
// search_path=confide, are set on every connection, so the tables live in
// the first schema of the search path; that schema must exist.
func Open(ctx context.Context, url string) (*sqlstore.Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx redacts the password in its parse errors.
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(maxIdleTime)
	if err := db.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("postgres: connect: %w", err), db.Close())
	}
	s := sqlstore.New(dialect, db, nil)
	if err := s.Migrate(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("postgres: %w", err), s.Close())
	}
	return s, nil
}

// classify maps PostgreSQL's foreign-key and unique violations to the
// store's sentinel errors.
func classify(err error) error {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return nil
	}
	switch e.Code {
	case "23503": // foreign_key_violation
		return store.ErrNotFound
	case "23505": // unique_violation
		return store.ErrConflict
	}
	return nil
}
