package audit_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	_ "modernc.org/sqlite" // direct access to the database file, as an attacker would have

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/store"
)

func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}

// rewriteChain recomputes every chain hash from the bodies, as an
// attacker who edited events would to hide the edit from the chain.
func rewriteChain(db *sql.DB) error {
	rows, err := db.Query(`SELECT seq, body FROM audit_log ORDER BY seq`)
	if err != nil {
		return err
	}
	type rec struct {
		seq  int64
		body []byte
	}
	var recs []rec
	for rows.Next() {
		var r rec
		if err := rows.Scan(&r.seq, &r.body); err != nil {
			return err
		}
		recs = append(recs, r)
	}
	rows.Close()
	prev := []byte{}
	for _, r := range recs {
		h := audit.ChainHash(prev, r.body)
		if _, err := db.Exec(`UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?`, prev, h, r.seq); err != nil {
			return err
		}
		prev = h
	}
	_, err = db.Exec(`UPDATE audit_head SET hash = ?, seq = (SELECT max(seq) FROM audit_log)`, prev)
	return err
}

const editSQL = `UPDATE audit_log SET body = CAST(replace(CAST(body AS TEXT), 'customer/abc', 'customer/xyz') AS BLOB) WHERE seq = %d`

// TestVerifyDetectsTampering edits, deletes, reorders and inserts records
// directly in the database file and checks that Verify names the first bad
// index (leaf index = seq - 1), with and without a rewritten chain.
func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name      string
		sql       []string
		chain     bool // rewrite the chain afterwards
		wantIndex int64
	}{
		{"edit an event", []string{fmt.Sprintf(editSQL, 3)}, false, 2},
		{"delete an event", []string{`DELETE FROM audit_log WHERE seq = 4`}, false, 3},
		{"swap two events", []string{`UPDATE audit_log SET body = (SELECT body FROM audit_log WHERE seq = 2) WHERE seq = 5`}, false, 4},
		{"zero one chain hash", []string{`UPDATE audit_log SET hash = zeroblob(32) WHERE seq = 2`}, false, 1},
		{"edit an event, rewrite the chain", []string{fmt.Sprintf(editSQL, 3)}, true, 2},
		{"delete an event, renumber, rewrite the chain", []string{`DELETE FROM audit_log WHERE seq = 4`, `UPDATE audit_log SET seq = seq - 1 WHERE seq > 4`}, true, 3},
		{"reorder two events, rewrite the chain", []string{
			`UPDATE audit_log SET seq = -1 WHERE seq = 2`, `UPDATE audit_log SET seq = 2 WHERE seq = 5`, `UPDATE audit_log SET seq = 5 WHERE seq = -1`,
			`UPDATE audit_log SET body = CAST(replace(CAST(body AS TEXT), 'customer/abc', 'customer/moved') AS BLOB) WHERE seq = 2`}, true, 1},
		{"insert an event, rewrite the chain", []string{`UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3`, `UPDATE audit_log SET seq = seq - 99 WHERE seq >= 103`,
			`INSERT INTO audit_log (seq, time, body, prev_hash, hash) SELECT 3, time, CAST(replace(CAST(body AS TEXT), 'customer/abc', 'customer/new') AS BLOB), x'', x'' FROM audit_log WHERE seq = 2`}, true, 2},
		{"delete the newest events", []string{`DELETE FROM audit_log WHERE seq > 4`}, true, 4},
		{"rewrite the stored leaf hashes too", []string{
			fmt.Sprintf(editSQL, 6),
			`UPDATE audit_nodes SET hash = zeroblob(32)`}, true, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := openLog(t, audit.Options{})
			st, l, path := f.st, f.log, f.path
			appendN(t, st, 4)
			integrate(t, l)
			appendN(t, st, 2)
			integrate(t, l)
			if rep, err := audit.Verify(ctx, st, l.Verifier()); err != nil || rep.Records != 6 || rep.Covered != 6 || rep.Checkpoints != 2 {
				t.Fatalf("before tampering: %+v, %v", rep, err)
			}
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, q := range tc.sql {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if tc.chain {
				if err := rewriteChain(db); err != nil {
					t.Fatal(err)
				}
			}
			_, err = audit.Verify(ctx, st, l.Verifier())
			var ve *audit.VerifyError
			if !errors.As(err, &ve) || ve.Index != tc.wantIndex {
				t.Fatalf("Verify = %v, want a break at index %d", err, tc.wantIndex)
			}
		})
	}
}

func TestVerifyRejectsForgedCheckpoints(t *testing.T) {
	ctx := context.Background()
	f := openLog(t, audit.Options{})
	st, l, path := f.st, f.log, f.path
	appendN(t, st, 3)
	integrate(t, l)
	other, _ := newSigner(t, l.Origin())
	forged, err := audit.SignCheckpoint(audit.Checkpoint{Origin: l.Origin(), Size: 3, Hash: make([]byte, 32)}, other)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE audit_checkpoints SET note = ? WHERE size = 3`, forged); err != nil {
		t.Fatal(err)
	}
	var ve *audit.VerifyError
	if _, err := audit.Verify(ctx, st, l.Verifier()); !errors.As(err, &ve) || ve.Index != 0 {
		t.Fatalf("Verify with a checkpoint signed by another key = %v, want a break at index 0", err)
	}
	if _, _, err := l.Integrate(ctx); !errors.Is(err, audit.ErrTampered) {
		t.Fatalf("Integrate over a forged checkpoint: %v, want ErrTampered", err)
	}
}

// TestServerRefusesToExtendTamperedTree corrupts the stored tree state and
// checks that Integrate refuses for good and Run records audit.tamper.
func TestServerRefusesToExtendTamperedTree(t *testing.T) {
	ctx := context.Background()
	f := openLog(t, audit.Options{})
	st, l, path := f.st, f.log, f.path
	appendN(t, st, 5)
	integrate(t, l)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE audit_tree SET compact = zeroblob(64)`); err != nil {
		t.Fatal(err)
	}
	appendN(t, st, 1)
	if _, _, err := l.Integrate(ctx); !errors.Is(err, audit.ErrTampered) {
		t.Fatalf("Integrate = %v, want ErrTampered", err)
	}
	if !l.Tampered() {
		t.Error("Tampered() = false after detection")
	}

	restarted := audit.NewLog(st, l.Origin(), f.signer, audit.Options{})
	restarted.Run(ctx, audit.CheckpointInterval) // returns once it has raised the alarm
	if !restarted.Tampered() {
		t.Fatal("Run did not refuse the tampered tree")
	}
	if last := lastEvent(t, st); last.Action != "audit.tamper" || last.Reason != "tree_state_mismatch" {
		t.Errorf("last event = %+v, want audit.tamper with reason tree_state_mismatch", last)
	}
}

// TestRunVerifiesOldRecordsInBackground edits an old record and rewrites
// the chain, leaving the stored tree (which only covers the tree's right
// edge) intact: Integrate alone cannot see it, the full verification a
// restarted node runs in the background does, and names the record.
func TestRunVerifiesOldRecordsInBackground(t *testing.T) {
	ctx := context.Background()
	f := openLog(t, audit.Options{})
	st, l, path := f.st, f.log, f.path
	appendN(t, st, 5)
	integrate(t, l)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(fmt.Sprintf(editSQL, 2)); err != nil {
		t.Fatal(err)
	}
	if err := rewriteChain(db); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.Integrate(ctx); err != nil {
		t.Fatalf("Integrate after an edit of an old record = %v; this test needs an edit only a full verification finds", err)
	}
	restarted := audit.NewLog(st, l.Origin(), f.signer, audit.Options{})
	restarted.Run(ctx, time.Millisecond) // returns once it has raised the alarm
	if !restarted.Tampered() {
		t.Fatal("Run did not detect the edited record")
	}
	st2 := restarted.Status()
	if !st2.Tampered || !st2.LastVerified.IsZero() {
		t.Errorf("Status = %+v, want tampered and never verified", st2)
	}
	last := lastEvent(t, st)
	if last.Action != "audit.tamper" || last.Reason != "verification_failed" || last.Outcome != audit.Failure || last.Details["index"] != float64(1) {
		t.Errorf("last event = %+v, want audit.tamper naming index 1", last)
	}
}

// TestRunStatus checks what a healthy node reports about its log.
func TestRunStatus(t *testing.T) {
	f := openLog(t, audit.Options{})
	appendN(t, f.st, 7)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.log.Run(ctx, time.Millisecond); close(done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := f.log.Status()
		if s.VerifiedSize > 0 && s.CheckpointSize == s.Head && s.Head >= 7 && !s.LastIntegrate.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Status = %+v after 30 s, want verified and checkpointed", s)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if s := f.log.Status(); s.Tampered || s.Verifying {
		t.Errorf("Status after stop = %+v", s)
	}
}

// lastEvent returns the newest event of the log in st.
func lastEvent(t *testing.T, st store.Store) audit.Event {
	t.Helper()
	ctx := context.Background()
	var last audit.Event
	err := st.View(ctx, func(tx store.Tx) error {
		seq, _, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		recs, err := tx.ListAudit(ctx, seq, 1)
		if err != nil {
			return err
		}
		return json.Unmarshal(recs[0].Body, &last)
	})
	if err != nil {
		t.Fatal(err)
	}
	return last
}

// TestEntriesOfDeletedRecord: entries of a record deleted directly in the
// database are refused as tampering, not answered from the next record.
func TestEntriesOfDeletedRecord(t *testing.T) {
	f := openLog(t, audit.Options{})
	appendN(t, f.st, 5)
	integrate(t, f.log)
	db, err := sql.Open("sqlite", f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM audit_log WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.Entries(t.Context(), 1, 2); err != nil {
		t.Fatalf("entry 1: %v", err)
	}
	if es, err := f.log.Entries(t.Context(), 2, 4); !errors.Is(err, audit.ErrTampered) {
		t.Fatalf("entries from the deleted leaf 2: %v, %v; want ErrTampered", es, err)
	}
}
