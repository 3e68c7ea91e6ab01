package store

import (
	"context"
	"time"
)

// SIEMCursor is how far one SIEM sink has received the audit log, and
// which node delivers to it.
type SIEMCursor struct {
	Sink string // the sink's stable name, e.g. "syslog:tcp+tls://siem.example:6514"
	// Seq is the last audit record the sink has accepted; 0 before the
	// first delivery.
	Seq int64
	// Holder is the node holding the delivery lease, "" if none.
	Holder string
	// LeaseUntil is when Holder's lease expires (zero if never leased).
	LeaseUntil time.Time
	// UpdatedAt is when Seq last changed (or the row was created).
	UpdatedAt time.Time
}

// SIEMCursors stores SIEM delivery cursors and their leases. A lease lets
// one node at a time deliver to a sink; it lasts until it expires or its
// holder releases it, and the holder renews it by leasing again.
type SIEMCursors interface {
	// LeaseSIEMCursor gives holder the lease of sink until until, and
	// returns the cursor. It succeeds if the sink has no lease, if the
	// lease expired (LeaseUntil <= now) or if holder already holds it; a
	// sink seen for the first time gets a cursor at Seq 0. Another
	// holder's unexpired lease is ErrConflict.
	LeaseSIEMCursor(ctx context.Context, sink, holder string, now, until time.Time) (SIEMCursor, error)
	// AdvanceSIEMCursor moves the cursor of sink to seq, if holder holds a
	// lease that has not expired at now and seq is not below the current
	// Seq; otherwise ErrConflict (the lease was lost: another node may be
	// delivering).
	AdvanceSIEMCursor(ctx context.Context, sink, holder string, seq int64, now time.Time) error
	// ReleaseSIEMCursor ends holder's lease of sink; it does nothing if
	// holder does not hold it.
	ReleaseSIEMCursor(ctx context.Context, sink, holder string) error
	// ListSIEMCursors returns every cursor, ordered by sink.
	ListSIEMCursors(ctx context.Context) ([]SIEMCursor, error)
}
