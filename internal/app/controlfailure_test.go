package app_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the attacker's direct access to the database file

	"github.com/confide-cc/confide/internal/identity"
)

// TestTamperRaisesCriticalAlert rewrites the stored tree behind a running
// node's back: the checkpointer refuses to extend the log and records
// audit.tamper, and the monitor turns that into a critical control_failure
// alert that security admins see in the alerts API.
func TestTamperRaisesCriticalAlert(t *testing.T) {
	e := newEnv(t)
	cid := e.createCustomer(sampleCustomer())
	e.must(e.do("agent", "GET", "/api/v1/customers/"+cid, nil), 200)
	if _, _, err := e.app.Audit.Integrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(e.dataDir, "confide.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE audit_tree SET compact = zeroblob(length(compact))`); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	engine := make(chan struct{})
	go func() { e.app.MonitorEngine.Run(ctx); close(engine) }()
	defer func() { cancel(); <-engine }()
	checkpointer := make(chan struct{})
	go func() { e.app.Audit.Run(ctx, time.Millisecond); close(checkpointer) }()
	select {
	case <-checkpointer: // Run returns once it has found the tampering
	case <-time.After(30 * time.Second):
		t.Fatal("the checkpointer did not stop on a tampered tree")
	}
	var alerts struct {
		Items []struct{ Rule, Severity, Summary string }
	}
	for deadline := time.Now().Add(20 * time.Second); len(alerts.Items) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no control_failure alert after the audit log was found tampered with")
		}
		e.must(e.do(identity.RoleSecurityAdmin, "GET", "/api/v1/alerts?rule=control_failure", nil), 200).json(t, &alerts)
	}
	if a := alerts.Items[0]; a.Severity != "critical" || !contains([]byte(a.Summary), "audit.tamper (tree_state_mismatch)") {
		t.Errorf("alert %+v: want a critical alert naming audit.tamper", a)
	}
}
