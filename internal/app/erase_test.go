package app_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"testing"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

func TestEraseCryptoShreds(t *testing.T) {
	e := newEnv(t)
	victim := e.createCustomer(sampleCustomer())
	keep := e.createCustomer(sampleCustomer())
	iid := e.createInteraction(callInteraction(victim))
	keepIID := e.createInteraction(callInteraction(keep))
	e.must(e.do(identity.RoleIntegration, "PUT", "/api/v1/interactions/"+iid+"/recording", pattern(70_000, 5), "Content-Type", "audio/wav"), 201)
	emailID := e.createInteraction(map[string]any{"customer_id": victim, "channel": "email", "started_at": "2026-11-20T12:00:00Z", "email_raw": sampleEmail})

	// The wrapped keyset as it sits in the database, to look for it later.
	var wrapped []byte
	e.app.Store.View(context.Background(), func(tx store.Tx) error {
		k, err := tx.GetCustomerKeyset(context.Background(), victim)
		wrapped = k.Wrapped
		return err
	})
	if len(wrapped) == 0 {
		t.Fatal("no keyset")
	}

	// Only a privacy officer erases; others cannot even tell it exists or are refused.
	e.must(e.do(identity.RoleAgent, "DELETE", "/api/v1/customers/"+victim, nil), 403)
	e.must(e.do(identity.RoleAuditor, "DELETE", "/api/v1/customers/"+victim, nil), 404)

	var rc struct {
		CustomerID string `json:"customer_id"`
		ErasedBy   string `json:"erased_by"`
		Method     string
		Destroyed  struct {
			Keyset       bool
			Interactions int64
			Blobs        int
			IndexEntries int64 `json:"blind_index_entries"`
		}
	}
	e.must(e.do(identity.RolePrivacyOfficer, "DELETE", "/api/v1/customers/"+victim, nil), 200).json(t, &rc)
	if rc.CustomerID != victim || rc.Method != "crypto-shredding" || !rc.Destroyed.Keyset || rc.Destroyed.Interactions != 2 ||
		rc.Destroyed.Blobs != 2 || rc.Destroyed.IndexEntries != 2 || rc.ErasedBy == "" {
		t.Errorf("receipt = %+v", rc)
	}
	if ev := e.lastAudit(); ev.Action != "customer.erase" || ev.Outcome != "success" {
		t.Errorf("audit = %+v", ev)
	}

	for _, p := range []string{
		"/api/v1/customers/" + victim,
		"/api/v1/customers/" + victim + "/interactions",
		"/api/v1/interactions/" + iid,
		"/api/v1/interactions/" + iid + "/recording",
		"/api/v1/interactions/" + emailID,
	} {
		e.must(e.do(identity.RoleSupervisor, "GET", p, nil), http.StatusNotFound)
	}
	e.must(e.do(identity.RolePrivacyOfficer, "DELETE", "/api/v1/customers/"+victim, nil), 404)
	var out struct{ Items []struct{ ID string } }
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/customers?email=jane.smith%40example.com", nil), 200).json(t, &out)
	if len(out.Items) != 1 || out.Items[0].ID != keep {
		t.Errorf("search after erasure = %+v, want only %s", out.Items, keep)
	}
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/customers/"+keep, nil), 200)
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/interactions/"+keepIID, nil), 200)

	// With direct database access and the root key, the keyset is gone.
	err := e.app.Store.View(context.Background(), func(tx store.Tx) error {
		_, err := tx.GetCustomerKeyset(context.Background(), victim)
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("keyset still readable: %v", err)
	}
	for _, f := range []string{"confide.db", "confide.db-wal", "confide.db-shm"} {
		b, err := os.ReadFile(e.dataDir + "/" + f)
		if err != nil {
			continue
		}
		if bytes.Contains(b, wrapped) {
			t.Errorf("the shredded keyset's bytes are still in %s", f)
		}
	}
	// Blobs go too.
	if _, err := e.app.Records.CollectBlobs(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := countFiles(t, e.dataDir+"/blobs"); n != 0 {
		t.Errorf("%d blob files left after erasure", n)
	}
}
