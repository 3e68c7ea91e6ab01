package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"github.com/confide-cc/confide/internal/store"
)

// HashSize is the size of every tree hash (SHA-256).
const HashSize = 32

// hasher is the RFC 6962 hasher: leaf = SHA-256(0x00 || data), node =
// SHA-256(0x01 || left || right), empty tree = SHA-256("").
var hasher = rfc6962.DefaultHasher

// rangeFactory builds compact ranges with RFC 6962 node hashing.
var rangeFactory = compact.RangeFactory{Hash: hasher.HashChildren}

// maxIntegrate bounds the leaves one Integrate adds, which bounds the
// memory and the duration of its write transaction.
const maxIntegrate = 50_000

// ErrTampered is wrapped by the errors of a log whose stored state does
// not match its signed checkpoints: the server refuses to extend it.
var ErrTampered = errors.New("audit: the stored audit log does not match its signed checkpoint")

// Signer signs checkpoints. vault.NoteSigner implements it.
type Signer interface {
	note.Signer
	// Verifier returns the verifier of the signatures.
	Verifier() note.Verifier
	// VerifierKey returns the verifier key in the standard note form.
	VerifierKey() string
}

// Log is the Merkle tree over the audit records of one store: it
// integrates new records into the tree, signs checkpoints and answers
// proofs. Several nodes may run one Log each over a shared database: a
// given tree size is integrated and signed by exactly one of them.
type Log struct {
	st      store.Store
	origin  string
	signer  Signer
	log     *slog.Logger
	witness []Witness
	// witnessEvery spaces the checkpoints published to witnesses;
	// lastWitness is when one was last published (Unix ns).
	witnessEvery time.Duration
	lastWitness  atomic.Int64
	reverify     time.Duration
	archive      *Archive
	policy       Retention
	tampered     atomic.Bool
	status       statusCell
}

// Options configure a Log.
type Options struct {
	Logger *slog.Logger
	// WitnessDir, if set, receives every checkpoint this node signs (see
	// WriteWitness).
	WitnessDir string
	// Witnesses receive the checkpoints this node signs, besides
	// WitnessDir.
	Witnesses []Witness
	// WitnessEvery: a checkpoint is published to the witnesses if none
	// was in this long (DefaultWitnessEvery if zero; negative: every
	// checkpoint). A history rewritten before any witnessed size is found.
	WitnessEvery time.Duration
	// ReverifyEvery is how often Run verifies the whole log again after
	// the verification it starts with (DefaultReverifyEvery if zero;
	// negative: only at start).
	ReverifyEvery time.Duration
	// Archive receives archived records; Retention says when (Run
	// applies it every RetentionEvery; nothing is archived or expired if
	// Retention is zero).
	Archive   *Archive
	Retention Retention
}

// DefaultWitnessEvery is how often a node publishes a checkpoint to its
// witnesses while events arrive: about 8,600 copies a day, not one per
// checkpoint (up to 5 a second).
const DefaultWitnessEvery = 10 * time.Second

// DefaultReverifyEvery is how often a node re-verifies the whole log.
const DefaultReverifyEvery = 24 * time.Hour

// Origin returns the origin (checkpoint name) of the log in st.
func Origin(ctx context.Context, st store.Store) (string, error) {
	var s store.AuditTreeState
	err := st.View(ctx, func(tx store.Tx) error {
		var err error
		s, err = tx.AuditTreeState(ctx)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("audit: read tree state: %w", err)
	}
	return s.Origin, nil
}

// NewLog returns the Log of st with origin (see Origin), signing with
// signer, whose key name should be the origin.
func NewLog(st store.Store, origin string, signer Signer, opts Options) *Log {
	lg := opts.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	every := opts.ReverifyEvery
	if every == 0 {
		every = DefaultReverifyEvery
	}
	witnesses := opts.Witnesses
	if opts.WitnessDir != "" {
		witnesses = append([]Witness{DirWitness(opts.WitnessDir)}, witnesses...)
	}
	witnessEvery := opts.WitnessEvery
	if witnessEvery == 0 {
		witnessEvery = DefaultWitnessEvery
	}
	return &Log{st: st, origin: origin, signer: signer, log: lg, witness: witnesses, reverify: every,
		witnessEvery: witnessEvery, archive: opts.Archive, policy: opts.Retention}
}

// Origin returns the log's origin.
func (l *Log) Origin() string { return l.origin }

// Verifier returns the checkpoint verifier.
func (l *Log) Verifier() note.Verifier { return l.signer.Verifier() }

// VerifierKey returns the checkpoint verifier key in the standard note
// form ("<name>+<hash>+<base64 key>").
func (l *Log) VerifierKey() string { return l.signer.VerifierKey() }

// snapshot is the tree state and the latest checkpoint, read together.
type snapshot struct {
	state store.AuditTreeState
	cp    *store.AuditCheckpoint // nil before the first checkpoint
	head  int64                  // last appended record
}

func (l *Log) snapshot(ctx context.Context) (snapshot, error) {
	var s snapshot
	err := l.st.View(ctx, func(tx store.Tx) error {
		var err error
		if s.state, err = tx.AuditTreeState(ctx); err != nil {
			return err
		}
		switch cp, err := tx.LatestAuditCheckpoint(ctx); {
		case err == nil:
			s.cp = &cp
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		s.head, _, err = tx.AuditHead(ctx)
		return err
	})
	if err != nil {
		return snapshot{}, fmt.Errorf("audit: read tree state: %w", err)
	}
	return s, nil
}

// checkState verifies that the stored tree state is the one the latest
// checkpoint signed.
func (l *Log) checkState(s snapshot) error {
	r, err := rangeFactory.NewRange(0, uint64(s.state.Size), s.state.Range)
	if err != nil {
		return fmt.Errorf("%w: stored compact range is malformed: %v", ErrTampered, err)
	}
	root, err := rootOf(r)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrTampered, err)
	}
	if s.cp == nil {
		if s.state.Size != 0 {
			return fmt.Errorf("%w: the tree has %d leaves but no checkpoint", ErrTampered, s.state.Size)
		}
		return nil
	}
	c, err := OpenCheckpoint(s.cp.Note, l.Verifier(), l.origin)
	if err != nil {
		return fmt.Errorf("%w: latest checkpoint: %w", ErrTampered, err)
	}
	if c.Size != uint64(s.cp.Size) || c.Size != uint64(s.state.Size) || !bytes.Equal(c.Hash, root) {
		return fmt.Errorf("%w: tree state (size %d) differs from the latest checkpoint (size %d)", ErrTampered, s.state.Size, c.Size)
	}
	return nil
}

// rootOf returns the root hash of the tree that r covers, which must
// begin at 0.
func rootOf(r *compact.Range) ([]byte, error) {
	if r.End() == 0 {
		return hasher.EmptyRoot(), nil
	}
	return r.GetRootHash(nil)
}

// Integrate adds the records appended since the last checkpoint (at most
// maxIntegrate of them) to the tree and signs a checkpoint of the new
// size, in one transaction. It returns the latest signed note and its
// size. It first checks that the stored tree matches the latest
// checkpoint, and fails with ErrTampered, for good, if it does not. If
// another node integrated the same records first, Integrate returns
// without error and the next call goes on from the new size.
func (l *Log) Integrate(ctx context.Context) (note []byte, size int64, err error) {
	if l.tampered.Load() {
		return nil, 0, fmt.Errorf("%w (detected earlier; restart after investigating)", ErrTampered)
	}
	s, err := l.snapshot(ctx)
	if err != nil {
		return nil, 0, err
	}
	if err := l.checkState(s); err != nil {
		l.tampered.Store(true)
		return nil, 0, err
	}
	if s.cp != nil && s.head == s.state.Size {
		l.status.update(func(st *Status) { st.Head, st.CheckpointSize, st.LastIntegrate = s.head, s.cp.Size, time.Now() })
		return s.cp.Note, s.cp.Size, nil // nothing new
	}
	r, err := rangeFactory.NewRange(0, uint64(s.state.Size), s.state.Range)
	if err != nil {
		return nil, 0, err
	}
	var nodes []store.AuditNode
	visit := func(id compact.NodeID, hash []byte) {
		nodes = append(nodes, store.AuditNode{Level: int(id.Level), Index: int64(id.Index), Hash: hash})
	}
	end := min(s.head, s.state.Size+maxIntegrate)
	err = l.eachRecord(ctx, s.state.Size+1, end, func(rec store.AuditRecord) error {
		return r.Append(hasher.HashLeaf(rec.Body), visit)
	})
	if ve := (*VerifyError)(nil); errors.As(err, &ve) {
		return nil, 0, fmt.Errorf("%w: %w", ErrTampered, err)
	}
	if err != nil {
		return nil, 0, err
	}
	root, err := rootOf(r)
	if err != nil {
		return nil, 0, err
	}
	msg, err := SignCheckpoint(Checkpoint{Origin: l.origin, Size: r.End(), Hash: root}, l.signer)
	if err != nil {
		return nil, 0, err
	}
	next := store.AuditTreeState{Origin: s.state.Origin, Size: int64(r.End()), Range: r.Hashes()}
	cp := store.AuditCheckpoint{Size: next.Size, Note: msg, CreatedAt: time.Now()}
	err = l.st.Update(ctx, func(tx store.Tx) error {
		if err := tx.AdvanceAuditTree(ctx, s.state.Size, next, nodes); err != nil {
			return err
		}
		return tx.InsertAuditCheckpoint(ctx, cp)
	})
	if errors.Is(err, store.ErrConflict) {
		return nil, 0, nil // another node integrated these records first
	}
	if err != nil {
		return nil, 0, fmt.Errorf("audit: store tree: %w", err)
	}
	l.publish(ctx, cp)
	l.status.update(func(st *Status) {
		st.Head, st.CheckpointSize = s.head, cp.Size
		if cp.Size == s.head {
			st.LastIntegrate = cp.CreatedAt
		}
	})
	return msg, cp.Size, nil
}

// publish sends cp to the witnesses unless one was published less than
// witnessEvery ago (by this node).
func (l *Log) publish(ctx context.Context, cp store.AuditCheckpoint) {
	if len(l.witness) == 0 {
		return
	}
	last, now := l.lastWitness.Load(), cp.CreatedAt.UnixNano()
	if l.witnessEvery > 0 && (now-last < int64(l.witnessEvery) || !l.lastWitness.CompareAndSwap(last, now)) {
		return
	}
	l.lastWitness.Store(now)
	for _, w := range l.witness {
		if err := w.Publish(ctx, cp.Size, cp.Note); err != nil {
			l.log.Error("could not publish a checkpoint to a witness", "witness", w.Describe(), "size", cp.Size, "err", err)
		}
	}
}

// recordPage is how many records one read of eachRecord returns.
const recordPage = 5000

// eachRecord calls fn with the records of seq from to to (inclusive), in
// order, reading them a page at a time. A missing or out-of-order record
// is a *VerifyError naming its leaf index (seq - 1).
func (l *Log) eachRecord(ctx context.Context, from, to int64, fn func(store.AuditRecord) error) error {
	for next := from; next <= to; {
		recs, err := l.list(ctx, next, int(min(to-next+1, recordPage)))
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return &VerifyError{Index: next - 1, Problem: "record is missing"}
		}
		for _, rec := range recs {
			if rec.Seq != next {
				return &VerifyError{Index: next - 1, Problem: fmt.Sprintf("missing or out-of-order record (found seq %d)", rec.Seq)}
			}
			if err := fn(rec); err != nil {
				return err
			}
			next++
		}
	}
	return nil
}

func (l *Log) list(ctx context.Context, from int64, n int) ([]store.AuditRecord, error) {
	var recs []store.AuditRecord
	err := l.st.View(ctx, func(tx store.Tx) error {
		var err error
		recs, err = tx.ListAudit(ctx, from, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: read records: %w", err)
	}
	return recs, nil
}

// Latest returns the latest signed checkpoint note and its size; (nil, 0)
// before the first one.
func (l *Log) Latest(ctx context.Context) ([]byte, int64, error) {
	var cp store.AuditCheckpoint
	err := l.st.View(ctx, func(tx store.Tx) error {
		var err error
		cp, err = tx.LatestAuditCheckpoint(ctx)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("audit: read checkpoint: %w", err)
	}
	return cp.Note, cp.Size, nil
}

// Record appends ev in a transaction of its own: the event of an access to
// the audit log itself. The records it adds are integrated like any other;
// nothing the Log does on its own (integrating, signing) is audited, so
// auditing never feeds itself.
func (l *Log) Record(ctx context.Context, ev Event) error {
	if err := l.st.Update(ctx, func(tx store.Tx) error { return Append(ctx, tx, ev) }); err != nil {
		return fmt.Errorf("audit: record access: %w", err)
	}
	return nil
}

// MaxSearch bounds the records one Search returns.
const MaxSearch = 500

// Search returns up to q.Limit (at most MaxSearch) entries matching q, in
// index order.
func (l *Log) Search(ctx context.Context, q store.AuditQuery) ([]Entry, error) {
	q.Limit = min(max(q.Limit, 1), MaxSearch)
	var recs []store.AuditRecord
	err := l.st.View(ctx, func(tx store.Tx) error {
		var err error
		recs, err = tx.SearchAudit(ctx, q)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: search: %w", err)
	}
	out := make([]Entry, len(recs))
	for i, r := range recs {
		out[i] = Entry{Index: r.Seq - 1, Data: r.Body}
	}
	return out, nil
}
