// Package audit records who did what to which resource, when, from where,
// and with what outcome. Events are typed (a stable code per action, see
// Catalogue), carry no personal data (customers are referenced by their
// random id only) and are appended to a hash chain inside the same database
// transaction as the effect they describe: if the append fails, the
// transaction — and the request — fails.
//
// The chain is the interim tamper-evidence of the core server: each record's
// hash is SHA-256(prev_hash || canonical event JSON). The Merkle-tree log
// with signed checkpoints builds on these same records.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// Outcome of an audited action.
type Outcome string

// Outcomes.
const (
	Success  Outcome = "success"
	Denied   Outcome = "denied"
	NotFound Outcome = "not_found"
	Invalid  Outcome = "invalid"
	Failure  Outcome = "failure"
)

// Event is one audit event. Field names are part of the stored format.
type Event struct {
	Code      string    `json:"code"`   // stable event code, e.g. "CF-2001"
	Action    string    `json:"action"` // noun.verb, e.g. "customer.read"
	Time      time.Time `json:"time"`
	ActorID   string    `json:"actor_id,omitempty"`
	ActorKind string    `json:"actor_kind,omitempty"`
	Roles     []string  `json:"roles,omitempty"`
	Resource  string    `json:"resource,omitempty"` // "customer/<id>", "interaction/<id>"
	Outcome   Outcome   `json:"outcome"`
	Reason    string    `json:"reason,omitempty"` // machine-readable denial/error reason
	Origin    string    `json:"origin,omitempty"` // client IP address
	RequestID string    `json:"request_id,omitempty"`
	// Details holds action-specific, PII-free facts (field names revealed,
	// counts, sizes). Values must be strings, numbers, booleans or lists of
	// them.
	Details map[string]any `json:"details,omitempty"`
}

// ErrUnknownAction is returned when an event's action is not in the
// catalogue.
var ErrUnknownAction = errors.New("audit: action not in catalogue")

// Canonical returns the canonical JSON encoding of e (fixed field order,
// sorted map keys, UTC time with nanoseconds, no HTML escaping).
func Canonical(e Event) ([]byte, error) {
	e.Time = e.Time.UTC()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return nil, fmt.Errorf("audit: encode event: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ChainHash returns SHA-256(prev || body).
func ChainHash(prev, body []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(body)
	return h.Sum(nil)
}

// Append adds e to the log inside tx. The event's code is filled from the
// catalogue; an action missing from the catalogue is an error, so every
// emitted event is documented.
func Append(ctx context.Context, tx store.Audit, e Event) error {
	def, ok := Catalogue[e.Action]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownAction, e.Action)
	}
	e.Code = def.Code
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	body, err := Canonical(e)
	if err != nil {
		return err
	}
	seq, prev, err := tx.AuditHead(ctx)
	if err != nil {
		return fmt.Errorf("audit: read head: %w", err)
	}
	rec := store.AuditRecord{Seq: seq + 1, Time: e.Time.UTC(), Body: body, PrevHash: prev, Hash: ChainHash(prev, body)}
	if err := tx.AppendAudit(ctx, rec); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

// VerifyError names the first record at which the chain breaks.
type VerifyError struct {
	Seq     int64
	Problem string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("audit chain broken at seq %d: %s", e.Seq, e.Problem)
}

// Verifier checks a chain incrementally, record by record.
type Verifier struct {
	seq  int64
	hash []byte
}

// Next checks r against the records seen so far.
func (v *Verifier) Next(r store.AuditRecord) error {
	switch {
	case r.Seq != v.seq+1:
		return &VerifyError{Seq: v.seq + 1, Problem: fmt.Sprintf("missing or out-of-order record (found seq %d)", r.Seq)}
	case !bytes.Equal(r.PrevHash, v.hash):
		return &VerifyError{Seq: r.Seq, Problem: "previous-hash link does not match"}
	case !bytes.Equal(r.Hash, ChainHash(v.hash, r.Body)):
		return &VerifyError{Seq: r.Seq, Problem: "record hash does not match its content"}
	}
	var e Event
	if err := json.Unmarshal(r.Body, &e); err != nil {
		return &VerifyError{Seq: r.Seq, Problem: "event is not valid JSON"}
	}
	v.seq, v.hash = r.Seq, r.Hash
	return nil
}

// Count is the number of records verified so far.
func (v *Verifier) Count() int64 { return v.seq }

// Verify walks the whole chain in st and returns the number of records
// verified, or a *VerifyError naming the first bad record.
func Verify(ctx context.Context, st store.Store) (int64, error) {
	var v Verifier
	const page = 1000
	for {
		var recs []store.AuditRecord
		err := st.View(ctx, func(tx store.Tx) error {
			var err error
			recs, err = tx.ListAudit(ctx, v.seq+1, page)
			return err
		})
		if err != nil {
			return v.seq, err
		}
		for _, r := range recs {
			if err := v.Next(r); err != nil {
				return v.seq, err
			}
		}
		if len(recs) < page {
			return v.seq, nil
		}
	}
}
