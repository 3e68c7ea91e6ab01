package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

const verificationColumns = `id, interaction_id, customer_id, method, status, code_key_id, code_hash, attempts, max_attempts,
	actor_id, created_at, expires_at, completed_at`

// InsertVerification implements store.Verifications.
func (t *tx) InsertVerification(ctx context.Context, v store.Verification) error {
	const op = "insert verification"
	if _, err := t.LockInteraction(ctx, v.InteractionID); err != nil {
		return err
	}
	return t.execOne(ctx, op, store.ErrConflict,
		`INSERT INTO verifications (`+verificationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		v.ID, v.InteractionID, v.CustomerID, v.Method, v.Status, int64(v.CodeKeyID), bytesArg(v.CodeHash),
		v.Attempts, v.MaxAttempts, v.ActorID, micros(v.CreatedAt), micros(v.ExpiresAt), micros(v.CompletedAt))
}

// GetVerification implements store.Verifications.
func (t *tx) GetVerification(ctx context.Context, id string) (store.Verification, error) {
	v, err := scanVerification(t.queryRow(ctx, `SELECT `+verificationColumns+` FROM verifications WHERE id = ?`+t.lockClause(), id))
	if err != nil {
		return store.Verification{}, t.fail("get verification", err)
	}
	return v, nil
}

// UpdateVerification implements store.Verifications.
func (t *tx) UpdateVerification(ctx context.Context, v store.Verification) error {
	return t.execOne(ctx, "update verification", store.ErrNotFound,
		`UPDATE verifications SET status = ?, attempts = ?, completed_at = ? WHERE id = ?`,
		v.Status, v.Attempts, micros(v.CompletedAt), v.ID)
}

// CountVerifications implements store.Verifications.
func (t *tx) CountVerifications(ctx context.Context, interactionID string) (int, error) {
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM verifications WHERE interaction_id = ?`, interactionID).Scan(&n); err != nil {
		return 0, t.fail("count verifications", err)
	}
	return n, nil
}

// CountFailedVerifications implements store.Verifications.
func (t *tx) CountFailedVerifications(ctx context.Context, customerID string, since time.Time) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM verifications WHERE customer_id = ? AND status = 'failed' AND completed_at >= ?`,
		customerID, since.UnixMicro()).Scan(&n)
	if err != nil {
		return 0, t.fail("count failed verifications", err)
	}
	return n, nil
}

// LockInteraction implements store.InteractionLifecycle.
func (t *tx) LockInteraction(ctx context.Context, id string) (store.Interaction, error) {
	in, err := scanInteraction(t.queryRow(ctx, `SELECT `+interactionSelect+` FROM interactions WHERE id = ?`+t.lockClause(), id))
	if err != nil {
		return store.Interaction{}, t.fail("lock interaction", err)
	}
	return in, nil
}

// EndInteraction implements store.InteractionLifecycle.
func (t *tx) EndInteraction(ctx context.Context, id string, at time.Time) error {
	const op = "end interaction"
	if at.IsZero() {
		return fmt.Errorf("sqlstore: %s: zero time", op)
	}
	in, err := t.LockInteraction(ctx, id)
	if err != nil {
		return err
	}
	if !in.EndedAt.IsZero() {
		return fmt.Errorf("sqlstore: %s: %w", op, store.ErrConflict)
	}
	return t.execOne(ctx, op, store.ErrConflict,
		`UPDATE interactions SET ended_at = ? WHERE id = ? AND ended_at IS NULL`, at.UnixMicro(), id)
}

// SetInteractionVerified implements store.InteractionLifecycle.
func (t *tx) SetInteractionVerified(ctx context.Context, id string, at time.Time) error {
	const op = "set interaction verified"
	if at.IsZero() {
		return fmt.Errorf("sqlstore: %s: zero time", op)
	}
	in, err := t.LockInteraction(ctx, id)
	if err != nil {
		return err
	}
	if !in.EndedAt.IsZero() {
		return fmt.Errorf("sqlstore: %s: %w", op, store.ErrConflict)
	}
	return t.execOne(ctx, op, store.ErrConflict,
		`UPDATE interactions SET verified_at = COALESCE(verified_at, ?) WHERE id = ? AND ended_at IS NULL`, at.UnixMicro(), id)
}

func scanVerification(row scanner) (store.Verification, error) {
	var v store.Verification
	var keyID int64
	err := row.Scan(&v.ID, &v.InteractionID, &v.CustomerID, &v.Method, &v.Status, &keyID, &v.CodeHash,
		&v.Attempts, &v.MaxAttempts, &v.ActorID, timeDest{&v.CreatedAt}, timeDest{&v.ExpiresAt}, timeDest{&v.CompletedAt})
	v.CodeKeyID = uint32(keyID)
	if len(v.CodeHash) == 0 {
		v.CodeHash = nil // no code (kba): the same on every backend
	}
	return v, err
}
