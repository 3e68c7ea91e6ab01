package monitor_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/monitor"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/store/sqlite"
)

// openStore returns a fresh migrated SQLite store.
func openStore(t testing.TB) store.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "confide.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// as returns a context acting as a principal from an address.
func as(ctx context.Context, id string, kind identity.Kind, role, origin string) context.Context {
	ctx = identity.WithPrincipal(ctx, identity.Principal{ID: id, Kind: kind, Roles: []string{role}})
	return audit.WithRequest(ctx, audit.RequestInfo{ID: "req", Origin: origin})
}

// appendEvent audits action on resource as the principal of ctx and
// returns its audit index.
func appendEvent(t testing.TB, st store.Store, ctx context.Context, action, resource string, outcome audit.Outcome) int64 {
	t.Helper()
	var seq int64
	err := st.Update(ctx, func(tx store.Tx) error {
		if err := audit.Append(ctx, tx, audit.NewEvent(ctx, action, resource, outcome)); err != nil {
			return err
		}
		var err error
		seq, _, err = tx.AuditHead(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alerts lists every alert.
func alerts(t testing.TB, st store.Store) []store.Alert {
	t.Helper()
	var out []store.Alert
	err := st.View(t.Context(), func(tx store.Tx) error {
		var err error
		out, err = tx.ListAlerts(t.Context(), store.AlertQuery{Limit: 1000})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// auditActions returns the actions of the audit log, in order, by actor.
func auditActions(t testing.TB, st store.Store, actor string) []string {
	t.Helper()
	var out []string
	err := st.View(t.Context(), func(tx store.Tx) error {
		recs, err := tx.ListAudit(t.Context(), 1, 100000)
		for _, r := range recs {
			if r.Actor == actor {
				out = append(out, r.Action)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// startEngine runs an engine until the test ends.
func startEngine(t testing.TB, st store.Store, opt monitor.EngineOptions) *monitor.Engine {
	t.Helper()
	if opt.PollInterval == 0 {
		opt.PollInterval = 10 * time.Millisecond
	}
	e, err := monitor.NewEngine(st, opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return e
}
