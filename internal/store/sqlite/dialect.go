package sqlite

import (
	"database/sql"
	"errors"

	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/store/sqlstore"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect runs sqlstore on SQLite. Update transactions begin IMMEDIATE
// (the _txlock DSN parameter of the write pool), which takes the database's
// write lock up front: that serializes writers, so no row locks are needed
// and migrations need no lock of their own. Group commit shares one
// transaction, and so one fsync, among the Update calls that wait at the
// same time.
var dialect = sqlstore.Dialect{
	Name:        "sqlite",
	ViewOptions: sql.TxOptions{ReadOnly: true},
	GroupCommit: true,
	// modernc.org/sqlite prepares a statement on every Exec/Query.
	CacheStatements: true,
	Classify:        classify,
}

func classify(err error) error {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return nil
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return store.ErrNotFound
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return store.ErrConflict
	}
	return nil
}
