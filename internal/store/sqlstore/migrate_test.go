package sqlstore

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

var dialects = []string{"sqlite", "postgres"}

// TestMigrationsInStep checks that every dialect has the same migrations
// creating the same tables, columns and indexes, so that the schemas cannot
// drift apart.
func TestMigrationsInStep(t *testing.T) {
	shapes := map[string][]string{}
	for _, d := range dialects {
		ms, err := migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 {
			t.Fatalf("no migrations for %s", d)
		}
		for _, m := range ms {
			shapes[d] = append(shapes[d], m.name)
			shapes[d] = append(shapes[d], schemaShape(m.sql)...)
		}
	}
	if !slices.Contains(shapes["sqlite"], "audit_head(id,seq,hash)") {
		t.Fatalf("schemaShape missed a table: %q", shapes["sqlite"])
	}
	for _, d := range dialects[1:] {
		if !slices.Equal(shapes[d], shapes[dialects[0]]) {
			t.Errorf("migrations of %s and %s differ:\n%s\n%s", dialects[0], d,
				strings.Join(shapes[dialects[0]], "\n"), strings.Join(shapes[d], "\n"))
		}
	}
}

var (
	createTable = regexp.MustCompile(`(?s)CREATE TABLE (\w+) \((.*?)\n\)`)
	columnName  = regexp.MustCompile(`(?m)^\s+(\w+)\s`)
	createIndex = regexp.MustCompile(`CREATE (?:UNIQUE )?INDEX \w+ ON .*;`)
)

// schemaShape lists the tables with their column names, and the index
// definitions, of a migration.
func schemaShape(sql string) []string {
	var shape []string
	for _, m := range createTable.FindAllStringSubmatch(sql, -1) {
		var cols []string
		for _, c := range columnName.FindAllStringSubmatch(m[2], -1) {
			cols = append(cols, c[1])
		}
		shape = append(shape, m[1]+"("+strings.Join(cols, ",")+")")
	}
	return append(shape, createIndex.FindAllString(sql, -1)...)
}

func TestRebind(t *testing.T) {
	tests := []struct {
		numbered    bool
		query, want string
	}{
		{false, `SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = ? AND c = ?`},
		{true, `SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{true, `SELECT 1`, `SELECT 1`},
		{true, `VALUES (?,?,?,?,?,?,?,?,?,?,?)`, `VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`},
	}
	for _, tc := range tests {
		d := Dialect{NumberedPlaceholders: tc.numbered}
		if got := d.rebind(tc.query); got != tc.want {
			t.Errorf("rebind(%q, numbered=%v) = %q, want %q", tc.query, tc.numbered, got, tc.want)
		}
	}
}
