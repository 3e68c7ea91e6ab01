package audit_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite" // direct access to the database file, as an attacker would have

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/store/sqlite"
)

func appendN(t *testing.T, st store.Store, n int) {
	t.Helper()
	ctx := identity.WithPrincipal(context.Background(), identity.Principal{ID: "tok_x", Kind: identity.KindService, Roles: []string{"agent"}})
	for i := 0; i < n; i++ {
		ev := audit.NewEvent(ctx, "customer.read", "customer/abc", audit.Success)
		if err := st.Update(ctx, func(tx store.Tx) error { return audit.Append(ctx, tx, ev) }); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAppendRejectsUncataloguedActions(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Update(context.Background(), func(tx store.Tx) error {
		return audit.Append(context.Background(), tx, audit.Event{Action: "customer.teleport"})
	})
	if !errors.Is(err, audit.ErrUnknownAction) {
		t.Fatalf("err = %v, want ErrUnknownAction", err)
	}
}

// TestVerifyDetectsTampering edits, deletes and reorders records directly
// in the database file and checks that Verify names the first bad record.
func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name    string
		sql     string
		wantSeq int64
	}{
		{"edit an event", `UPDATE audit_log SET body = CAST(replace(CAST(body AS TEXT), 'customer/abc', 'customer/xyz') AS BLOB) WHERE seq = 3`, 3},
		{"delete an event", `DELETE FROM audit_log WHERE seq = 4`, 4},
		{"swap two events", `UPDATE audit_log SET body = (SELECT body FROM audit_log WHERE seq = 2) WHERE seq = 5`, 5},
		{"recompute one hash", `UPDATE audit_log SET hash = zeroblob(32) WHERE seq = 2`, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.db")
			st, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			appendN(t, st, 6)
			if n, err := audit.Verify(context.Background(), st); err != nil || n != 6 {
				t.Fatalf("before tampering: %d, %v", n, err)
			}
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(tc.sql); err != nil {
				t.Fatal(err)
			}
			db.Close()
			_, err = audit.Verify(context.Background(), st)
			var ve *audit.VerifyError
			if !errors.As(err, &ve) || ve.Seq != tc.wantSeq {
				t.Fatalf("Verify = %v, want a break at seq %d", err, tc.wantSeq)
			}
		})
	}
}
