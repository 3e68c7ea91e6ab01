package audit

import (
	"context"
	"errors"
	"time"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// CheckpointInterval is how often Run integrates new records and signs a
// checkpoint: every record is covered by a signed checkpoint within about
// this interval plus the time one Integrate takes.
const CheckpointInterval = 200 * time.Millisecond

// Run is the checkpointer of one node. It integrates new records and signs
// a checkpoint every interval until ctx ends. Nodes sharing a database may
// all run it: each tree size is signed once.
//
// Each Integrate checks, in constant time, that the stored tree matches the
// latest signed checkpoint. A full verification (Verify: every record's
// chain link and every checkpoint's root recomputed) runs in the
// background at start and again every ReverifyEvery, so a large log does
// not hold back the first checkpoint after a restart.
//
// If either check fails, Run logs a critical error, appends an audit.tamper
// event and returns: the node stops extending the log (requests still
// append events, which a restart after investigation integrates).
func (l *Log) Run(ctx context.Context, interval time.Duration) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	failed := make(chan error, 1)
	go l.verifyLoop(ctx, failed)
	if l.policy != (Retention{}) {
		go l.retentionLoop(ctx, failed)
	}

	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, _, err := l.Integrate(ctx); err != nil {
			switch {
			case ctx.Err() != nil:
				return
			case errors.Is(err, ErrTampered):
				l.tamperDetected(ctx, err)
				return
			default:
				l.log.Warn("audit checkpoint failed; will retry", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case err := <-failed:
			l.tamperDetected(ctx, err)
			return
		case <-t.C:
		}
	}
}

// verifyLoop verifies the whole log now and every l.reverify, and sends
// the first failure on failed.
func (l *Log) verifyLoop(ctx context.Context, failed chan<- error) {
	for {
		l.status.update(func(s *Status) { s.Verifying = true })
		start := time.Now()
		rep, err := Verify(ctx, l.st, l.Verifier())
		l.status.update(func(s *Status) {
			s.Verifying = false
			if err == nil {
				s.LastVerified, s.VerifiedSize = time.Now(), rep.Records
			}
		})
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			report(ctx, failed, err)
			return
		}
		l.log.Info("audit log verified", "records", rep.Records, "checkpoints", rep.Checkpoints, "duration", time.Since(start).Round(time.Millisecond))
		if l.reverify < 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(l.reverify):
		}
	}
}

// RetentionEvery is how often Run applies the retention policy.
const RetentionEvery = time.Hour

// retentionLoop applies the retention policy now and every
// RetentionEvery, and sends a tampering it finds on failed.
func (l *Log) retentionLoop(ctx context.Context, failed chan<- error) {
	for {
		res, err := l.ApplyRetention(ctx, l.policy, time.Now())
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, ErrTampered):
			report(ctx, failed, err)
			return
		case err != nil:
			l.log.Error("audit retention failed; will retry", "err", err)
		case len(res.Archived) > 0 || res.Expired.End > 0:
			l.log.Info("audit retention applied", "archived_segments", len(res.Archived), "expired_end", res.Expired.End)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(RetentionEvery):
		}
	}
}

// report sends err on failed unless ctx ends first.
func report(ctx context.Context, failed chan<- error, err error) {
	select {
	case failed <- err:
	case <-ctx.Done():
	}
}

// tamperDetected raises the alarm about err.
func (l *Log) tamperDetected(ctx context.Context, err error) {
	l.tampered.Store(true)
	l.log.Error("CRITICAL: the audit log fails verification; no further checkpoints will be signed until it is investigated and the node restarted",
		"severity", "critical", "err", err)
	ctx = identity.WithPrincipal(context.WithoutCancel(ctx), identity.Principal{ID: "system:audit", Kind: identity.KindSystem})
	ev := NewEvent(ctx, "audit.tamper", "audit", Failure)
	ev.Reason = "verification_failed"
	if errors.Is(err, ErrTampered) {
		ev.Reason = "tree_state_mismatch" // found by Integrate's check
	}
	var ve *VerifyError
	if errors.As(err, &ve) {
		ev.Details = map[string]any{"index": ve.Index}
	}
	if aerr := l.st.Update(ctx, func(tx store.Tx) error { return Append(ctx, tx, ev) }); aerr != nil {
		l.log.Error("could not record the audit.tamper event", "err", aerr)
	}
}

// Tampered reports whether this node has found the log tampered with.
func (l *Log) Tampered() bool { return l.tampered.Load() }
