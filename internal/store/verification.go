package store

import (
	"context"
	"time"
)

// Verification statuses.
const (
	VerificationPending = "pending" // a code was sent; checks are possible until expiry
	VerificationPassed  = "passed"
	VerificationFailed  = "failed" // attempts exhausted, or a knowledge check did not match
)

// Verification is one caller identity verification started in an
// interaction. A one-time code is kept only as a keyed hash (CodeHash under
// the blind-index key CodeKeyID); knowledge-based checks store no code.
type Verification struct {
	ID            string
	InteractionID string
	CustomerID    string
	Method        string // "sms", "email", "kba"
	Status        string // VerificationPending, VerificationPassed, VerificationFailed
	CodeKeyID     uint32
	CodeHash      []byte
	Attempts      int // failed checks so far
	MaxAttempts   int
	ActorID       string // who started it
	CreatedAt     time.Time
	ExpiresAt     time.Time
	CompletedAt   time.Time // zero while pending
}

// Verifications stores caller verifications.
type Verifications interface {
	// InsertVerification inserts v; ErrNotFound if its interaction does not
	// exist, ErrConflict if the id is taken.
	InsertVerification(ctx context.Context, v Verification) error
	// GetVerification returns ErrNotFound if the verification does not
	// exist.
	GetVerification(ctx context.Context, id string) (Verification, error)
	// UpdateVerification stores the Status, Attempts and CompletedAt of v
	// (by v.ID); ErrNotFound if it does not exist.
	UpdateVerification(ctx context.Context, v Verification) error
	// CountVerifications returns how many verifications were started in the
	// interaction.
	CountVerifications(ctx context.Context, interactionID string) (int, error)
	// CountFailedVerifications returns how many verifications of the
	// customer failed (in any interaction) at or after since.
	CountFailedVerifications(ctx context.Context, customerID string, since time.Time) (int, error)
}

// InteractionLifecycle changes the state of an interaction: live while
// EndedAt is zero, verified once VerifiedAt is set.
type InteractionLifecycle interface {
	// LockInteraction returns the interaction and, inside Update, locks it
	// until the transaction ends, so that changes to one interaction (its
	// end, its verifications) serialize. ErrNotFound if it does not exist.
	LockInteraction(ctx context.Context, id string) (Interaction, error)
	// EndInteraction sets EndedAt of a live interaction; ErrNotFound if it
	// does not exist, ErrConflict if it has already ended.
	EndInteraction(ctx context.Context, id string, at time.Time) error
	// SetInteractionVerified records that the caller passed identity
	// verification at at (the first time is kept); ErrNotFound if the
	// interaction does not exist, ErrConflict if it has ended.
	SetInteractionVerified(ctx context.Context, id string, at time.Time) error
}
