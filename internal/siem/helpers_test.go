package siem_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/siem"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// product is the product every test exports as.
var product = siem.DefaultProduct("v1.2.3")

// eventTime is the time of the sample events.
var eventTime = time.Date(2025, 6, 1, 12, 30, 45, 123456789, time.UTC)

// record returns a sample record of action.
func record(seq int64, action string, outcome audit.Outcome, resource string) siem.Record {
	return siem.Record{Seq: seq, Event: audit.Event{
		Code: audit.Catalogue[action].Code, Action: action, Time: eventTime,
		ActorID: "u-7f3a", ActorKind: "human", Roles: []string{"agent"},
		Resource: resource, Outcome: outcome, Origin: "192.0.2.10", RequestID: "req-01",
	}}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (run go test -update if intended):\n got %s\nwant %s", path, got, want)
	}
}
