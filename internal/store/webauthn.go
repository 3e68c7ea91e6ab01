package store

import (
	"context"
	"time"
)

// WebAuthnCredential is a user's WebAuthn credential (a passkey or a
// security key) registered as a second factor. PublicKey is the COSE public
// key sealed under the user's keyset, so that writing to the database alone
// cannot add a credential.
type WebAuthnCredential struct {
	ID                string // "wac_…"
	UserID            string
	CredentialID      []byte // the authenticator's credential id; unique
	PublicKey         []byte // sealed COSE public key
	Name              string // the user's label for it
	AAGUID            []byte // authenticator model (16 bytes; zeros if not attested)
	SignCount         uint32 // last signature counter seen
	Transports        []string
	Attachment        string // "platform", "cross-platform" or ""
	AttestationType   string
	AttestationFormat string
	Flags             uint8 // authenticator data flags of the last ceremony
	BackupEligible    bool
	BackupState       bool
	CreatedAt         time.Time
	LastUsedAt        time.Time // zero if never used to sign in
}

// WebAuthnChallenge is the pending WebAuthn ceremony of a session: the
// library's session data (the challenge and what it is bound to).
type WebAuthnChallenge struct {
	SessionID string
	Ceremony  string // "register" or "login"
	Data      []byte
	ExpiresAt time.Time
}

// WebAuthn stores WebAuthn credentials and the challenges of ceremonies in
// progress.
type WebAuthn interface {
	// InsertWebAuthnCredential adds c; a taken ID or CredentialID is
	// ErrConflict.
	InsertWebAuthnCredential(ctx context.Context, c WebAuthnCredential) error
	// ListWebAuthnCredentials returns the user's credentials, oldest first.
	ListWebAuthnCredentials(ctx context.Context, userID string) ([]WebAuthnCredential, error)
	// CountWebAuthnCredentials returns how many credentials the user has.
	CountWebAuthnCredentials(ctx context.Context, userID string) (int, error)
	// RecordWebAuthnUse stores the signature counter, flags and backup state
	// of a successful assertion with credential id of userID, and its time.
	// ErrNotFound if the user has no such credential.
	RecordWebAuthnUse(ctx context.Context, userID, id string, signCount uint32, flags uint8, backupState bool, at time.Time) error
	// DeleteWebAuthnCredential removes credential id of userID; ErrNotFound
	// if the user has no such credential.
	DeleteWebAuthnCredential(ctx context.Context, userID, id string) error
	// DeleteUserWebAuthnCredentials removes all of the user's credentials
	// and returns how many there were.
	DeleteUserWebAuthnCredentials(ctx context.Context, userID string) (int64, error)

	// PutWebAuthnChallenge stores c as its session's pending ceremony,
	// replacing any earlier one.
	PutWebAuthnChallenge(ctx context.Context, c WebAuthnChallenge) error
	// TakeWebAuthnChallenge returns and deletes the session's pending
	// ceremony of this kind, expired or not; ErrNotFound if there is none
	// (never begun, already taken, or of another kind, which stays).
	TakeWebAuthnChallenge(ctx context.Context, sessionID, ceremony string) (WebAuthnChallenge, error)
}
