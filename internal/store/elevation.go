package store

import (
	"context"
	"time"
)

// Elevation stores what re-authentication, security-training attestation
// and break-glass elevation need (migration 0008_elevation.sql).
type Elevation interface {
	// SessionAuth returns, in one query, the session whose secret hashes to
	// hash, its user, the session's last full authentication, the user's
	// training attestation and the user's break-glass grant active at now
	// (not ended, expiring after now; the latest-expiring one if several).
	// ErrNotFound for an unknown hash; revoked sessions are returned.
	SessionAuth(ctx context.Context, hash []byte, now time.Time) (SessionAuth, error)
	// SetSessionAuthTime records a re-authentication of the session.
	// ErrNotFound if the session does not exist.
	SetSessionAuthTime(ctx context.Context, id string, at time.Time) error

	// SetTraining records (replaces) a user's training attestation.
	SetTraining(ctx context.Context, t Training) error
	// GetTraining returns ErrNotFound if the user has no attestation.
	GetTraining(ctx context.Context, userID string) (Training, error)
	// ListTraining returns every attestation, by user id.
	ListTraining(ctx context.Context) ([]Training, error)

	// InsertBreakGlass adds a grant; a taken id is ErrConflict.
	InsertBreakGlass(ctx context.Context, g BreakGlass) error
	// GetBreakGlass returns ErrNotFound for unknown ids.
	GetBreakGlass(ctx context.Context, id string) (BreakGlass, error)
	// EndBreakGlass sets EndedAt of a grant that has not ended and expires
	// after at; ErrNotFound otherwise.
	EndBreakGlass(ctx context.Context, id string, at time.Time) error
	// EndUserBreakGlass ends every grant of the user that has not ended and
	// expires after at, and returns how many it ended.
	EndUserBreakGlass(ctx context.Context, userID string, at time.Time) (int64, error)
	// ReviewBreakGlass records the review of a grant not yet reviewed;
	// ErrNotFound if there is no such unreviewed grant.
	ReviewBreakGlass(ctx context.Context, id, reviewerID, outcome, note string, at time.Time) error
	// ListBreakGlass returns grants matching q, newest first.
	ListBreakGlass(ctx context.Context, q BreakGlassQuery) ([]BreakGlass, error)
}

// SessionAuth is a session with what authenticating a request needs.
type SessionAuth struct {
	Session Session
	User    User
	// AuthTime is the session's last re-authentication; zero if there was
	// none (the creation of a full session is its first authentication).
	AuthTime time.Time
	// TrainingUntil is when the user's training attestation expires; zero
	// if there is none.
	TrainingUntil time.Time
	// BreakGlassID and BreakGlassUntil describe the user's active grant;
	// empty and zero if there is none.
	BreakGlassID    string
	BreakGlassUntil time.Time
	// BreakGlassCustomer is the active grant's customer scope; empty if it
	// covers any customer (or there is no grant).
	BreakGlassCustomer string
}

// Training is a user's security-training attestation.
type Training struct {
	UserID     string
	ExpiresAt  time.Time
	AttestedBy string // the principal that recorded it
	AttestedAt time.Time
}

// BreakGlass is a time-boxed elevation of a user.
type BreakGlass struct {
	ID         string // "brg_…"
	UserID     string
	Reason     string // redacted of personal data
	CustomerID string // optional scope; empty for none
	CreatedAt  time.Time
	ExpiresAt  time.Time
	EndedAt    time.Time // zero unless ended early by the holder (or a lock)
	ReviewedAt time.Time // zero until reviewed
	ReviewerID string
	Outcome    string // "justified" or "unjustified" once reviewed
	ReviewNote string // redacted of personal data
}

// BreakGlassQuery selects grants.
type BreakGlassQuery struct {
	UserID     string // only this user's grants, if set
	Unreviewed bool   // only grants not yet reviewed
	// OverAt, if set, keeps only grants over (ended, or expired) at that
	// time: with Unreviewed, those due for review.
	OverAt time.Time
	Limit  int // 1 to 1000
}
