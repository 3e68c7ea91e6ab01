package store

import (
	"context"
	"time"
)

// Identity stores human accounts, their credentials and their sessions.
type Identity interface {
	Users
	Sessions
}

// User is a human account. Its e-mail address and name are employee
// personal data: they are sealed in Profile under the user's own keyset
// (Keyset, wrapped by the key-encryption keyset) and found through a
// blind-index hash of the normalized address (EmailIndex). Credentials are
// stored only as hashes (PasswordHash) or sealed (TOTPSecret).
type User struct {
	ID           string // "usr_…"
	EmailKeyID   uint32 // blind-index key that produced EmailIndex
	EmailIndex   []byte // unique per EmailKeyID
	Keyset       []byte // the user's data keyset, wrapped
	KEKKeyID     uint32 // KEK key that wrapped Keyset
	Profile      []byte // sealed profile (e-mail address, name)
	Roles        []string
	Team         string
	Status       string // "pending", "active", "disabled"
	PasswordHash string // Argon2id PHC string; empty until set
	TOTPSecret   []byte // sealed TOTP secret; empty until enrolled
	TOTPLastStep int64  // last TOTP time step accepted (replay guard)
	FailedLogins int    // consecutive failed sign-in attempts
	LockedUntil  time.Time
	CreatedAt    time.Time
	EnrolledAt   time.Time // zero until MFA enrollment completes
	LastLoginAt  time.Time // zero if never
	UpdatedAt    time.Time
}

// UserLink is a single-use link (enrollment of a user, or the setup of the
// first security admin, whose UserID is empty). Only the SHA-256 hash of
// its secret is stored.
type UserLink struct {
	Hash      []byte
	UserID    string // empty for a setup link
	Purpose   string // "enroll", "setup"
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero while unused
}

// Users stores human accounts and their credentials.
type Users interface {
	// InsertUser adds u; a taken id or (EmailKeyID, EmailIndex) is
	// ErrConflict.
	InsertUser(ctx context.Context, u User) error
	// GetUser returns ErrNotFound for unknown ids.
	GetUser(ctx context.Context, id string) (User, error)
	// UserByEmailIndex returns the user indexed under (keyID, hash), or
	// ErrNotFound.
	UserByEmailIndex(ctx context.Context, keyID uint32, hash []byte) (User, error)
	// UpdateUser replaces every column of the user but ID and CreatedAt.
	// ErrNotFound if the user does not exist; a taken e-mail index is
	// ErrConflict.
	UpdateUser(ctx context.Context, u User) error
	// ListUsers returns up to limit users with id > afterID, by id.
	ListUsers(ctx context.Context, afterID string, limit int) ([]User, error)

	// AddPasswordHistory records a password hash the user had and keeps only
	// the newest keep entries.
	AddPasswordHistory(ctx context.Context, userID, hash string, at time.Time, keep int) error
	// PasswordHistory returns the user's past password hashes, newest first.
	PasswordHistory(ctx context.Context, userID string) ([]string, error)

	// ReplaceRecoveryCodes deletes the user's recovery codes and stores
	// hashes as new, unused codes.
	ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte) error
	// UseRecoveryCode marks the user's unused code with this hash used;
	// ErrNotFound if there is none.
	UseRecoveryCode(ctx context.Context, userID string, hash []byte, at time.Time) error
	// UnusedRecoveryCodes counts the user's unused recovery codes.
	UnusedRecoveryCodes(ctx context.Context, userID string) (int, error)

	// InsertUserLink stores a link; a taken hash is ErrConflict.
	InsertUserLink(ctx context.Context, l UserLink) error
	// UseUserLink marks the link with this hash used at at and returns it,
	// if it exists, is unused and expires after at; otherwise ErrNotFound.
	UseUserLink(ctx context.Context, hash []byte, at time.Time) (UserLink, error)
	// ExpireUserLinks marks every unused link of the user (or, for an empty
	// userID, every unused setup link) with this purpose used at at, and
	// returns how many it marked.
	ExpireUserLinks(ctx context.Context, userID, purpose string, at time.Time) (int64, error)
}

// Session is an interactive session of a human user. Only the SHA-256
// hash of its secret (the cookie value) is stored.
type Session struct {
	ID         string // public handle, "ses_…"
	Hash       []byte
	UserID     string
	Stage      string // "enroll", "password" (first factor only) or "full"
	Binding    []byte // hash of the client (user agent and network prefix)
	Client     string // short description of the user agent, for listings
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute end of the session
	RevokedAt  time.Time // zero while not revoked
}

// Sessions stores interactive sessions.
type Sessions interface {
	// InsertSession adds s; a taken id or hash is ErrConflict.
	InsertSession(ctx context.Context, s Session) error
	// SessionByHash returns ErrNotFound for unknown hashes (revoked
	// sessions are returned; callers check RevokedAt).
	SessionByHash(ctx context.Context, hash []byte) (Session, error)
	// GetSession returns ErrNotFound for unknown ids.
	GetSession(ctx context.Context, id string) (Session, error)
	// ListSessions returns the user's sessions that are not revoked, by
	// creation time.
	ListSessions(ctx context.Context, userID string) ([]Session, error)
	// TouchSession sets LastSeenAt. ErrNotFound if the session does not
	// exist.
	TouchSession(ctx context.Context, id string, at time.Time) error
	// RevokeSession revokes a session (keeping the first revocation time).
	// ErrNotFound if it does not exist.
	RevokeSession(ctx context.Context, id string, at time.Time) error
	// RevokeUserSessions revokes every unrevoked session of the user and
	// returns how many it revoked.
	RevokeUserSessions(ctx context.Context, userID string, at time.Time) (int64, error)
	// PurgeSessions deletes sessions that expired or were revoked before
	// before, and returns how many it deleted.
	PurgeSessions(ctx context.Context, before time.Time) (int64, error)
}
