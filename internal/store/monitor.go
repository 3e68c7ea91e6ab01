package store

import (
	"context"
	"time"
)

// MonitorState is the detection engine's persistent position: the state of
// its detectors after consuming the audit log up to Cursor, and the lease
// that lets one node at a time run it.
type MonitorState struct {
	Cursor     int64  // last audit seq reflected in Snapshot (0: none)
	Snapshot   []byte // detector state, opaque to the store
	Holder     string // node holding the lease ("" if none)
	LeaseUntil time.Time
}

// Alert is a finding of a detection rule.
type Alert struct {
	ID        string // UUIDv7: ids sort by creation time
	DedupKey  string // unique: raising the same finding twice is a no-op
	Rule      string
	Severity  string
	ActorID   string // "" for findings about a source address only
	SourceIP  string
	Summary   string  // PII-free description
	Evidence  []int64 // audit seqs of the events that triggered the rule
	Status    string  // "open" or "acknowledged"
	CreatedAt time.Time
	AckedAt   time.Time // zero while open
	AckedBy   string
	AckReason string
	Contained bool // the actor was locked by containment
}

// AlertQuery selects alerts, newest first. Empty fields match everything.
type AlertQuery struct {
	Status, Rule, Severity, ActorID string
	// ActorTeam, if set, keeps alerts about people of that team only.
	ActorTeam string
	BeforeID  string // page: only ids < BeforeID
	Limit     int
}

// AlertDelivery is a pending webhook delivery of an alert.
type AlertDelivery struct {
	AlertID  string
	Attempts int
	NextAt   time.Time
}

// Monitor stores the detection engine's state, its alerts and their
// pending deliveries.
type Monitor interface {
	// AcquireMonitorLease gives the lease to holder until until, if it is
	// free, expired at now, or already holder's; it returns the state and
	// whether holder now holds the lease.
	AcquireMonitorLease(ctx context.Context, holder string, now, until time.Time) (MonitorState, bool, error)
	// SaveMonitorState stores cursor and snapshot if holder holds the lease,
	// else ErrConflict.
	SaveMonitorState(ctx context.Context, holder string, cursor int64, snapshot []byte) error
	// ReleaseMonitorLease gives up holder's lease (no-op if not held).
	ReleaseMonitorLease(ctx context.Context, holder string) error

	// InsertAlert stores a and reports whether it was new: false (and no
	// error) if an alert with the same DedupKey exists.
	InsertAlert(ctx context.Context, a Alert) (bool, error)
	// GetAlert returns ErrNotFound for an unknown id.
	GetAlert(ctx context.Context, id string) (Alert, error)
	// ListAlerts returns up to q.Limit alerts matching q, newest first.
	ListAlerts(ctx context.Context, q AlertQuery) ([]Alert, error)
	// AckAlert acknowledges an open alert: ErrNotFound for an unknown id,
	// ErrConflict if it is already acknowledged.
	AckAlert(ctx context.Context, id, by, reason string, at time.Time) error
	// MarkAlertContained records that the alert's actor was locked.
	MarkAlertContained(ctx context.Context, id string) error

	// EnqueueAlertDelivery schedules the delivery of an alert at at.
	EnqueueAlertDelivery(ctx context.Context, alertID string, at time.Time) error
	// DueAlertDeliveries returns up to limit deliveries due at now, the
	// earliest first.
	DueAlertDeliveries(ctx context.Context, now time.Time, limit int) ([]AlertDelivery, error)
	// RescheduleAlertDelivery records a failed attempt and the next try.
	RescheduleAlertDelivery(ctx context.Context, alertID string, attempts int, next time.Time) error
	// CompleteAlertDelivery removes a delivery (done, or given up).
	CompleteAlertDelivery(ctx context.Context, alertID string) error
}
