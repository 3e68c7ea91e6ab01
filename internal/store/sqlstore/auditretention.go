package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// AuditRetentionState implements store.AuditRetention.
func (t *tx) AuditRetentionState(ctx context.Context) (store.AuditRetentionState, error) {
	var s store.AuditRetentionState
	err := t.queryRow(ctx, `SELECT expired_size, archived_size, archived_hash FROM audit_retention WHERE id = 1`+t.lockClause()).
		Scan(&s.ExpiredSize, &s.ArchivedSize, &s.ArchivedHash)
	if err != nil {
		return store.AuditRetentionState{}, t.fail("audit retention state", err)
	}
	if s.ArchivedSize == 0 {
		s.ArchivedHash = nil
	}
	return s, nil
}

// ArchiveAudit implements store.AuditRetention.
func (t *tx) ArchiveAudit(ctx context.Context, seg store.AuditSegment, endHash []byte) error {
	const op = "archive audit"
	if seg.End <= seg.Start {
		return fmt.Errorf("sqlstore: %s: empty segment [%d, %d)", op, seg.Start, seg.End)
	}
	n, err := t.execCount(ctx, op, `UPDATE audit_retention SET archived_size = ?, archived_hash = ? WHERE id = 1 AND archived_size = ?`,
		seg.End, bytesArg(endHash), seg.Start)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: %s: the archive no longer ends at %d: %w", op, seg.Start, store.ErrConflict)
	}
	if _, err := t.exec(ctx, `INSERT INTO audit_archive (start_size, end_size, blob_key, blob_size, keyset, newest_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		seg.Start, seg.End, seg.BlobKey, seg.BlobSize, bytesArg(seg.Keyset), micros(seg.NewestAt), micros(seg.CreatedAt)); err != nil {
		return t.fail(op, err)
	}
	if _, err := t.exec(ctx, `DELETE FROM audit_log WHERE seq <= ?`, seg.End); err != nil {
		return t.fail(op, err)
	}
	if _, err := t.exec(ctx, `DELETE FROM audit_checkpoints WHERE size > ? AND size < ?`, seg.Start, seg.End); err != nil {
		return t.fail(op, err)
	}
	return nil
}

// ListAuditSegments implements store.AuditRetention.
func (t *tx) ListAuditSegments(ctx context.Context) ([]store.AuditSegment, error) {
	return list(ctx, t, "list audit segments", func(row scanner) (store.AuditSegment, error) {
		var s store.AuditSegment
		err := row.Scan(&s.Start, &s.End, &s.BlobKey, &s.BlobSize, &s.Keyset, timeDest{&s.NewestAt}, timeDest{&s.CreatedAt})
		return s, err
	}, `SELECT start_size, end_size, blob_key, blob_size, keyset, newest_at, created_at FROM audit_archive ORDER BY start_size`)
}

// ExpireAudit implements store.AuditRetention.
func (t *tx) ExpireAudit(ctx context.Context, old, end int64) error {
	const op = "expire audit"
	n, err := t.execCount(ctx, op, `UPDATE audit_retention SET expired_size = ? WHERE id = 1 AND expired_size = ? AND archived_size >= ?`,
		end, old, end)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: %s: expired size is no longer %d (or %d is beyond the archive): %w", op, old, end, store.ErrConflict)
	}
	if _, err := t.exec(ctx, `DELETE FROM audit_archive WHERE end_size <= ?`, end); err != nil {
		return t.fail(op, err)
	}
	if _, err := t.exec(ctx, `DELETE FROM audit_checkpoints WHERE size < ?`, end); err != nil {
		return t.fail(op, err)
	}
	return nil
}

// AuditCheckpointBefore implements store.AuditRetention.
func (t *tx) AuditCheckpointBefore(ctx context.Context, after, atMost int64, before time.Time) (store.AuditCheckpoint, error) {
	c, err := scanCheckpoint(t.queryRow(ctx, `SELECT size, note, created_at FROM audit_checkpoints
		WHERE size > ? AND size <= ? AND created_at < ? ORDER BY size DESC LIMIT 1`, after, atMost, micros(before)))
	if err != nil {
		return store.AuditCheckpoint{}, t.fail("audit checkpoint before", err)
	}
	return c, nil
}
