package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

const siemCursorColumns = `sink, seq, holder, lease_until, updated_at`

// LeaseSIEMCursor implements store.SIEMCursors with one upsert whose
// update only applies when the lease is free, expired or already holder's.
func (t *tx) LeaseSIEMCursor(ctx context.Context, sink, holder string, now, until time.Time) (store.SIEMCursor, error) {
	const op = "lease SIEM cursor"
	if sink == "" || holder == "" {
		return store.SIEMCursor{}, fmt.Errorf("sqlstore: %s: empty sink or holder name", op)
	}
	err := t.execOne(ctx, op, store.ErrConflict,
		`INSERT INTO siem_cursors (`+siemCursorColumns+`) VALUES (?, 0, ?, ?, ?)
		ON CONFLICT (sink) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
		WHERE siem_cursors.holder = excluded.holder OR siem_cursors.lease_until <= ?`,
		sink, holder, until.UnixMicro(), now.UnixMicro(), now.UnixMicro())
	if err != nil {
		return store.SIEMCursor{}, err
	}
	c, err := scanSIEMCursor(t.queryRow(ctx, `SELECT `+siemCursorColumns+` FROM siem_cursors WHERE sink = ?`, sink))
	if err != nil {
		return store.SIEMCursor{}, t.fail(op, err)
	}
	return c, nil
}

// AdvanceSIEMCursor implements store.SIEMCursors.
func (t *tx) AdvanceSIEMCursor(ctx context.Context, sink, holder string, seq int64, now time.Time) error {
	return t.execOne(ctx, "advance SIEM cursor", store.ErrConflict,
		`UPDATE siem_cursors SET seq = ?, updated_at = ?
		WHERE sink = ? AND holder = ? AND lease_until > ? AND seq <= ?`,
		seq, now.UnixMicro(), sink, holder, now.UnixMicro(), seq)
}

// ReleaseSIEMCursor implements store.SIEMCursors.
func (t *tx) ReleaseSIEMCursor(ctx context.Context, sink, holder string) error {
	_, err := t.execCount(ctx, "release SIEM cursor",
		`UPDATE siem_cursors SET holder = '', lease_until = 0 WHERE sink = ? AND holder = ?`, sink, holder)
	return err
}

// ListSIEMCursors implements store.SIEMCursors.
func (t *tx) ListSIEMCursors(ctx context.Context) ([]store.SIEMCursor, error) {
	return list(ctx, t, "list SIEM cursors", scanSIEMCursor,
		`SELECT `+siemCursorColumns+` FROM siem_cursors ORDER BY sink`)
}

func scanSIEMCursor(row scanner) (store.SIEMCursor, error) {
	var c store.SIEMCursor
	var leaseUntil int64
	err := row.Scan(&c.Sink, &c.Seq, &c.Holder, &leaseUntil, timeDest{&c.UpdatedAt})
	if leaseUntil != 0 {
		c.LeaseUntil = time.UnixMicro(leaseUntil).UTC()
	}
	return c, err
}
