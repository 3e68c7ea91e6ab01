package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

const webauthnColumns = `id, user_id, credential_id, public_key, name, aaguid, sign_count, transports, attachment,
	attestation_type, attestation_format, flags, backup_eligible, backup_state, created_at, last_used_at`

// InsertWebAuthnCredential implements store.WebAuthn.
func (t *tx) InsertWebAuthnCredential(ctx context.Context, c store.WebAuthnCredential) error {
	return t.execOne(ctx, "insert webauthn credential", store.ErrConflict,
		`INSERT INTO webauthn_credentials (`+webauthnColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`,
		c.ID, c.UserID, bytesArg(c.CredentialID), bytesArg(c.PublicKey), c.Name, bytesArg(c.AAGUID), int64(c.SignCount),
		strings.Join(c.Transports, ","), c.Attachment, c.AttestationType, c.AttestationFormat, int64(c.Flags),
		boolInt(c.BackupEligible), boolInt(c.BackupState), micros(c.CreatedAt), micros(c.LastUsedAt))
}

// ListWebAuthnCredentials implements store.WebAuthn.
func (t *tx) ListWebAuthnCredentials(ctx context.Context, userID string) ([]store.WebAuthnCredential, error) {
	return list(ctx, t, "list webauthn credentials", scanWebAuthnCredential,
		`SELECT `+webauthnColumns+` FROM webauthn_credentials WHERE user_id = ? ORDER BY created_at, id`, userID)
}

// CountWebAuthnCredentials implements store.WebAuthn.
func (t *tx) CountWebAuthnCredentials(ctx context.Context, userID string) (int, error) {
	var n int64
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM webauthn_credentials WHERE user_id = ?`, userID).Scan(&n); err != nil {
		return 0, t.fail("count webauthn credentials", err)
	}
	return int(n), nil
}

// RecordWebAuthnUse implements store.WebAuthn.
func (t *tx) RecordWebAuthnUse(ctx context.Context, userID, id string, signCount uint32, flags uint8, backupState bool, at time.Time) error {
	return t.execOne(ctx, "record webauthn use", store.ErrNotFound,
		`UPDATE webauthn_credentials SET sign_count = ?, flags = ?, backup_state = ?, last_used_at = ?
		WHERE id = ? AND user_id = ?`,
		int64(signCount), int64(flags), boolInt(backupState), micros(at), id, userID)
}

// DeleteWebAuthnCredential implements store.WebAuthn.
func (t *tx) DeleteWebAuthnCredential(ctx context.Context, userID, id string) error {
	return t.execOne(ctx, "delete webauthn credential", store.ErrNotFound,
		`DELETE FROM webauthn_credentials WHERE id = ? AND user_id = ?`, id, userID)
}

// DeleteUserWebAuthnCredentials implements store.WebAuthn.
func (t *tx) DeleteUserWebAuthnCredentials(ctx context.Context, userID string) (int64, error) {
	return t.execCount(ctx, "delete user webauthn credentials", `DELETE FROM webauthn_credentials WHERE user_id = ?`, userID)
}

// PutWebAuthnChallenge implements store.WebAuthn.
func (t *tx) PutWebAuthnChallenge(ctx context.Context, c store.WebAuthnChallenge) error {
	if c.ExpiresAt.IsZero() {
		return fmt.Errorf("sqlstore: put webauthn challenge: zero expiry")
	}
	_, err := t.exec(ctx, `INSERT INTO webauthn_challenges (session_id, ceremony, data, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (session_id) DO UPDATE SET ceremony = excluded.ceremony, data = excluded.data, expires_at = excluded.expires_at`,
		c.SessionID, c.Ceremony, bytesArg(c.Data), micros(c.ExpiresAt))
	if err != nil {
		return t.fail("put webauthn challenge", err)
	}
	return nil
}

// TakeWebAuthnChallenge implements store.WebAuthn.
func (t *tx) TakeWebAuthnChallenge(ctx context.Context, sessionID, ceremony string) (store.WebAuthnChallenge, error) {
	const op = "take webauthn challenge"
	c := store.WebAuthnChallenge{SessionID: sessionID}
	err := t.queryRow(ctx, `SELECT ceremony, data, expires_at FROM webauthn_challenges WHERE session_id = ? AND ceremony = ?`+
		t.lockClause(), sessionID, ceremony).Scan(&c.Ceremony, &c.Data, timeDest{&c.ExpiresAt})
	if err != nil {
		return store.WebAuthnChallenge{}, t.fail(op, err)
	}
	// The delete decides: of two concurrent takers only one removes the row.
	if err := t.execOne(ctx, op, store.ErrNotFound,
		`DELETE FROM webauthn_challenges WHERE session_id = ? AND ceremony = ?`, sessionID, ceremony); err != nil {
		return store.WebAuthnChallenge{}, err
	}
	return c, nil
}

func scanWebAuthnCredential(row scanner) (store.WebAuthnCredential, error) {
	var c store.WebAuthnCredential
	var signCount, flags, be, bs int64
	var transports string
	err := row.Scan(&c.ID, &c.UserID, &c.CredentialID, &c.PublicKey, &c.Name, &c.AAGUID, &signCount, &transports,
		&c.Attachment, &c.AttestationType, &c.AttestationFormat, &flags, &be, &bs, timeDest{&c.CreatedAt},
		timeDest{&c.LastUsedAt})
	c.SignCount, c.Flags, c.BackupEligible, c.BackupState = uint32(signCount), uint8(flags), be != 0, bs != 0
	if transports != "" {
		c.Transports = strings.Split(transports, ",")
	}
	if len(c.AAGUID) == 0 {
		c.AAGUID = nil
	}
	return c, err
}
