package sqlstore

import (
	"context"

	"github.com/confide-cc/confide/internal/store"
)

// InsertErasure implements store.Erasures. A second receipt for the same
// customer is store.ErrConflict.
func (t *tx) InsertErasure(ctx context.Context, e store.Erasure) error {
	return t.execOne(ctx, "insert erasure", store.ErrConflict,
		`INSERT INTO erasures (customer_id, erased_at, receipt) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		e.CustomerID, micros(e.ErasedAt), bytesArg(e.Receipt))
}

// GetErasure implements store.Erasures.
func (t *tx) GetErasure(ctx context.Context, customerID string) (store.Erasure, error) {
	e := store.Erasure{CustomerID: customerID}
	err := t.queryRow(ctx, `SELECT erased_at, receipt FROM erasures WHERE customer_id = ?`, customerID).
		Scan(timeDest{&e.ErasedAt}, &e.Receipt)
	if err != nil {
		return store.Erasure{}, t.fail("get erasure", err)
	}
	return e, nil
}
