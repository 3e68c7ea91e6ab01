// Package audit records who did what to which resource, when, from where,
// and with what outcome. Events are typed (a stable code per action, see
// Catalogue), carry no personal data (customers are referenced by their
// random id only) and are appended inside the same database transaction as
// the effect they describe: if the append fails, the transaction — and the
// request — fails.
//
// Tamper evidence has two layers over the same records:
//   - a hash chain, written by Append: each record's hash is
//     SHA-256(prev_hash || canonical event JSON), so a broken link names the
//     first altered record;
//   - an append-only RFC 6962 Merkle tree whose leaf i is the canonical
//     event of record i+1, built by Log.Integrate outside the request path
//     and committed to by signed checkpoints (C2SP tlog-checkpoint in a
//     C2SP signed note, Ed25519). Inclusion and consistency proofs, exports
//     and the offline verifier (VerifyExport) let anyone check the log with
//     standard RFC 6962 tooling; docs/AUDIT.md specifies the formats.
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
	Team      string    `json:"team,omitempty"`     // the actor's team, for a person who has one
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
	rec := store.AuditRecord{Seq: seq + 1, Time: e.Time.UTC(), Body: body, PrevHash: prev, Hash: ChainHash(prev, body),
		Actor: e.ActorID, Action: e.Action, Resource: e.Resource, Outcome: string(e.Outcome)}
	if err := tx.AppendAudit(ctx, rec); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}
