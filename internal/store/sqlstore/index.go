package sqlstore

import (
	"context"
	"fmt"

	"github.com/confide-cc/confide/internal/store"
)

// ReplaceIndexEntries implements store.BlindIndex. Entries are a set:
// duplicates are stored once. Each entry's CustomerID must be empty or
// customerID.
func (t *tx) ReplaceIndexEntries(ctx context.Context, customerID string, entries []store.IndexEntry) error {
	const op = "replace index entries"
	for _, e := range entries {
		if e.CustomerID != "" && e.CustomerID != customerID {
			return fmt.Errorf("sqlstore: %s: an entry belongs to another customer", op)
		}
	}
	if _, err := t.exec(ctx, `DELETE FROM blind_index WHERE customer_id = ?`, customerID); err != nil {
		return t.fail(op, err)
	}
	for _, e := range entries {
		if _, err := t.exec(ctx, `INSERT INTO blind_index (purpose, key_id, hash, customer_id) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, e.Purpose, e.KeyID, bytesArg(e.Hash), customerID); err != nil {
			return t.fail(op, err)
		}
	}
	return nil
}

// LookupIndex implements store.BlindIndex.
func (t *tx) LookupIndex(ctx context.Context, purpose string, keyID uint32, hash []byte, limit int) ([]string, error) {
	const op = "lookup index"
	if err := checkLimit(op, limit); err != nil {
		return nil, err
	}
	return list(ctx, t, op, scanString, `SELECT customer_id FROM blind_index
		WHERE purpose = ? AND key_id = ? AND hash = ? ORDER BY customer_id LIMIT ?`,
		purpose, keyID, bytesArg(hash), limit)
}
