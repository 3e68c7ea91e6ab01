package records

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// ErasureReceipt is the evidence of an erasure. It holds no personal data.
type ErasureReceipt struct {
	CustomerID string    `json:"customer_id"`
	ErasedAt   time.Time `json:"erased_at"`
	ErasedBy   string    `json:"erased_by"`
	Method     string    `json:"method"`
	RequestID  string    `json:"request_id,omitempty"`
	Destroyed  struct {
		Keyset       bool   `json:"keyset"`
		KEKKeyID     uint32 `json:"kek_key_id"`
		IndexEntries int64  `json:"blind_index_entries"`
		Interactions int64  `json:"interactions"`
		Blobs        int    `json:"blobs"`
	} `json:"destroyed"`
	BlobDeletion string `json:"blob_deletion"`
}

// EraseCustomer crypto-shreds a customer: their keyset, blind-index
// entries and interactions are deleted and their blobs queued for deletion
// in one transaction with the audit event and the receipt. Everything ever
// sealed under the keyset — in the database, the blob store or a backup —
// is unreadable from that moment.
func (s *Service) EraseCustomer(ctx context.Context, id string) (ErasureReceipt, error) {
	resource := "customer/" + id
	p, _ := identity.FromContext(ctx)
	if err := s.authorize(ctx, authz.CustomerErase, resource, "customer"); err != nil {
		return ErasureReceipt{}, err
	}
	var rc ErasureReceipt
	err := s.audited(ctx, audit.NewEvent(ctx, string(authz.CustomerErase), resource, audit.Success), func(tx store.Tx, ev *audit.Event) error {
		if !validID(id) {
			return apperr.NotFoundErr("customer")
		}
		ks, err := tx.GetCustomerKeyset(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.NotFoundErr("customer")
		} else if err != nil {
			return err
		}
		rows, err := tx.DeleteCustomer(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.NotFoundErr("customer")
		} else if err != nil {
			return err
		}
		rc = ErasureReceipt{CustomerID: id, ErasedAt: s.opt.Now().UTC(), ErasedBy: p.ID, Method: "crypto-shredding",
			RequestID: audit.RequestFrom(ctx).ID, BlobDeletion: "queued"}
		rc.Destroyed.Keyset = rows.Keysets > 0
		rc.Destroyed.KEKKeyID = ks.KEKKeyID
		rc.Destroyed.IndexEntries = rows.IndexEntries
		rc.Destroyed.Interactions = rows.Interactions
		rc.Destroyed.Blobs = len(rows.Blobs)
		body, err := json.Marshal(rc)
		if err != nil {
			return err
		}
		ev.Details = map[string]any{"interactions": rows.Interactions, "blobs": len(rows.Blobs), "index_entries": rows.IndexEntries}
		return tx.InsertErasure(ctx, store.Erasure{CustomerID: id, ErasedAt: rc.ErasedAt, Receipt: body})
	})
	if err != nil {
		return ErasureReceipt{}, err
	}
	if s.opt.AfterErase != nil {
		if err := s.opt.AfterErase(ctx); err != nil {
			s.log.Warn("post-erasure checkpoint failed; shredded pages may linger in the write-ahead log until the next checkpoint", "err", err)
		}
	}
	s.kickCollector()
	return rc, nil
}
