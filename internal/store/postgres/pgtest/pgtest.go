// Package pgtest gives tests their own PostgreSQL schema. Tests that need
// PostgreSQL read CONFIDE_TEST_POSTGRES_URL (set by .ci/run) and skip with a
// clear message when it is unset; each test works in a schema with a random
// name that is dropped when the test ends, so the shared server is left as
// it was found.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection
)

// EnvVar names the base URL of the test database.
const EnvVar = "CONFIDE_TEST_POSTGRES_URL"

// BaseURL returns the URL in EnvVar, or skips the test if it is unset.
func BaseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvVar)
	if u == "" {
		t.Skip(EnvVar + " not set; PostgreSQL tests skipped (.ci/run sets it)")
	}
	return u
}

// Schema creates a schema with a random name (prefix plus random letters)
// in the database at EnvVar, drops it with everything in it when the test
// ends, and returns a database URL whose search_path selects it, and the
// schema's name. It skips the test if EnvVar is unset.
func Schema(t testing.TB, prefix string) (dbURL, schema string) {
	t.Helper()
	base := BaseURL(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	schema = prefix + strings.ToLower(rand.Text()[:16])
	if _, err := admin.Exec(`CREATE SCHEMA "` + schema + `"`); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA "` + schema + `" CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvVar, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema
}
