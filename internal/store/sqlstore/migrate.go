package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"time"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one schema version: the SQL that moves the schema from
// version-1 to version.
type migration struct {
	version int64
	name    string
	sql     string
}

// migrationName is NNNN_description.sql.
var migrationName = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

// migrations returns the dialect's migrations in version order. Versions
// start at 1 and have no gaps.
func migrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: no migrations for dialect %q: %w", dialect, err)
	}
	var out []migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("sqlstore: migration file %s: name is not NNNN_name.sql", path.Join(dir, e.Name()))
		}
		version, _ := strconv.ParseInt(m[1], 10, 64) // four digits always parse
		text, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: %w", err)
		}
		out = append(out, migration{version: version, name: e.Name(), sql: string(text)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != int64(i+1) {
			return nil, fmt.Errorf("sqlstore: migrations/%s: expected version %d, found %s", dialect, i+1, m.name)
		}
	}
	return out, nil
}

// Migrate brings the schema up to the latest version, applying every
// pending migration in one transaction that records each version in
// schema_migrations. It is idempotent and safe to run from several
// processes at once: concurrent migrators wait for each other (the
// dialect's MigrationLock, or BEGIN IMMEDIATE on SQLite) and the later
// ones find nothing to do. It fails if the database was migrated by a newer
// version of Confide.
func (s *Store) Migrate(ctx context.Context) error {
	all, err := migrations(s.d.Name)
	if err != nil {
		return err
	}
	sqlTx, err := s.write.BeginTx(ctx, &s.d.UpdateOptions)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: begin: %w", err)
	}
	defer sqlTx.Rollback() // no-op after Commit
	if err := s.migrate(ctx, sqlTx, all); err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: migrate: commit: %w", err)
	}
	return nil
}

func (s *Store) migrate(ctx context.Context, sqlTx *sql.Tx, all []migration) error {
	if s.d.MigrationLock != "" {
		if _, err := sqlTx.ExecContext(ctx, s.d.MigrationLock); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
	}
	if _, err := sqlTx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    BIGINT PRIMARY KEY,
		applied_at BIGINT NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var current int64
	if err := sqlTx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if latest := int64(len(all)); current > latest {
		return fmt.Errorf("database schema version %d is newer than this build supports (%d)", current, latest)
	}
	for _, m := range all[current:] {
		if _, err := sqlTx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("apply %s: %w", m.name, err)
		}
		if _, err := sqlTx.ExecContext(ctx, s.d.rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`),
			m.version, time.Now().UnixMicro()); err != nil {
			return fmt.Errorf("record %s: %w", m.name, err)
		}
	}
	return nil
}
