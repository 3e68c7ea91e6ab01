package siem

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// RunnerOptions configure a Runner. Zero values take the defaults.
type RunnerOptions struct {
	// Holder names this node in the cursor leases; it must differ between
	// nodes sharing a database (default: a random name).
	Holder string
	Logger *slog.Logger
	// BatchSize is the most records one Send carries (default 500).
	BatchSize int
	// PollInterval is how often a sink that has caught up looks for new
	// records, and how often a node without the lease asks for it again
	// (default 1s).
	PollInterval time.Duration
	// Lease is how long a node may deliver to a sink without renewing its
	// lease; a node that dies holds the sink for at most this long
	// (default 30s). A Send must finish within the lease.
	Lease time.Duration
	// MinBackoff and MaxBackoff bound the wait after a failed delivery,
	// which doubles from MinBackoff up to MaxBackoff (defaults 500ms, 1m).
	MinBackoff, MaxBackoff time.Duration
	// Observe, if set, is called after each delivery attempt (metrics).
	Observe func(sink string, records int, err error)
}

// Runner delivers the audit log to sinks, at least once and in order:
// for each sink it reads the records after the sink's cursor, sends them,
// and only then advances the cursor in the database.
type Runner struct {
	st    store.Store
	sinks []Sink
	o     RunnerOptions
}

// NewRunner returns a runner feeding sinks from the audit log in st.
func NewRunner(st store.Store, sinks []Sink, o RunnerOptions) *Runner {
	if o.Holder == "" {
		o.Holder = "node-" + randomName()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.Lease <= 0 {
		o.Lease = 30 * time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 500 * time.Millisecond
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(time.Minute, o.MinBackoff)
	}
	return &Runner{st: st, sinks: sinks, o: o}
}

// Run delivers to every sink until ctx is done, then releases its leases
// and closes the sinks.
func (r *Runner) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, s := range r.sinks {
		wg.Go(func() {
			defer s.Close()
			d := &delivery{r: r, sink: s, name: s.Name(), log: r.o.Logger.With("sink", s.Name())}
			d.run(ctx)
		})
	}
	wg.Wait()
}

// delivery is the state of one sink's loop.
type delivery struct {
	r    *Runner
	sink Sink
	name string
	log  *slog.Logger

	seq        int64     // the cursor, valid while leaseUntil is in the future
	leaseUntil time.Time // zero: no lease held
	failures   int       // consecutive failed attempts
}

func (d *delivery) run(ctx context.Context) {
	defer d.release()
	for ctx.Err() == nil {
		wait := d.step(ctx)
		if wait > 0 {
			sleep(ctx, wait)
		}
	}
}

// step makes one attempt and returns how long to wait before the next.
func (d *delivery) step(ctx context.Context) time.Duration {
	o := d.r.o
	if time.Until(d.leaseUntil) < o.Lease/2 {
		if err := d.lease(ctx); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return o.PollInterval // another node delivers
			}
			return d.fail(ctx, "cannot take the delivery lease", err)
		}
	}
	var recs []store.AuditRecord
	err := d.r.st.View(ctx, func(tx store.Tx) error {
		var err error
		recs, err = tx.ListAudit(ctx, d.seq+1, o.BatchSize)
		return err
	})
	if err != nil {
		return d.fail(ctx, "cannot read the audit log", err)
	}
	if len(recs) == 0 {
		return o.PollInterval
	}
	if first := recs[0].Seq; first > d.seq+1 {
		// The audit retention policy archived these records before the
		// sink received them (it was down for longer than the hot period).
		d.log.Error("audit records were archived before delivery to this sink; export them with confide audit export",
			"from_seq", d.seq+1, "to_seq", first-1)
	}
	batch := make([]Record, len(recs))
	for i, rec := range recs {
		batch[i] = FromAudit(rec)
	}
	// The send must end while the lease holds, or the cursor cannot move.
	sendCtx, cancel := context.WithDeadline(ctx, d.leaseUntil)
	err = d.sink.Send(sendCtx, batch)
	cancel()
	if o.Observe != nil {
		o.Observe(d.name, len(batch), err)
	}
	if err != nil {
		return d.fail(ctx, "delivery failed; the batch will be sent again", err)
	}
	last := batch[len(batch)-1].Seq
	err = d.r.st.Update(ctx, func(tx store.Tx) error {
		return tx.AdvanceSIEMCursor(ctx, d.name, o.Holder, last, time.Now())
	})
	if err != nil {
		d.leaseUntil = time.Time{}
		if errors.Is(err, store.ErrConflict) {
			d.log.Warn("lost the delivery lease during a send; another node may deliver the batch again")
			return 0
		}
		return d.fail(ctx, "cannot advance the cursor; the batch will be sent again", err)
	}
	if d.failures > 0 {
		d.log.Info("delivery resumed", "after_failures", d.failures)
	}
	d.seq, d.failures = last, 0
	if len(recs) < o.BatchSize {
		return o.PollInterval
	}
	return 0
}

// lease takes or renews the sink's lease and reloads its cursor.
func (d *delivery) lease(ctx context.Context) error {
	now := time.Now()
	until := now.Add(d.r.o.Lease)
	var c store.SIEMCursor
	err := d.r.st.Update(ctx, func(tx store.Tx) error {
		var err error
		c, err = tx.LeaseSIEMCursor(ctx, d.name, d.r.o.Holder, now, until)
		return err
	})
	if err != nil {
		d.leaseUntil = time.Time{}
		return err
	}
	if d.leaseUntil.IsZero() {
		d.log.Info("delivering", "from_seq", c.Seq+1)
	}
	d.seq, d.leaseUntil = c.Seq, until
	return nil
}

// release gives the lease up so that another node can take over at once.
func (d *delivery) release() {
	if d.leaseUntil.IsZero() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := d.r.st.Update(ctx, func(tx store.Tx) error {
		return tx.ReleaseSIEMCursor(ctx, d.name, d.r.o.Holder)
	})
	if err != nil {
		d.log.Warn("cannot release the delivery lease; it will expire", "err", err)
	}
	d.leaseUntil = time.Time{}
}

// fail logs a failed attempt and returns the backoff before the next one:
// doubling from MinBackoff to MaxBackoff with up to 25% jitter, or the
// destination's Retry-After if longer.
func (d *delivery) fail(ctx context.Context, msg string, err error) time.Duration {
	if ctx.Err() != nil {
		return 0
	}
	o := d.r.o
	d.failures++
	wait := o.MinBackoff << min(d.failures-1, 30)
	if wait <= 0 || wait > o.MaxBackoff {
		wait = o.MaxBackoff
	}
	wait -= time.Duration(rand.Int64N(int64(wait)/4 + 1))
	var ra retryAfterError
	if errors.As(err, &ra) && ra.RetryAfter() > wait {
		wait = min(ra.RetryAfter(), o.MaxBackoff)
	}
	d.log.Warn(msg, "err", err, "failures", d.failures, "retry_in", wait)
	return wait
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// randomName returns 12 random hex digits.
func randomName() string {
	const hex = "0123456789abcdef"
	b := make([]byte, 12)
	for i := range b {
		b[i] = hex[rand.IntN(16)]
	}
	return string(b)
}
