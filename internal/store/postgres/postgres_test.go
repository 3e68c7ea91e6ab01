package postgres_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver for the test's own connection

	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/store/postgres"
	"github.com/confide-cc/confide/internal/store/postgres/pgtest"
	"github.com/confide-cc/confide/internal/store/storetest"
)

func baseURL(t *testing.T) string { return pgtest.BaseURL(t) }

// newSchema returns a URL selecting a fresh schema, dropped at the end.
func newSchema(t *testing.T) string {
	u, _ := pgtest.Schema(t, "confide_test_")
	return u
}

func open(t *testing.T, url string) store.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	baseURL(t)
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, newSchema(t)) })
}

// TestConcurrentOpen migrates one schema from several goroutines at once,
// as several nodes starting together would.
func TestConcurrentOpen(t *testing.T) {
	url := newSchema(t)
	const openers = 4
	stores := make([]store.Store, openers)
	errs := make([]error, openers)
	var wg sync.WaitGroup
	for i := range openers {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(t.Context(), url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	for i, s := range stores {
		err := s.Update(t.Context(), func(tx store.Tx) error {
			return tx.InsertErasure(t.Context(), store.Erasure{CustomerID: fmt.Sprint(i), ErasedAt: storeTime, Receipt: []byte("{}")})
		})
		if err != nil {
			t.Fatalf("Update through store %d: %v", i, err)
		}
	}
}

// TestSchemasAreSeparate checks that the search_path in the URL decides
// where the tables live.
func TestSchemasAreSeparate(t *testing.T) {
	a, b := open(t, newSchema(t)), open(t, newSchema(t))
	err := a.Update(t.Context(), func(tx store.Tx) error {
		return tx.InsertErasure(t.Context(), store.Erasure{CustomerID: "c1", ErasedAt: storeTime, Receipt: []byte("{}")})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = b.View(t.Context(), func(tx store.Tx) error {
		_, err := tx.GetErasure(t.Context(), "c1")
		return err
	})
	if err == nil {
		t.Fatal("a row written in one schema is visible in another")
	}
}

func TestOpenRejectsBadURL(t *testing.T) {
	if _, err := postgres.Open(t.Context(), "postgres://u:secret@127.0.0.1:notaport/db"); err == nil {
		t.Fatal("Open accepted a malformed URL")
	}
}

var storeTime = time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)
