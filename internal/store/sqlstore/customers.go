package sqlstore

import (
	"context"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

const customerColumns = `id, name, phones, emails, address, date_of_birth, account_numbers, attributes, created_at, updated_at`

// InsertCustomer implements store.Customers.
func (t *tx) InsertCustomer(ctx context.Context, c store.Customer) error {
	return t.execOne(ctx, "insert customer", store.ErrConflict,
		`INSERT INTO customers (`+customerColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		c.ID, bytesArg(c.Name), bytesArg(c.Phones), bytesArg(c.Emails), bytesArg(c.Address),
		bytesArg(c.DateOfBirth), bytesArg(c.AccountNumbers), bytesArg(c.Attributes),
		micros(c.CreatedAt), micros(c.UpdatedAt))
}

// GetCustomer implements store.Customers.
func (t *tx) GetCustomer(ctx context.Context, id string) (store.Customer, error) {
	var c store.Customer
	err := t.queryRow(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = ?`, id).Scan(
		&c.ID, &c.Name, &c.Phones, &c.Emails, &c.Address, &c.DateOfBirth, &c.AccountNumbers, &c.Attributes,
		timeDest{&c.CreatedAt}, timeDest{&c.UpdatedAt})
	if err != nil {
		return store.Customer{}, t.fail("get customer", err)
	}
	return c, nil
}

// UpdateCustomer implements store.Customers. CreatedAt is left unchanged.
func (t *tx) UpdateCustomer(ctx context.Context, c store.Customer) error {
	return t.execOne(ctx, "update customer", store.ErrNotFound,
		`UPDATE customers SET name = ?, phones = ?, emails = ?, address = ?, date_of_birth = ?,
			account_numbers = ?, attributes = ?, updated_at = ? WHERE id = ?`,
		bytesArg(c.Name), bytesArg(c.Phones), bytesArg(c.Emails), bytesArg(c.Address),
		bytesArg(c.DateOfBirth), bytesArg(c.AccountNumbers), bytesArg(c.Attributes),
		micros(c.UpdatedAt), c.ID)
}

// DeleteCustomer implements store.Customers. Blob keys are returned in key
// order; the blob rows are deleted and their keys join the deletion queue.
func (t *tx) DeleteCustomer(ctx context.Context, id string) (store.ErasedRows, error) {
	const op = "delete customer"
	var exists int
	if err := t.queryRow(ctx, `SELECT 1 FROM customers WHERE id = ?`+t.lockClause(), id).Scan(&exists); err != nil {
		return store.ErasedRows{}, t.fail(op, err)
	}
	var erased store.ErasedRows
	keys, err := list(ctx, t, op, scanString, `SELECT blob_key FROM blobs WHERE customer_id = ? ORDER BY blob_key`, id)
	if err != nil {
		return store.ErasedRows{}, err
	}
	erased.Blobs = keys
	if _, err := t.exec(ctx, `INSERT INTO blob_deletions (blob_key, queued_at)
		SELECT blob_key, CAST(? AS BIGINT) FROM blobs WHERE customer_id = ? ON CONFLICT DO NOTHING`,
		time.Now().UnixMicro(), id); err != nil {
		return store.ErasedRows{}, t.fail(op, err)
	}
	// Children before parents: the foreign keys are checked per statement.
	steps := []struct {
		query string
		count *int64
	}{
		{`DELETE FROM blobs WHERE customer_id = ?`, nil},
		{`DELETE FROM interactions WHERE customer_id = ?`, &erased.Interactions},
		{`DELETE FROM blind_index WHERE customer_id = ?`, &erased.IndexEntries},
		{`DELETE FROM customer_keysets WHERE customer_id = ?`, &erased.Keysets},
		{`DELETE FROM customers WHERE id = ?`, nil},
	}
	for _, s := range steps {
		n, err := t.execCount(ctx, op, s.query, id)
		if err != nil {
			return store.ErasedRows{}, err
		}
		if s.count != nil {
			*s.count = n
		}
	}
	return erased, nil
}

func scanString(row scanner) (string, error) {
	var s string
	err := row.Scan(&s)
	return s, err
}
