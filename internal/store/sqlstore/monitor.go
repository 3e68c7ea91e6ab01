package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// AcquireMonitorLease implements store.Monitor. The lease changes hands by
// one conditional UPDATE, so two nodes racing for it cannot both win.
func (t *tx) AcquireMonitorLease(ctx context.Context, holder string, now, until time.Time) (store.MonitorState, bool, error) {
	const op = "acquire monitor lease"
	if holder == "" {
		return store.MonitorState{}, false, fmt.Errorf("sqlstore: %s: empty holder", op)
	}
	n, err := t.execCount(ctx, op, `UPDATE monitor_state SET holder = ?, lease_until = ?
		WHERE id = 1 AND (holder = ? OR holder = '' OR lease_until <= ?)`,
		holder, until.UnixMicro(), holder, now.UnixMicro())
	if err != nil {
		return store.MonitorState{}, false, err
	}
	var s store.MonitorState
	var leaseUntil int64
	err = t.queryRow(ctx, `SELECT cursor, snapshot, holder, lease_until FROM monitor_state WHERE id = 1`).
		Scan(&s.Cursor, &s.Snapshot, &s.Holder, &leaseUntil)
	if err != nil {
		return store.MonitorState{}, false, t.fail(op, err)
	}
	s.LeaseUntil = time.UnixMicro(leaseUntil).UTC()
	return s, n == 1, nil
}

// SaveMonitorState implements store.Monitor.
func (t *tx) SaveMonitorState(ctx context.Context, holder string, cursor int64, snapshot []byte) error {
	return t.execOne(ctx, "save monitor state", store.ErrConflict,
		`UPDATE monitor_state SET cursor = ?, snapshot = ? WHERE id = 1 AND holder = ?`,
		cursor, bytesArg(snapshot), holder)
}

// ReleaseMonitorLease implements store.Monitor.
func (t *tx) ReleaseMonitorLease(ctx context.Context, holder string) error {
	_, err := t.execCount(ctx, "release monitor lease",
		`UPDATE monitor_state SET holder = '', lease_until = 0 WHERE id = 1 AND holder = ?`, holder)
	return err
}

const alertColumns = `id, dedup_key, rule, severity, actor_id, source_ip, summary, evidence, status,
	created_at, acked_at, acked_by, ack_reason, contained`

// InsertAlert implements store.Monitor. A taken id is store.ErrConflict; a
// taken dedup key is reported as (false, nil).
func (t *tx) InsertAlert(ctx context.Context, a store.Alert) (bool, error) {
	const op = "insert alert"
	ev, err := json.Marshal(a.Evidence)
	if err != nil {
		return false, fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	if a.Evidence == nil {
		ev = []byte("[]")
	}
	var dup int
	err = t.queryRow(ctx, `SELECT COUNT(*) FROM monitor_alerts WHERE dedup_key = ?`, a.DedupKey).Scan(&dup)
	if err != nil {
		return false, t.fail(op, err)
	}
	if dup > 0 {
		return false, nil
	}
	err = t.execOne(ctx, op, store.ErrConflict, `INSERT INTO monitor_alerts (`+alertColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		a.ID, a.DedupKey, a.Rule, a.Severity, a.ActorID, a.SourceIP, a.Summary, ev, a.Status,
		micros(a.CreatedAt), micros(a.AckedAt), a.AckedBy, a.AckReason, boolInt(a.Contained))
	if err != nil {
		return false, err
	}
	return true, nil
}

// GetAlert implements store.Monitor.
func (t *tx) GetAlert(ctx context.Context, id string) (store.Alert, error) {
	a, err := scanAlert(t.queryRow(ctx, `SELECT `+alertColumns+` FROM monitor_alerts WHERE id = ?`, id))
	if err != nil {
		return store.Alert{}, t.fail("get alert", err)
	}
	return a, nil
}

// ListAlerts implements store.Monitor.
func (t *tx) ListAlerts(ctx context.Context, q store.AlertQuery) ([]store.Alert, error) {
	const op = "list alerts"
	if err := checkLimit(op, q.Limit); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	for _, f := range []struct{ col, val string }{
		{"status", q.Status}, {"rule", q.Rule}, {"severity", q.Severity}, {"actor_id", q.ActorID},
	} {
		if f.val != "" {
			where = append(where, f.col+" = ?")
			args = append(args, f.val)
		}
	}
	if q.BeforeID != "" {
		where = append(where, "id < ?")
		args = append(args, q.BeforeID)
	}
	if q.ActorTeam != "" {
		where = append(where, "actor_id IN (SELECT id FROM users WHERE team = ?)")
		args = append(args, q.ActorTeam)
	}
	query := `SELECT ` + alertColumns + ` FROM monitor_alerts`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY id DESC LIMIT ?"
	args = append(args, q.Limit)
	return list(ctx, t, op, scanAlert, query, args...)
}

// AckAlert implements store.Monitor.
func (t *tx) AckAlert(ctx context.Context, id, by, reason string, at time.Time) error {
	const op = "ack alert"
	if at.IsZero() {
		return fmt.Errorf("sqlstore: %s: zero time", op)
	}
	n, err := t.execCount(ctx, op, `UPDATE monitor_alerts SET status = 'acknowledged', acked_at = ?, acked_by = ?, ack_reason = ?
		WHERE id = ? AND status = 'open'`, at.UnixMicro(), by, reason, id)
	if err != nil || n == 1 {
		return err
	}
	if _, err := t.GetAlert(ctx, id); err != nil {
		return err
	}
	return fmt.Errorf("sqlstore: %s: already acknowledged: %w", op, store.ErrConflict)
}

// MarkAlertContained implements store.Monitor.
func (t *tx) MarkAlertContained(ctx context.Context, id string) error {
	return t.execOne(ctx, "mark alert contained", store.ErrNotFound,
		`UPDATE monitor_alerts SET contained = 1 WHERE id = ?`, id)
}

// EnqueueAlertDelivery implements store.Monitor. Enqueueing a queued alert
// keeps the existing schedule.
func (t *tx) EnqueueAlertDelivery(ctx context.Context, alertID string, at time.Time) error {
	_, err := t.execCount(ctx, "enqueue alert delivery",
		`INSERT INTO monitor_outbox (alert_id, attempts, next_at) VALUES (?, 0, ?) ON CONFLICT DO NOTHING`,
		alertID, at.UnixMicro())
	return err
}

// DueAlertDeliveries implements store.Monitor.
func (t *tx) DueAlertDeliveries(ctx context.Context, now time.Time, limit int) ([]store.AlertDelivery, error) {
	const op = "due alert deliveries"
	if err := checkLimit(op, limit); err != nil {
		return nil, err
	}
	return list(ctx, t, op, func(row scanner) (store.AlertDelivery, error) {
		var d store.AlertDelivery
		var next int64
		err := row.Scan(&d.AlertID, &d.Attempts, &next)
		d.NextAt = time.UnixMicro(next).UTC()
		return d, err
	}, `SELECT alert_id, attempts, next_at FROM monitor_outbox WHERE next_at <= ? ORDER BY next_at, alert_id LIMIT ?`,
		now.UnixMicro(), limit)
}

// RescheduleAlertDelivery implements store.Monitor.
func (t *tx) RescheduleAlertDelivery(ctx context.Context, alertID string, attempts int, next time.Time) error {
	return t.execOne(ctx, "reschedule alert delivery", store.ErrNotFound,
		`UPDATE monitor_outbox SET attempts = ?, next_at = ? WHERE alert_id = ?`, attempts, next.UnixMicro(), alertID)
}

// CompleteAlertDelivery implements store.Monitor.
func (t *tx) CompleteAlertDelivery(ctx context.Context, alertID string) error {
	_, err := t.execCount(ctx, "complete alert delivery", `DELETE FROM monitor_outbox WHERE alert_id = ?`, alertID)
	return err
}

func scanAlert(row scanner) (store.Alert, error) {
	var a store.Alert
	var ev []byte
	var contained int64
	err := row.Scan(&a.ID, &a.DedupKey, &a.Rule, &a.Severity, &a.ActorID, &a.SourceIP, &a.Summary, &ev, &a.Status,
		timeDest{&a.CreatedAt}, timeDest{&a.AckedAt}, &a.AckedBy, &a.AckReason, &contained)
	if err != nil {
		return store.Alert{}, err
	}
	a.Contained = contained != 0
	if err := json.Unmarshal(ev, &a.Evidence); err != nil {
		return store.Alert{}, fmt.Errorf("alert %s: evidence: %w", a.ID, err)
	}
	return a, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
