package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

const tokenColumns = `id, name, role, hash, created_at, last_used_at, revoked_at`

// InsertToken implements store.Tokens. A taken id or hash is
// store.ErrConflict.
func (t *tx) InsertToken(ctx context.Context, tok store.Token) error {
	return t.execOne(ctx, "insert token", store.ErrConflict,
		`INSERT INTO tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		tok.ID, tok.Name, tok.Role, bytesArg(tok.Hash), micros(tok.CreatedAt), micros(tok.LastUsedAt), micros(tok.RevokedAt))
}

// TokenByHash implements store.Tokens.
func (t *tx) TokenByHash(ctx context.Context, hash []byte) (store.Token, error) {
	tok, err := scanToken(t.queryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, bytesArg(hash)))
	if err != nil {
		return store.Token{}, t.fail("token by hash", err)
	}
	return tok, nil
}

// ListTokens implements store.Tokens. Tokens come in creation order.
func (t *tx) ListTokens(ctx context.Context) ([]store.Token, error) {
	return list(ctx, t, "list tokens", scanToken, `SELECT `+tokenColumns+` FROM tokens ORDER BY created_at, id`)
}

// RevokeToken implements store.Tokens. Revoking a revoked token keeps the
// first revocation time.
func (t *tx) RevokeToken(ctx context.Context, id string, at time.Time) error {
	const op = "revoke token"
	if at.IsZero() {
		return fmt.Errorf("sqlstore: %s: zero revocation time", op)
	}
	return t.execOne(ctx, op, store.ErrNotFound,
		`UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, at.UnixMicro(), id)
}

// TouchToken implements store.Tokens.
func (t *tx) TouchToken(ctx context.Context, id string, at time.Time) error {
	return t.execOne(ctx, "touch token", store.ErrNotFound,
		`UPDATE tokens SET last_used_at = ? WHERE id = ?`, micros(at), id)
}

func scanToken(row scanner) (store.Token, error) {
	var tok store.Token
	err := row.Scan(&tok.ID, &tok.Name, &tok.Role, &tok.Hash,
		timeDest{&tok.CreatedAt}, timeDest{&tok.LastUsedAt}, timeDest{&tok.RevokedAt})
	return tok, err
}
