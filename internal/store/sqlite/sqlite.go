// Package sqlite is Confide's embedded storage backend: store.Store over a
// single SQLite file, through the pure-Go driver modernc.org/sqlite (no
// cgo). It is the default and needs no set-up.
//
// The file is created with mode 0600 (SQLite gives its -wal and -shm files
// the same mode). Connections run in WAL mode with foreign keys enforced
// and secure_delete on, so deleted rows, crypto-shredded keysets among
// them, are overwritten with zeros instead of lingering in free pages; call
// Checkpoint after an erasure to clear their old copies out of the WAL.
//
// All writes go through one connection and every write transaction begins
// with BEGIN IMMEDIATE, so write transactions are serialized within the
// process and across processes sharing the file, and never fail half-way on
// a lock upgrade. Update uses group commit: one writer goroutine runs the
// Update calls that are waiting at the same time in one transaction, each
// in a savepoint of its own, and commits them with one fsync (see package
// sqlstore). Reads (View) use a separate pool of query-only connections
// that run concurrently with the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/confide-cc/confide/internal/store/sqlstore"
)

// readers is the size of the read pool.
const readers = 4

// connParams are the DSN parameters of every connection.
//
// synchronous=FULL makes each commit fsync the WAL, so a transaction that
// Update reported committed survives a power loss or kernel crash. NORMAL
// would fsync only at checkpoints and could silently drop the last commits
// on power loss: audit records of reads already served, interactions
// already acknowledged to the telephony platform, or an erasure whose blobs
// were already deleted. Group commit spreads the one fsync per commit over
// the concurrent Update calls (see BenchmarkUpdate).
var connParams = []string{
	"busy_timeout(10000)", // wait up to 10 s for another process's lock
	"foreign_keys(1)",
	"secure_delete(1)",
	"synchronous(FULL)",
}

// Store is a store.Store over a SQLite file.
type Store struct {
	*sqlstore.Store
	write *sql.DB
}

// Open opens the SQLite database at path, creating the file with mode 0600
// if it does not exist (its directory must exist), and migrates its schema
// to the latest version.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := createFile(abs); err != nil {
		return nil, err
	}
	write, err := openPool(ctx, abs, 1, url.Values{"_txlock": {"immediate"}, "_journal_mode": {"WAL"}})
	if err != nil {
		return nil, err
	}
	read, err := openPool(ctx, abs, readers, url.Values{"_query_only": {"1"}})
	if err != nil {
		return nil, errors.Join(err, write.Close())
	}
	s := &Store{Store: sqlstore.New(dialect, write, read), write: write}
	if err := s.Migrate(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: %w", err), s.Close())
	}
	return s, nil
}

// createFile creates the database file with mode 0600 unless it exists,
// before SQLite would create it with a umask-dependent mode.
func createFile(path string) error {
	dir := filepath.Dir(path)
	if info, err := os.Stat(dir); err != nil {
		return fmt.Errorf("sqlite: database directory: %w", err)
	} else if !info.IsDir() {
		return fmt.Errorf("sqlite: database directory %s is not a directory", dir)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: create database file: %w", err)
	}
	// Chmod too: the umask may have removed bits from 0600.
	return errors.Join(f.Chmod(0o600), f.Close())
}

// openPool opens a pool of at most size connections to the database file
// at path, configured by connParams and the driver's DSN parameters in
// extra.
func openPool(ctx context.Context, path string, size int, extra url.Values) (*sql.DB, error) {
	q := url.Values{"_pragma": connParams}
	for k, v := range extra {
		q[k] = v
	}
	dsn := (&url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	db.SetMaxOpenConns(size)
	db.SetMaxIdleConns(size)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open: %w", err), db.Close())
	}
	return db, nil
}

// Checkpoint copies every transaction in the WAL into the database file and
// truncates the WAL to zero bytes (PRAGMA wal_checkpoint(TRUNCATE)). After
// an erasure it removes the last copies of the deleted rows from the WAL;
// secure_delete has already zeroed them in the pages written since. It
// waits (up to the busy timeout) for readers of older snapshots, and fails
// if they are still there.
//
// It runs on the write connection, never inside a group commit: the write
// pool holds one connection, which a batch keeps from BEGIN to COMMIT, so
// Checkpoint waits for the batch in progress and the next batch waits for
// Checkpoint. For the same reason it must not be called inside Update.
func (s *Store) Checkpoint(ctx context.Context) error {
	var busy, logFrames, checkpointed int
	if err := s.write.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &checkpointed); err != nil {
		return fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	if busy != 0 {
		return errors.New("sqlite: checkpoint: blocked by a reader; try again")
	}
	return nil
}
