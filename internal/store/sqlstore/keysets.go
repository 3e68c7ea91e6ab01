package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// GetSystemKeyset implements store.SystemKeysets.
func (t *tx) GetSystemKeyset(ctx context.Context, name string) (store.SystemKeyset, error) {
	k := store.SystemKeyset{Name: name}
	err := t.queryRow(ctx, `SELECT wrapped, updated_at FROM system_keysets WHERE name = ?`, name).
		Scan(&k.Wrapped, timeDest{&k.UpdatedAt})
	if err != nil {
		return store.SystemKeyset{}, t.fail("get system keyset", err)
	}
	return k, nil
}

// CreateSystemKeyset implements store.SystemKeysets. On PostgreSQL a
// concurrent creator of the same name makes this one wait for its commit,
// then return its keyset.
func (t *tx) CreateSystemKeyset(ctx context.Context, k store.SystemKeyset) (store.SystemKeyset, error) {
	if _, err := t.exec(ctx, `INSERT INTO system_keysets (name, wrapped, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO NOTHING`, k.Name, bytesArg(k.Wrapped), micros(k.UpdatedAt)); err != nil {
		return store.SystemKeyset{}, t.fail("create system keyset", err)
	}
	return t.GetSystemKeyset(ctx, k.Name)
}

// UpdateSystemKeyset implements store.SystemKeysets. UpdatedAt becomes the
// current time. A missing keyset is store.ErrNotFound.
func (t *tx) UpdateSystemKeyset(ctx context.Context, name string, old, new []byte) error {
	const op = "update system keyset"
	n, err := t.execCount(ctx, op, `UPDATE system_keysets SET wrapped = ?, updated_at = ? WHERE name = ? AND wrapped = ?`,
		bytesArg(new), time.Now().UnixMicro(), name, bytesArg(old))
	if err != nil || n > 0 {
		return err
	}
	if _, err := t.GetSystemKeyset(ctx, name); err != nil {
		return err
	}
	return fmt.Errorf("sqlstore: %s: current value differs: %w", op, store.ErrConflict)
}

// DeleteSystemKeyset implements store.SystemKeysets.
func (t *tx) DeleteSystemKeyset(ctx context.Context, name string, old []byte) error {
	const op = "delete system keyset"
	n, err := t.execCount(ctx, op, `DELETE FROM system_keysets WHERE name = ? AND wrapped = ?`, name, bytesArg(old))
	if err != nil || n > 0 {
		return err
	}
	if _, err := t.GetSystemKeyset(ctx, name); err != nil {
		return err
	}
	return fmt.Errorf("sqlstore: %s: current value differs: %w", op, store.ErrConflict)
}

// InsertCustomerKeyset implements store.CustomerKeysets.
func (t *tx) InsertCustomerKeyset(ctx context.Context, k store.CustomerKeyset) error {
	return t.execOne(ctx, "insert customer keyset", store.ErrConflict,
		`INSERT INTO customer_keysets (customer_id, kek_key_id, wrapped) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		k.CustomerID, k.KEKKeyID, bytesArg(k.Wrapped))
}

// GetCustomerKeyset implements store.CustomerKeysets.
func (t *tx) GetCustomerKeyset(ctx context.Context, customerID string) (store.CustomerKeyset, error) {
	k, err := scanCustomerKeyset(t.queryRow(ctx,
		`SELECT customer_id, kek_key_id, wrapped FROM customer_keysets WHERE customer_id = ?`, customerID))
	if err != nil {
		return store.CustomerKeyset{}, t.fail("get customer keyset", err)
	}
	return k, nil
}

// UpdateCustomerKeyset implements store.CustomerKeysets.
func (t *tx) UpdateCustomerKeyset(ctx context.Context, k store.CustomerKeyset) error {
	return t.execOne(ctx, "update customer keyset", store.ErrNotFound,
		`UPDATE customer_keysets SET kek_key_id = ?, wrapped = ? WHERE customer_id = ?`,
		k.KEKKeyID, bytesArg(k.Wrapped), k.CustomerID)
}

// ListCustomerKeysetsNotWrappedBy implements store.CustomerKeysets.
func (t *tx) ListCustomerKeysetsNotWrappedBy(ctx context.Context, kekKeyID uint32, afterCustomerID string, limit int) ([]store.CustomerKeyset, error) {
	const op = "list customer keysets"
	if err := checkLimit(op, limit); err != nil {
		return nil, err
	}
	return list(ctx, t, op, scanCustomerKeyset, `SELECT customer_id, kek_key_id, wrapped FROM customer_keysets
		WHERE kek_key_id <> ? AND customer_id > ? ORDER BY customer_id LIMIT ?`, kekKeyID, afterCustomerID, limit)
}

// CountCustomerKeysets implements store.CustomerKeysets.
func (t *tx) CountCustomerKeysets(ctx context.Context, kekKeyID uint32) (total, current int64, err error) {
	err = t.queryRow(ctx, `SELECT COUNT(*), COUNT(*) FILTER (WHERE kek_key_id = ?) FROM customer_keysets`, kekKeyID).
		Scan(&total, &current)
	if err != nil {
		return 0, 0, t.fail("count customer keysets", err)
	}
	return total, current, nil
}

func scanCustomerKeyset(row scanner) (store.CustomerKeyset, error) {
	var k store.CustomerKeyset
	err := row.Scan(&k.CustomerID, &k.KEKKeyID, &k.Wrapped)
	return k, err
}
