package api

import (
	"net/url"
	"testing"

	"github.com/confide-cc/confide/internal/audit"
)

// FuzzAuditQuery feeds arbitrary query strings to the audit routes'
// parameter parsers: they never panic and what they accept is in range.
func FuzzAuditQuery(f *testing.F) {
	for _, s := range []string{"start=0&end=10", "start=5", "index=3&size=9", "old=1&new=2", "start=01", "start=-1",
		"actor=u&outcome=denied&from=2026-01-02T15:04:05Z&after=99&limit=500", "limit=0", "from=x", "start=1&start=2", "after=9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if start, end, err := parseEntriesQuery(q); err == nil && (start < 0 || end <= start) {
			t.Fatalf("entries %q accepted as [%d, %d)", raw, start, end)
		}
		if a, b, err := parsePair(q, "index", "size"); err == nil && (a < 0 || b < 0) {
			t.Fatalf("pair %q accepted as %d, %d", raw, a, b)
		}
		if sq, err := parseSearchQuery(q); err == nil && (sq.Limit < 1 || sq.Limit > audit.MaxSearch || sq.AfterSeq < 0) {
			t.Fatalf("search %q accepted as %+v", raw, sq)
		}
	})
}
