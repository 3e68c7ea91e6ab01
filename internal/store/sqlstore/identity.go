package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

const userColumns = `id, email_key_id, email_index, keyset, kek_key_id, profile, roles, team, status,
	password_hash, totp_secret, totp_last_step, failed_logins, locked_until, created_at, enrolled_at,
	last_login_at, updated_at`

// InsertUser implements store.Users.
func (t *tx) InsertUser(ctx context.Context, u store.User) error {
	return t.execOne(ctx, "insert user", store.ErrConflict,
		`INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`,
		u.ID, int64(u.EmailKeyID), bytesArg(u.EmailIndex), bytesArg(u.Keyset), int64(u.KEKKeyID), bytesArg(u.Profile),
		joinRoles(u.Roles), u.Team, u.Status, u.PasswordHash, bytesArg(u.TOTPSecret), u.TOTPLastStep,
		int64(u.FailedLogins), micros(u.LockedUntil), micros(u.CreatedAt), micros(u.EnrolledAt),
		micros(u.LastLoginAt), micros(u.UpdatedAt))
}

// GetUser implements store.Users.
func (t *tx) GetUser(ctx context.Context, id string) (store.User, error) {
	u, err := scanUser(t.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`+t.lockClause(), id))
	if err != nil {
		return store.User{}, t.fail("get user", err)
	}
	return u, nil
}

// UserByEmailIndex implements store.Users.
func (t *tx) UserByEmailIndex(ctx context.Context, keyID uint32, hash []byte) (store.User, error) {
	u, err := scanUser(t.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email_key_id = ? AND email_index = ?`+t.lockClause(),
		int64(keyID), bytesArg(hash)))
	if err != nil {
		return store.User{}, t.fail("user by email index", err)
	}
	return u, nil
}

// UpdateUser implements store.Users.
func (t *tx) UpdateUser(ctx context.Context, u store.User) error {
	return t.execOne(ctx, "update user", store.ErrNotFound,
		`UPDATE users SET email_key_id = ?, email_index = ?, keyset = ?, kek_key_id = ?, profile = ?, roles = ?,
		team = ?, status = ?, password_hash = ?, totp_secret = ?, totp_last_step = ?, failed_logins = ?,
		locked_until = ?, enrolled_at = ?, last_login_at = ?, updated_at = ? WHERE id = ?`,
		int64(u.EmailKeyID), bytesArg(u.EmailIndex), bytesArg(u.Keyset), int64(u.KEKKeyID), bytesArg(u.Profile),
		joinRoles(u.Roles), u.Team, u.Status, u.PasswordHash, bytesArg(u.TOTPSecret), u.TOTPLastStep,
		int64(u.FailedLogins), micros(u.LockedUntil), micros(u.EnrolledAt), micros(u.LastLoginAt),
		micros(u.UpdatedAt), u.ID)
}

// ListUsers implements store.Users.
func (t *tx) ListUsers(ctx context.Context, afterID string, limit int) ([]store.User, error) {
	const op = "list users"
	if err := checkLimit(op, limit); err != nil {
		return nil, err
	}
	return list(ctx, t, op, scanUser, `SELECT `+userColumns+` FROM users WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
}

func scanUser(row scanner) (store.User, error) {
	var u store.User
	var emailKey, kekKey, failed int64
	var roles string
	err := row.Scan(&u.ID, &emailKey, &u.EmailIndex, &u.Keyset, &kekKey, &u.Profile, &roles, &u.Team, &u.Status,
		&u.PasswordHash, &u.TOTPSecret, &u.TOTPLastStep, &failed, timeDest{&u.LockedUntil}, timeDest{&u.CreatedAt},
		timeDest{&u.EnrolledAt}, timeDest{&u.LastLoginAt}, timeDest{&u.UpdatedAt})
	u.EmailKeyID, u.KEKKeyID, u.FailedLogins = uint32(emailKey), uint32(kekKey), int(failed)
	if len(u.TOTPSecret) == 0 {
		u.TOTPSecret = nil // not enrolled; drivers differ on empty values
	}
	if roles != "" {
		u.Roles = strings.Split(roles, ",")
	}
	return u, err
}

// joinRoles stores role names comma-separated (role names are
// [a-z_]+).
func joinRoles(roles []string) string { return strings.Join(roles, ",") }

// AddPasswordHistory implements store.Users.
func (t *tx) AddPasswordHistory(ctx context.Context, userID, hash string, at time.Time, keep int) error {
	const op = "add password history"
	if err := checkLimit(op, keep); err != nil {
		return err
	}
	if err := t.execOne(ctx, op, store.ErrConflict,
		`INSERT INTO user_password_history (user_id, created_at, hash) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		userID, micros(at), hash); err != nil {
		return err
	}
	_, err := t.execCount(ctx, op, `DELETE FROM user_password_history WHERE user_id = ? AND created_at NOT IN
		(SELECT created_at FROM user_password_history WHERE user_id = ? ORDER BY created_at DESC LIMIT ?)`,
		userID, userID, keep)
	return err
}

// PasswordHistory implements store.Users.
func (t *tx) PasswordHistory(ctx context.Context, userID string) ([]string, error) {
	return list(ctx, t, "password history", func(row scanner) (string, error) {
		var h string
		return h, row.Scan(&h)
	}, `SELECT hash FROM user_password_history WHERE user_id = ? ORDER BY created_at DESC`, userID)
}

// ReplaceRecoveryCodes implements store.Users.
func (t *tx) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte) error {
	const op = "replace recovery codes"
	if _, err := t.execCount(ctx, op, `DELETE FROM user_recovery_codes WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := t.exec(ctx, `INSERT INTO user_recovery_codes (user_id, hash, used_at) VALUES (?, ?, NULL)`,
			userID, bytesArg(h)); err != nil {
			return t.fail(op, err)
		}
	}
	return nil
}

// UseRecoveryCode implements store.Users.
func (t *tx) UseRecoveryCode(ctx context.Context, userID string, hash []byte, at time.Time) error {
	return t.execOne(ctx, "use recovery code", store.ErrNotFound,
		`UPDATE user_recovery_codes SET used_at = ? WHERE user_id = ? AND hash = ? AND used_at IS NULL`,
		micros(at), userID, bytesArg(hash))
}

// UnusedRecoveryCodes implements store.Users.
func (t *tx) UnusedRecoveryCodes(ctx context.Context, userID string) (int, error) {
	var n int64
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = ? AND used_at IS NULL`,
		userID).Scan(&n); err != nil {
		return 0, t.fail("count recovery codes", err)
	}
	return int(n), nil
}

const linkColumns = `hash, user_id, purpose, created_at, expires_at, used_at`

// InsertUserLink implements store.Users.
func (t *tx) InsertUserLink(ctx context.Context, l store.UserLink) error {
	return t.execOne(ctx, "insert user link", store.ErrConflict,
		`INSERT INTO user_links (`+linkColumns+`) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		bytesArg(l.Hash), nullString(l.UserID), l.Purpose, micros(l.CreatedAt), micros(l.ExpiresAt), micros(l.UsedAt))
}

// UseUserLink implements store.Users.
func (t *tx) UseUserLink(ctx context.Context, hash []byte, at time.Time) (store.UserLink, error) {
	const op = "use user link"
	if err := t.execOne(ctx, op, store.ErrNotFound,
		`UPDATE user_links SET used_at = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ?`,
		micros(at), bytesArg(hash), micros(at)); err != nil {
		return store.UserLink{}, err
	}
	var l store.UserLink
	var userID sql.NullString
	err := t.queryRow(ctx, `SELECT `+linkColumns+` FROM user_links WHERE hash = ?`, bytesArg(hash)).Scan(
		&l.Hash, &userID, &l.Purpose, timeDest{&l.CreatedAt}, timeDest{&l.ExpiresAt}, timeDest{&l.UsedAt})
	if err != nil {
		return store.UserLink{}, t.fail(op, err)
	}
	l.UserID = userID.String
	return l, nil
}

// ExpireUserLinks implements store.Users.
func (t *tx) ExpireUserLinks(ctx context.Context, userID, purpose string, at time.Time) (int64, error) {
	if userID == "" {
		return t.execCount(ctx, "expire user links",
			`UPDATE user_links SET used_at = ? WHERE user_id IS NULL AND purpose = ? AND used_at IS NULL`, micros(at), purpose)
	}
	return t.execCount(ctx, "expire user links",
		`UPDATE user_links SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`, micros(at), userID, purpose)
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

const sessionColumns = `id, hash, user_id, stage, binding, client, created_at, last_seen_at, expires_at, revoked_at`

// InsertSession implements store.Sessions.
func (t *tx) InsertSession(ctx context.Context, s store.Session) error {
	return t.execOne(ctx, "insert session", store.ErrConflict,
		`INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		s.ID, bytesArg(s.Hash), s.UserID, s.Stage, bytesArg(s.Binding), s.Client, micros(s.CreatedAt),
		micros(s.LastSeenAt), micros(s.ExpiresAt), micros(s.RevokedAt))
}

// SessionByHash implements store.Sessions.
func (t *tx) SessionByHash(ctx context.Context, hash []byte) (store.Session, error) {
	s, err := scanSession(t.queryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE hash = ?`, bytesArg(hash)))
	if err != nil {
		return store.Session{}, t.fail("session by hash", err)
	}
	return s, nil
}

// GetSession implements store.Sessions.
func (t *tx) GetSession(ctx context.Context, id string) (store.Session, error) {
	s, err := scanSession(t.queryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id))
	if err != nil {
		return store.Session{}, t.fail("get session", err)
	}
	return s, nil
}

// ListSessions implements store.Sessions.
func (t *tx) ListSessions(ctx context.Context, userID string) ([]store.Session, error) {
	return list(ctx, t, "list sessions", scanSession,
		`SELECT `+sessionColumns+` FROM sessions WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at, id`, userID)
}

// TouchSession implements store.Sessions.
func (t *tx) TouchSession(ctx context.Context, id string, at time.Time) error {
	return t.execOne(ctx, "touch session", store.ErrNotFound,
		`UPDATE sessions SET last_seen_at = ? WHERE id = ?`, micros(at), id)
}

// RevokeSession implements store.Sessions.
func (t *tx) RevokeSession(ctx context.Context, id string, at time.Time) error {
	const op = "revoke session"
	if at.IsZero() {
		return fmt.Errorf("sqlstore: %s: zero revocation time", op)
	}
	return t.execOne(ctx, op, store.ErrNotFound,
		`UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, micros(at), id)
}

// RevokeUserSessions implements store.Sessions.
func (t *tx) RevokeUserSessions(ctx context.Context, userID string, at time.Time) (int64, error) {
	const op = "revoke user sessions"
	if at.IsZero() {
		return 0, fmt.Errorf("sqlstore: %s: zero revocation time", op)
	}
	return t.execCount(ctx, op,
		`UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, micros(at), userID)
}

// PurgeSessions implements store.Sessions.
func (t *tx) PurgeSessions(ctx context.Context, before time.Time) (int64, error) {
	return t.execCount(ctx, "purge sessions",
		`DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?`, micros(before), micros(before))
}

func scanSession(row scanner) (store.Session, error) {
	var s store.Session
	err := row.Scan(&s.ID, &s.Hash, &s.UserID, &s.Stage, &s.Binding, &s.Client, timeDest{&s.CreatedAt},
		timeDest{&s.LastSeenAt}, timeDest{&s.ExpiresAt}, timeDest{&s.RevokedAt})
	return s, err
}
