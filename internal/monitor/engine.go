package monitor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/store"
)

// EngineOptions configure an Engine. Zero durations and sizes take the
// defaults named on each field.
type EngineOptions struct {
	Rules Config
	// Containment locks actors for rules with contain set; nil disables
	// containment.
	Containment Containment
	// Webhook, if not nil, receives every alert.
	Webhook *Webhook
	// Email, if not nil, mails every alert.
	Email *Email
	// Node names this node as a lease holder (default: random).
	Node string
	// PollInterval is how often the log is polled for new events (250ms).
	PollInterval time.Duration
	// LeaseDuration is how long a lease lasts unrenewed (15s): the longest
	// pause in detection when the active node dies.
	LeaseDuration time.Duration
	// SnapshotInterval is how often the detector state is saved (10s): what
	// a node taking over replays at most.
	SnapshotInterval time.Duration
	// BatchSize is the number of audit records read at a time (1000).
	BatchSize int
	Logger    *slog.Logger
	// OnAlert, if not nil, is called after each new alert is stored and
	// contained (metrics, tests).
	OnAlert func(store.Alert)
}

// Engine runs the detectors over the audit log of a store on the one node
// holding the monitor lease, and raises, contains and delivers alerts.
type Engine struct {
	st     store.Store
	opt    EngineOptions
	log    *slog.Logger
	det    *Detector
	leader atomic.Bool
	wake   chan struct{} // new deliveries queued

	cursor  int64
	pending []Finding // findings not yet stored (the store failed)
}

// NewEngine returns an engine over st; Run starts it.
func NewEngine(st store.Store, opt EngineOptions) (*Engine, error) {
	det, err := NewDetector(opt.Rules)
	if err != nil {
		return nil, err
	}
	if opt.Node == "" {
		var b [8]byte
		rand.Read(b[:])
		opt.Node = "node-" + hex.EncodeToString(b[:])
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opt.PollInterval, 250*time.Millisecond)
	def(&opt.LeaseDuration, 15*time.Second)
	def(&opt.SnapshotInterval, 10*time.Second)
	if opt.BatchSize <= 0 {
		opt.BatchSize = 1000
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Engine{st: st, opt: opt, log: opt.Logger, det: det, wake: make(chan struct{}, 1)}, nil
}

// Leader reports whether this node currently runs the detectors.
func (e *Engine) Leader() bool { return e.leader.Load() }

// Run competes for the lease and, while holding it, tails the audit log
// until ctx is cancelled; then it saves its state and releases the lease.
func (e *Engine) Run(ctx context.Context) {
	if len(e.channels()) > 0 {
		go e.deliverLoop(ctx)
	}
	var leaseUntil, lastSnap time.Time
	snapCursor := int64(-1)
	defer func() {
		if e.leader.Load() {
			bg := context.WithoutCancel(ctx)
			e.saveState(bg)
			_ = e.st.Update(bg, func(tx store.Tx) error { return tx.ReleaseMonitorLease(bg, e.opt.Node) })
			e.leader.Store(false)
		}
	}()
	for ctx.Err() == nil {
		now := time.Now()
		if !e.leader.Load() || now.After(leaseUntil.Add(-e.opt.LeaseDuration/2)) {
			held, err := e.acquire(ctx, now)
			if err != nil {
				e.log.Warn("monitor: lease check failed; will retry", "err", err)
				sleep(ctx, e.opt.PollInterval)
				continue
			}
			if !held {
				sleep(ctx, e.opt.LeaseDuration/3)
				continue
			}
			leaseUntil = now.Add(e.opt.LeaseDuration)
		}
		n, err := e.step(ctx)
		if err != nil && ctx.Err() == nil {
			e.log.Warn("monitor: detection step failed; will retry", "err", err)
		}
		if time.Since(lastSnap) >= e.opt.SnapshotInterval && e.cursor != snapCursor {
			if e.saveState(ctx) {
				lastSnap, snapCursor = time.Now(), e.cursor
			}
		}
		if n < e.opt.BatchSize || err != nil {
			sleep(ctx, e.opt.PollInterval)
		}
	}
}

// acquire takes or renews the lease; on taking it, it restores the state.
func (e *Engine) acquire(ctx context.Context, now time.Time) (bool, error) {
	var st store.MonitorState
	var held bool
	err := e.st.Update(ctx, func(tx store.Tx) error {
		var err error
		st, held, err = tx.AcquireMonitorLease(ctx, e.opt.Node, now, now.Add(e.opt.LeaseDuration))
		return err
	})
	if err != nil || !held {
		if e.leader.Swap(false) {
			e.log.Warn("monitor: lost the lease; standing by", "holder", st.Holder)
		}
		return false, err
	}
	if !e.leader.Load() {
		if err := e.det.Restore(st.Snapshot); err != nil {
			e.log.Error("monitor: detector state unreadable; starting with no history", "err", err)
			_ = e.det.Restore(nil)
		}
		e.cursor, e.pending = st.Cursor, nil
		e.leader.Store(true)
		e.log.Info("monitor: detection engine active on this node", "node", e.opt.Node, "cursor", e.cursor)
	}
	return true, nil
}

// saveState stores the detector snapshot with the cursor.
func (e *Engine) saveState(ctx context.Context) bool {
	snap, err := e.det.Snapshot()
	if err == nil {
		err = e.st.Update(ctx, func(tx store.Tx) error { return tx.SaveMonitorState(ctx, e.opt.Node, e.cursor, snap) })
	}
	if errors.Is(err, store.ErrConflict) {
		e.leader.Store(false)
		e.log.Warn("monitor: lease taken over by another node; standing by")
		return false
	}
	if err != nil {
		e.log.Warn("monitor: saving detector state failed", "err", err)
		return false
	}
	return true
}

// step raises the pending findings, then reads and processes one batch of
// audit records; it returns the number of records read.
func (e *Engine) step(ctx context.Context) (int, error) {
	for len(e.pending) > 0 {
		if err := e.raise(ctx, e.pending[0]); err != nil {
			return 0, err
		}
		e.pending = e.pending[1:]
	}
	var recs []store.AuditRecord
	err := e.st.View(ctx, func(tx store.Tx) error {
		var err error
		recs, err = tx.ListAudit(ctx, e.cursor+1, e.opt.BatchSize)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read audit log: %w", err)
	}
	for i, r := range recs {
		ev, err := ParseEvent(r)
		if err != nil {
			e.log.Error("monitor: skipping an unreadable audit record", "seq", r.Seq, "err", err)
			e.cursor = r.Seq
			continue
		}
		e.pending = append(e.pending, e.det.Observe(ev)...)
		e.cursor = r.Seq
		for len(e.pending) > 0 {
			if err := e.raise(ctx, e.pending[0]); err != nil {
				return i + 1, err
			}
			e.pending = e.pending[1:]
		}
	}
	return len(recs), nil
}

// raise stores a finding as an alert (once: by its dedup key), audits it,
// queues its delivery and, if the rule asks, contains the actor.
func (e *Engine) raise(ctx context.Context, f Finding) error {
	sctx := systemContext(ctx)
	a := store.Alert{ID: uuid.Must(uuid.NewV7()).String(), DedupKey: f.DedupKey, Rule: f.Rule, Severity: string(f.Severity),
		ActorID: f.ActorID, SourceIP: f.SourceIP, Summary: f.Summary, Evidence: f.Evidence, Status: StatusOpen,
		CreatedAt: time.Now().UTC()}
	var isNew bool
	err := e.st.Update(sctx, func(tx store.Tx) error {
		var err error
		if isNew, err = tx.InsertAlert(sctx, a); err != nil || !isNew {
			return err
		}
		ev := audit.NewEvent(sctx, "alert.raised", "alert/"+a.ID, audit.Success)
		ev.Details = map[string]any{"rule": a.Rule, "severity": a.Severity, "actor_id": a.ActorID,
			"source_ip": a.SourceIP, "evidence": a.Evidence, "trigger_time": f.Time.Format(time.RFC3339Nano)}
		if err := audit.Append(sctx, tx, ev); err != nil {
			return err
		}
		for _, ch := range e.channels() {
			if err := tx.EnqueueAlertDelivery(sctx, ch.key(a.ID), a.CreatedAt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("raise %s alert: %w", f.Rule, err)
	}
	if !isNew {
		return nil
	}
	e.log.Warn("monitor: alert", "id", a.ID, "rule", a.Rule, "severity", a.Severity, "actor", a.ActorID, "source_ip", a.SourceIP)
	if f.Contain && e.opt.Containment != nil {
		a.Contained = e.contain(sctx, a)
	}
	if len(e.channels()) > 0 {
		select {
		case e.wake <- struct{}{}:
		default:
		}
	}
	if e.opt.OnAlert != nil {
		e.opt.OnAlert(a)
	}
	return nil
}

// contain locks the alert's actor and audits the outcome.
func (e *Engine) contain(ctx context.Context, a store.Alert) bool {
	err := e.opt.Containment.Lock(ctx, a.ActorID, "alert "+a.ID+" ("+a.Rule+")")
	ev := audit.NewEvent(ctx, "containment.lock", "actor/"+a.ActorID, audit.Success)
	ev.Details = map[string]any{"alert_id": a.ID, "rule": a.Rule}
	switch {
	case errors.Is(err, ErrNotLockable):
		ev.Outcome, ev.Reason = audit.Invalid, "not_lockable"
	case err != nil:
		ev.Outcome, ev.Reason = audit.Failure, "lock_failed"
		e.log.Error("monitor: containment failed", "alert", a.ID, "actor", a.ActorID, "err", err)
	}
	aerr := e.st.Update(ctx, func(tx store.Tx) error {
		if err == nil {
			if err := tx.MarkAlertContained(ctx, a.ID); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, ev)
	})
	if aerr != nil {
		e.log.Error("monitor: could not record containment", "alert", a.ID, "err", aerr)
	}
	return err == nil
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
