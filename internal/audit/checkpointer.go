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

// Run is the checkpointer of one node. It verifies the whole log first
// (Verify), then integrates new records and signs a checkpoint every
// interval until ctx ends. Nodes sharing a database may all run it: each
// tree size is signed once. If the log fails verification, or the stored
// tree stops matching its latest checkpoint, Run logs a critical error,
// appends an audit.tamper event and stops extending the log (requests
// still append events, which a restart after investigation integrates).
func (l *Log) Run(ctx context.Context, interval time.Duration) {
	if _, err := Verify(ctx, l.st, l.Verifier()); err != nil {
		if ctx.Err() == nil {
			l.tamperDetected(ctx, err)
		}
		return
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
		case <-t.C:
		}
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
