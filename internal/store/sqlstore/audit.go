package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// AuditHead implements store.Audit. On PostgreSQL it locks the head row
// (SELECT ... FOR UPDATE) until the transaction ends; on SQLite the write
// transaction already excludes every other writer.
func (t *tx) AuditHead(ctx context.Context) (seq int64, hash []byte, err error) {
	err = t.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+t.lockClause()).Scan(&seq, &hash)
	if err != nil {
		return 0, nil, t.fail("audit head", err)
	}
	if seq == 0 {
		hash = nil
	}
	return seq, hash, nil
}

// AppendAudit implements store.Audit: it advances the head from r.Seq-1 to
// r.Seq and inserts r. The head update is a compare-and-swap, so an
// appender that skipped AuditHead still cannot fork the chain.
func (t *tx) AppendAudit(ctx context.Context, r store.AuditRecord) error {
	const op = "append audit"
	n, err := t.execCount(ctx, op, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ?`,
		r.Seq, bytesArg(r.Hash), r.Seq-1)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: %s: sequence %d does not follow the head: %w", op, r.Seq, store.ErrConflict)
	}
	if _, err := t.exec(ctx, `INSERT INTO audit_log (seq, time, body, prev_hash, hash, actor_id, action, resource, outcome)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Seq, micros(r.Time), bytesArg(r.Body), bytesArg(r.PrevHash), bytesArg(r.Hash), r.Actor, r.Action, r.Resource, r.Outcome); err != nil {
		return t.fail(op, err)
	}
	return nil
}

// ListAudit implements store.Audit.
func (t *tx) ListAudit(ctx context.Context, fromSeq int64, limit int) ([]store.AuditRecord, error) {
	const op = "list audit"
	if err := checkLimit(op, limit); err != nil {
		return nil, err
	}
	return list(ctx, t, op, scanAuditRecord, `SELECT `+auditColumns+` FROM audit_log
		WHERE seq >= ? ORDER BY seq LIMIT ?`, fromSeq, limit)
}

// SearchAudit implements store.Audit.
func (t *tx) SearchAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditRecord, error) {
	const op = "search audit"
	if err := checkLimit(op, q.Limit); err != nil {
		return nil, err
	}
	var where strings.Builder
	args := []any{q.AfterSeq}
	where.WriteString("seq > ?")
	for _, f := range []struct{ col, val string }{
		{"actor_id", q.Actor}, {"action", q.Action}, {"resource", q.Resource}, {"outcome", q.Outcome},
	} {
		if f.val != "" {
			where.WriteString(" AND " + f.col + " = ?")
			args = append(args, f.val)
		}
	}
	if !q.From.IsZero() {
		where.WriteString(" AND time >= ?")
		args = append(args, q.From.UnixMicro())
	}
	if !q.To.IsZero() {
		where.WriteString(" AND time < ?")
		args = append(args, q.To.UnixMicro())
	}
	args = append(args, q.Limit)
	return list(ctx, t, op, scanAuditRecord, `SELECT `+auditColumns+` FROM audit_log
		WHERE `+where.String()+` ORDER BY seq LIMIT ?`, args...)
}

// CountReveals implements store.Audit. The action and outcome are literals
// so that both dialects use the partial index audit_log_reveals.
func (t *tx) CountReveals(ctx context.Context, actor string, since time.Time) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT count(*) FROM audit_log
		WHERE action = 'customer.reveal' AND outcome = 'success' AND actor_id = ? AND time >= ?`, actor, since.UnixMicro()).Scan(&n)
	if err != nil {
		return 0, t.fail("count reveals", err)
	}
	return n, nil
}

const auditColumns = `seq, time, body, prev_hash, hash, actor_id, action, resource, outcome`

func scanAuditRecord(row scanner) (store.AuditRecord, error) {
	var r store.AuditRecord
	err := row.Scan(&r.Seq, timeDest{&r.Time}, &r.Body, &r.PrevHash, &r.Hash, &r.Actor, &r.Action, &r.Resource, &r.Outcome)
	return r, err
}
