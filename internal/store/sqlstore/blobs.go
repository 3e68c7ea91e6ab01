package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// singleKinds are the blob kinds of which an interaction has at most one:
// a new one replaces the old.
var singleKinds = map[string]bool{"recording": true, "recording_original": true}

const blobColumns = `blob_key, customer_id, interaction_id, kind, meta, size, created_at`

// PutBlob implements store.Blobs. A key that is already stored, including
// the key of the recording being replaced, is store.ErrConflict; an
// unknown customer or interaction is store.ErrNotFound.
func (t *tx) PutBlob(ctx context.Context, b store.Blob) (replaced string, err error) {
	const op = "put blob"
	if singleKinds[b.Kind] {
		err := t.queryRow(ctx, `SELECT blob_key FROM blobs WHERE interaction_id = ? AND kind = ?`+t.lockClause(),
			b.InteractionID, b.Kind).Scan(&replaced)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return "", t.fail(op, err)
		case replaced == b.Key:
			return "", fmt.Errorf("sqlstore: %s: key already stored: %w", op, store.ErrConflict)
		default:
			if err := t.queueBlobDeletion(ctx, op, replaced); err != nil {
				return "", err
			}
		}
	}
	err = t.execOne(ctx, op, store.ErrConflict,
		`INSERT INTO blobs (`+blobColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		b.Key, b.CustomerID, b.InteractionID, b.Kind, bytesArg(b.Meta), b.Size, micros(b.CreatedAt))
	if err != nil {
		return "", err
	}
	return replaced, nil
}

// queueBlobDeletion deletes the row of blob key and queues the key for
// deletion from the blob store.
func (t *tx) queueBlobDeletion(ctx context.Context, op, key string) error {
	if _, err := t.exec(ctx, `DELETE FROM blobs WHERE blob_key = ?`, key); err != nil {
		return t.fail(op, err)
	}
	if _, err := t.exec(ctx, `INSERT INTO blob_deletions (blob_key, queued_at) VALUES (?, ?) ON CONFLICT DO NOTHING`,
		key, time.Now().UnixMicro()); err != nil {
		return t.fail(op, err)
	}
	return nil
}

// GetBlob implements store.Blobs.
func (t *tx) GetBlob(ctx context.Context, key string) (store.Blob, error) {
	b, err := scanBlob(t.queryRow(ctx, `SELECT `+blobColumns+` FROM blobs WHERE blob_key = ?`, key))
	if err != nil {
		return store.Blob{}, t.fail("get blob", err)
	}
	return b, nil
}

// ListBlobs implements store.Blobs.
func (t *tx) ListBlobs(ctx context.Context, interactionID string) ([]store.Blob, error) {
	return list(ctx, t, "list blobs", scanBlob,
		`SELECT `+blobColumns+` FROM blobs WHERE interaction_id = ? ORDER BY blob_key`, interactionID)
}

// PendingBlobDeletions implements store.Blobs. Keys come oldest first.
func (t *tx) PendingBlobDeletions(ctx context.Context, limit int) ([]string, error) {
	const op = "pending blob deletions"
	if err := checkLimit(op, limit); err != nil {
		return nil, err
	}
	return list(ctx, t, op, scanString,
		`SELECT blob_key FROM blob_deletions ORDER BY queued_at, blob_key LIMIT ?`, limit)
}

// CompleteBlobDeletion implements store.Blobs. A key that is not queued is
// store.ErrNotFound.
func (t *tx) CompleteBlobDeletion(ctx context.Context, key string) error {
	return t.execOne(ctx, "complete blob deletion", store.ErrNotFound,
		`DELETE FROM blob_deletions WHERE blob_key = ?`, key)
}

func scanBlob(row scanner) (store.Blob, error) {
	var b store.Blob
	err := row.Scan(&b.Key, &b.CustomerID, &b.InteractionID, &b.Kind, &b.Meta, &b.Size, timeDest{&b.CreatedAt})
	return b, err
}
