package sqlstore

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

const tokenColumns = `id, name, role, hash, created_at, last_used_at, revoked_at, networks`

// InsertToken implements store.Tokens. A taken id or hash is
// store.ErrConflict.
func (t *tx) InsertToken(ctx context.Context, tok store.Token) error {
	for _, p := range tok.Networks {
		if !p.IsValid() {
			return fmt.Errorf("sqlstore: insert token: invalid network prefix")
		}
	}
	return t.execOne(ctx, "insert token", store.ErrConflict,
		`INSERT INTO tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		tok.ID, tok.Name, tok.Role, bytesArg(tok.Hash), micros(tok.CreatedAt), micros(tok.LastUsedAt), micros(tok.RevokedAt),
		formatNetworks(tok.Networks))
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
	var networks string
	err := row.Scan(&tok.ID, &tok.Name, &tok.Role, &tok.Hash,
		timeDest{&tok.CreatedAt}, timeDest{&tok.LastUsedAt}, timeDest{&tok.RevokedAt}, &networks)
	if err != nil {
		return tok, err
	}
	tok.Networks, err = parseNetworks(networks)
	return tok, err
}

// formatNetworks is the stored form of a token's networks: canonical
// prefixes joined by commas, "" for none.
func formatNetworks(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.Masked().String()
	}
	return strings.Join(s, ",")
}

// parseNetworks reads formatNetworks' output. A value that does not parse
// is an error, never "no restriction": a damaged row must fail closed.
func parseNetworks(s string) ([]netip.Prefix, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]netip.Prefix, len(parts))
	for i, part := range parts {
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("token networks: %w", err)
		}
		out[i] = p
	}
	return out, nil
}
