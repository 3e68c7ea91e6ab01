package siem_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/siem"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/store/postgres"
	"github.com/confide-cc/confide/internal/store/postgres/pgtest"
	"github.com/confide-cc/confide/internal/store/sqlite"
)

// openStore returns a fresh, migrated SQLite store.
func openStore(t testing.TB) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "confide.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// openPostgres returns a store in a fresh schema of the PostgreSQL
// database at CONFIDE_TEST_POSTGRES_URL, dropped when the test ends, or
// skips the test when the variable is not set.
func openPostgres(t *testing.T) store.Store {
	t.Helper()
	dbURL, _ := pgtest.Schema(t, "confide_siem_test_")
	st, err := postgres.Open(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// appendEvents appends n audit events, cycling through a few actions.
func appendEvents(t testing.TB, st store.Store, n int) {
	t.Helper()
	actions := []string{"customer.read", "token.create", "recording.play", "alert.raised", "keys.rotate"}
	ctx := context.Background()
	const perTx = 200
	for done := 0; done < n; done += perTx {
		err := st.Update(ctx, func(tx store.Tx) error {
			for i := done; i < min(n, done+perTx); i++ {
				ev := audit.Event{Action: actions[i%len(actions)], Time: eventTime.Add(time.Duration(i) * time.Millisecond),
					ActorID: fmt.Sprintf("u-%d", i%7), ActorKind: "human", Resource: fmt.Sprintf("customer/c-%d", i),
					Outcome: audit.Success, Origin: "192.0.2.1", RequestID: fmt.Sprintf("r-%d", i)}
				if err := audit.Append(ctx, tx, ev); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// running is a Runner started in the background.
type running struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	sent   int // records in successful sends
	failed int // failed sends
}

// startRunner runs a Runner over sinks until the test ends or stop.
func startRunner(t testing.TB, st store.Store, o siem.RunnerOptions, sinks ...siem.Sink) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan struct{})}
	o.Observe = func(_ string, n int, err error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			r.failed++
		} else {
			r.sent += n
		}
	}
	if o.PollInterval == 0 {
		o.PollInterval = 5 * time.Millisecond
	}
	if o.MinBackoff == 0 {
		o.MinBackoff, o.MaxBackoff = 5*time.Millisecond, 50*time.Millisecond
	}
	go func() {
		defer close(r.done)
		siem.NewRunner(st, sinks, o).Run(ctx)
	}()
	t.Cleanup(r.stop)
	return r
}

// stop stops the runner and waits for it to return.
func (r *running) stop() {
	r.cancel()
	<-r.done
}

func (r *running) failures() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// eventually polls cond until it holds, failing the test after a generous
// bound (a liveness check, not a performance assertion).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// cursor returns the stored cursor of sink (Seq 0 if none).
func cursor(t testing.TB, st store.Store, sink string) store.SIEMCursor {
	t.Helper()
	var out store.SIEMCursor
	err := st.View(context.Background(), func(tx store.Tx) error {
		cs, err := tx.ListSIEMCursors(context.Background())
		for _, c := range cs {
			if c.Sink == sink {
				out = c
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
