package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// TestAuditLogEndToEnd reads the audit log as an auditor through the API
// and checks an inclusion proof with the published verifier key only.
func TestAuditLogEndToEnd(t *testing.T) {
	e := newEnv(t)
	e.createCustomer(sampleCustomer())
	r := e.must(e.do(identity.RoleAuditor, "GET", "/api/v1/audit/checkpoint", nil), 200)
	v, err := note.NewVerifier(e.app.Audit.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	c, err := audit.OpenCheckpoint(r.Body, v, e.app.Audit.Origin())
	if err != nil {
		t.Fatalf("checkpoint from the API: %v", err)
	}
	if last := e.lastAudit(); last.Action != "audit.read" || last.ActorKind != string(identity.KindService) {
		t.Errorf("the checkpoint read was not audited: last event %+v", last)
	}
	var entries struct {
		Entries []struct {
			Index int64
			Data  []byte
		}
	}
	e.must(e.do(identity.RoleAuditor, "GET", "/api/v1/audit/entries?start=0&end=1000", nil), 400) // beyond the tree
	e.must(e.do(identity.RoleAuditor, "GET", fmt.Sprintf("/api/v1/audit/entries?start=0&end=%d", c.Size), nil), 200).json(t, &entries)
	for _, en := range entries.Entries {
		var proof struct{ Hashes [][]byte }
		e.must(e.do(identity.RoleAuditor, "GET", fmt.Sprintf("/api/v1/audit/proof/inclusion?index=%d&size=%d", en.Index, c.Size), nil), 200).json(t, &proof)
		if err := audit.VerifyInclusion(c, uint64(en.Index), en.Data, proof.Hashes); err != nil {
			t.Errorf("entry %d: %v", en.Index, err)
		}
	}
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/audit/checkpoint", nil), 403)
	if last := e.lastAudit(); last.Action != "audit.read" || last.Outcome != audit.Denied {
		t.Errorf("the refused read was not audited: last event %+v", last)
	}
}

// TestTwoNodesAppendAndCheckpoint runs two nodes on one PostgreSQL
// database, each appending events and running its checkpointer, and
// checks that the log verifies: one tree, every checkpoint consistent.
func TestTwoNodesAppendAndCheckpoint(t *testing.T) {
	dbURL, _ := pgSchemaURL(t)
	a := newEnv(t, "--database-url", dbURL)
	b := newEnv(t, "--database-url", dbURL, "--root-key-file", a.app.Config.RootKeyFile)
	if a.app.Audit.Origin() != b.app.Audit.Origin() || a.app.Audit.VerifierKey() != b.app.Audit.VerifierKey() {
		t.Fatal("the two nodes do not share the log's origin and key")
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, n := range []*env{a, b} {
		wg.Go(func() { n.app.Audit.Run(ctx, 5*time.Millisecond) })
	}
	const appenders, each = 4, 50
	var appendWG sync.WaitGroup
	for i := range 2 * appenders {
		n := []*env{a, b}[i%2]
		appendWG.Go(func() {
			actx := ctxAs(identity.RoleAgent)
			for range each {
				ev := audit.NewEvent(actx, "customer.read", "customer/x", audit.Success)
				if err := n.app.Store.Update(actx, func(tx store.Tx) error { return audit.Append(actx, tx, ev) }); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	appendWG.Wait()
	cancel()
	wg.Wait()
	if a.app.Audit.Tampered() || b.app.Audit.Tampered() {
		t.Fatalf("a node reported tampering:\n%s\n%s", a.logs.Bytes(), b.logs.Bytes())
	}
	if _, _, err := b.app.Audit.Integrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(context.Background(), a.app.Store, a.app.Audit.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records < 2*appenders*each || rep.Covered != rep.Records || rep.Checkpoints < 2 {
		t.Errorf("verified %+v, want every one of at least %d records covered by several checkpoints", rep, 2*appenders*each)
	}
	b.must(b.do(identity.RoleAuditor, "GET", "/api/v1/audit/checkpoint", nil), 200)
	var evs struct{ Items []json.RawMessage }
	a.must(a.do(identity.RoleAuditor, "GET", "/api/v1/audit/events?action=customer.read&limit=500", nil), 200).json(t, &evs)
	if len(evs.Items) != 2*appenders*each {
		t.Errorf("search found %d customer.read events, want %d", len(evs.Items), 2*appenders*each)
	}
}
