package sqlite_test

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/store/sqlite"
	"github.com/confide-cc/confide/internal/store/storetest"
)

// open opens a new database in a temporary directory and closes it when
// the test ends.
func open(t testing.TB) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "confide.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, path
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := open(t)
		return s
	})
}

func TestOpenNeedsDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "confide.db")
	if s, err := sqlite.Open(t.Context(), path); err == nil {
		s.Close()
		t.Fatal("Open created a database in a missing directory")
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "confide.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Erasure{CustomerID: "c1", ErasedAt: time.Unix(1700000000, 0).UTC(), Receipt: []byte("{}")}
	if err := s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertErasure(t.Context(), want) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	err = s.View(t.Context(), func(tx store.Tx) error {
		got, err := tx.GetErasure(t.Context(), "c1")
		if err == nil && !got.ErasedAt.Equal(want.ErasedAt) {
			t.Errorf("erasure after reopen = %+v, want %+v", got, want)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentOpen opens a new file from several goroutines at once, as
// several processes starting together would: each migrator must wait for
// the first instead of failing on tables it already created.
func TestConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "confide.db")
	const openers = 4
	stores := make([]*sqlite.Store, openers)
	errs := make([]error, openers)
	var wg sync.WaitGroup
	for i := range openers {
		wg.Go(func() { stores[i], errs[i] = sqlite.Open(t.Context(), path) })
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
			return tx.InsertErasure(t.Context(), store.Erasure{CustomerID: fmt.Sprint(i), ErasedAt: time.Now(), Receipt: []byte("{}")})
		})
		if err != nil {
			t.Fatalf("Update through store %d: %v", i, err)
		}
	}
}

func TestNewerSchemaIsRejected(t *testing.T) {
	s, path := open(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(t.Context(), path)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a database migrated by a newer version")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open: %v, want an error about a newer schema", err)
	}
}

// TestErasureLeavesNoTrace is crypto-shredding on disk: once a customer is
// deleted and the WAL checkpointed, their wrapped keyset must appear
// nowhere in the database file, the WAL or the shared-memory index.
func TestErasureLeavesNoTrace(t *testing.T) {
	s, path := open(t)
	ctx := t.Context()
	keyset := func(id string) store.CustomerKeyset {
		wrapped := make([]byte, 200)
		rand.Read(wrapped)
		return store.CustomerKeyset{CustomerID: id, KEKKeyID: 1, Wrapped: wrapped}
	}
	erased, kept := keyset("erased"), keyset("kept")
	now := time.Now()
	for _, k := range []store.CustomerKeyset{erased, kept} {
		err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.InsertCustomerKeyset(ctx, k); err != nil {
				return err
			}
			c := store.Customer{ID: k.CustomerID, Name: []byte("sealed"), CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertCustomer(ctx, c); err != nil {
				return err
			}
			return tx.InsertInteraction(ctx, store.Interaction{ID: k.CustomerID + "-i", CustomerID: k.CustomerID,
				Channel: "chat", StartedAt: now, Content: make([]byte, 3000), CreatedAt: now})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Move the keysets into the database file, then rewrite their page so
	// that a copy also sits in the WAL.
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	kept.KEKKeyID = 2
	err := s.Update(ctx, func(tx store.Tx) error { return tx.UpdateCustomerKeyset(ctx, kept) })
	if err != nil {
		t.Fatal(err)
	}
	// The scan must see the keysets where they are, or it proves nothing.
	equalFiles(t, "erased keyset before the erasure", foundIn(t, path, erased.Wrapped), "confide.db", "confide.db-wal")
	equalFiles(t, "kept keyset before the erasure", foundIn(t, path, kept.Wrapped), "confide.db", "confide.db-wal")

	err = s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.DeleteCustomer(ctx, "erased")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Until the checkpoint, the WAL still holds the page as it was.
	equalFiles(t, "erased keyset before the checkpoint", foundIn(t, path, erased.Wrapped), "confide.db", "confide.db-wal")
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	equalFiles(t, "erased keyset after the checkpoint", foundIn(t, path, erased.Wrapped))
	equalFiles(t, "kept keyset after the checkpoint", foundIn(t, path, kept.Wrapped), "confide.db")
}

// foundIn returns the names of the files among the database, its WAL and
// its shared-memory index that contain b.
func foundIn(t *testing.T, path string, b []byte) []string {
	t.Helper()
	var found []string
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		data, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(data, b) {
			found = append(found, filepath.Base(p))
		}
	}
	return found
}

func equalFiles(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: found in %q, want %q", what, got, want)
	}
}

// BenchmarkUpdate measures the write path of an interaction push: one
// transaction inserting a 4 KiB interaction and appending its audit record.
// "sequential" runs one Update at a time; "parallel" runs 16 writers per
// CPU at once, as concurrent API requests do.
func BenchmarkUpdate(b *testing.B) {
	b.Run("sequential", func(b *testing.B) { benchmarkUpdate(b, 0) })
	b.Run("parallel", func(b *testing.B) { benchmarkUpdate(b, 16) })
}

// benchmarkUpdate runs interaction pushes from one goroutine if
// parallelism is 0, else from parallelism goroutines per CPU.
func benchmarkUpdate(b *testing.B, parallelism int) {
	s, _ := open(b)
	ctx := b.Context()
	now := time.Now()
	err := s.Update(ctx, func(tx store.Tx) error {
		return tx.InsertCustomer(ctx, store.Customer{ID: "c1", CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		b.Fatal(err)
	}
	content := make([]byte, 4<<10)
	rand.Read(content)
	before := s.WriteStats()
	var ids atomic.Int64
	push := func() error {
		id := fmt.Sprintf("i%09d", ids.Add(1))
		return s.Update(ctx, func(tx store.Tx) error {
			seq, hash, err := tx.AuditHead(ctx)
			if err != nil {
				return err
			}
			in := store.Interaction{ID: id, CustomerID: "c1", Channel: "chat", StartedAt: now, Content: content, CreatedAt: now}
			if err := tx.InsertInteraction(ctx, in); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, store.AuditRecord{Seq: seq + 1, Time: now, Body: []byte(`{"event":"interaction.create"}`),
				PrevHash: hash, Hash: content[:32]})
		})
	}
	if parallelism == 0 {
		for b.Loop() {
			if err := push(); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		b.SetParallelism(parallelism)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := push(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	after := s.WriteStats()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
	b.ReportMetric(float64(after.Updates-before.Updates)/float64(after.Commits-before.Commits), "fns/commit")
}
