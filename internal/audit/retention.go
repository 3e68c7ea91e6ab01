package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/transparency-dev/merkle/compact"

	"github.com/confide-cc/confide/internal/blob"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/vault"
)

// Retention is the audit log's retention policy (docs/AUDIT.md,
// Retention). Records older than Hot move from the database to encrypted
// archive segments in the blob store; archived records older than Keep
// are deleted for good. Neither ever rewrites the tree: its node hashes
// stay, so checkpoints, proofs and exports still verify.
type Retention struct {
	// Hot: younger records stay in the database, searchable (0: until
	// Keep).
	Hot time.Duration
	// Keep: older records are deleted (0: kept forever).
	Keep time.Duration
}

// archiveAge is the age from which records are archived (0: never).
func (p Retention) archiveAge() time.Duration {
	if p.Hot == 0 || (p.Keep > 0 && p.Hot > p.Keep) {
		return p.Keep
	}
	return p.Hot
}

// Archive is where archive segments go: the blob store, encrypted under a
// keyset of their own that the vault wraps with the KEK.
type Archive struct {
	Blobs blob.Store
	Vault *vault.Vault
}

// maxSegment bounds the leaves of one archive segment (its boundaries are
// checkpoint sizes, at most maxIntegrate apart).
const maxSegment = 100_000

// Span is a range of leaves [Start, End).
type Span struct{ Start, End int64 }

// RetentionResult is what one ApplyRetention did.
type RetentionResult struct {
	Archived []Span // segments written, in order
	Expired  Span   // leaves deleted for good (empty if none)
}

// ErrNoArchive is returned when a retention step needs the archive and
// the Log has none.
var ErrNoArchive = errors.New("audit: no archive is configured (Options.Archive)")

// ErrArchived is wrapped when asked entries are no longer in the
// database: they are archived (exports still include them) or expired.
var ErrArchived = errors.New("audit: entries archived")

// ApplyRetention archives and expires what p says is due at now. Nodes
// sharing a database may run it at once: each step is a compare-and-swap,
// and the loser discards its work. Each step appends an audit.archive or
// audit.expire event, so the log itself records, under signed
// checkpoints, which of its leaves left the database (Verify checks it).
func (l *Log) ApplyRetention(ctx context.Context, p Retention, now time.Time) (RetentionResult, error) {
	var res RetentionResult
	if l.tampered.Load() {
		return res, fmt.Errorf("%w (detected earlier; retention is suspended)", ErrTampered)
	}
	age := p.archiveAge()
	if age <= 0 {
		return res, nil
	}
	if l.archive == nil {
		return res, ErrNoArchive
	}
	ctx = identity.WithPrincipal(ctx, identity.Principal{ID: "system:audit", Kind: identity.KindSystem})
	for {
		span, err := l.archiveNext(ctx, now.Add(-age))
		if err != nil {
			return res, err
		}
		if span.End == 0 {
			break
		}
		res.Archived = append(res.Archived, span)
	}
	if p.Keep > 0 {
		var err error
		if res.Expired, err = l.expire(ctx, now.Add(-p.Keep)); err != nil {
			return res, err
		}
	}
	return res, nil
}

// archiveNext archives the records from the archive's end up to the
// largest checkpoint signed before cutoff (at most maxSegment leaves). It
// returns an empty span when nothing is due, or another node won.
func (l *Log) archiveNext(ctx context.Context, cutoff time.Time) (Span, error) {
	var (
		rs store.AuditRetentionState
		cp store.AuditCheckpoint
	)
	err := l.st.View(ctx, func(tx store.Tx) error {
		var err error
		if rs, err = tx.AuditRetentionState(ctx); err != nil {
			return err
		}
		cp, err = tx.AuditCheckpointBefore(ctx, rs.ArchivedSize, rs.ArchivedSize+maxSegment, cutoff)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return Span{}, nil
	}
	if err != nil {
		return Span{}, fmt.Errorf("audit: archive: %w", err)
	}
	c, err := OpenCheckpoint(cp.Note, l.Verifier(), l.origin)
	if err != nil || c.Size != uint64(cp.Size) {
		return Span{}, fmt.Errorf("%w: checkpoint of size %d: %v", ErrTampered, cp.Size, err)
	}
	span := Span{rs.ArchivedSize, cp.Size}
	seg, endHash, err := l.writeSegment(ctx, rs, cp, c)
	if err != nil {
		if now, _, serr := readRetention(ctx, l.st); serr == nil && now.ArchivedSize != rs.ArchivedSize {
			return Span{}, nil // another node archived (and deleted) these records meanwhile
		}
		return Span{}, err
	}
	err = l.recordRetention(ctx, "audit.archive", span, func(tx store.Tx) error {
		return tx.ArchiveAudit(ctx, seg, endHash)
	})
	if err != nil {
		l.deleteBlob(ctx, seg.BlobKey)
		if errors.Is(err, store.ErrConflict) {
			return Span{}, nil // another node archived these records
		}
		return Span{}, fmt.Errorf("audit: archive: %w", err)
	}
	l.log.Info("audit records archived", "start", span.Start, "end", span.End, "blob", seg.BlobKey)
	return span, nil
}

// writeSegment writes the leaves (rs.ArchivedSize, c.Size] to a new
// encrypted blob, checking the records' chain links and that they and the
// stored hashes before them make the signed root of c, the opened
// checkpoint cp. It returns the
// segment and the chain hash of its last record.
func (l *Log) writeSegment(ctx context.Context, rs store.AuditRetentionState, cp store.AuditCheckpoint, c Checkpoint) (store.AuditSegment, []byte, error) {
	seg := store.AuditSegment{Start: rs.ArchivedSize, End: cp.Size, NewestAt: cp.CreatedAt, CreatedAt: time.Now()}
	seg.BlobKey = segmentKey(seg.Start, seg.End)
	keys, wrapped, _, err := l.archive.Vault.NewCustomerKeys(seg.BlobKey)
	if err != nil {
		return seg, nil, fmt.Errorf("audit: archive keys: %w", err)
	}
	seg.Keyset = wrapped
	r, err := prefixRange(ctx, l.st, seg.Start)
	if err != nil {
		return seg, nil, err
	}
	pr, pw := io.Pipe()
	type putResult struct {
		n   int64
		err error
	}
	put := make(chan putResult, 1)
	go func(key string) {
		n, err := l.archive.Blobs.Put(ctx, key, pr)
		pr.CloseWithError(err)
		put <- putResult{n, err}
	}(seg.BlobKey)
	endHash, werr := l.encryptLeaves(ctx, pw, keys, seg, rs.ArchivedHash, r)
	pw.CloseWithError(werr)
	res := <-put
	if seg.BlobSize = res.n; werr == nil && res.err != nil {
		werr = fmt.Errorf("audit: archive blob: %w", res.err)
	}
	if werr == nil {
		var root []byte
		if root, werr = rootOf(r); werr == nil && !bytes.Equal(root, c.Hash) {
			werr = fmt.Errorf("%w: the records before index %d do not make the signed root of size %d (run confide audit verify)", ErrTampered, seg.End, c.Size)
		}
	}
	if werr != nil {
		l.deleteBlob(ctx, seg.BlobKey)
		return seg, nil, werr
	}
	return seg, endHash, nil
}

// encryptLeaves writes the records of seg as base64 lines, encrypted, to
// w, appending their leaf hashes to r, and returns the chain hash of the
// last one.
func (l *Log) encryptLeaves(ctx context.Context, w io.Writer, keys *vault.CustomerKeys, seg store.AuditSegment, prev []byte, r *compact.Range) ([]byte, error) {
	ew, err := keys.EncryptBlob(w, seg.BlobKey)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(ew, 1<<20)
	err = l.eachRecord(ctx, seg.Start+1, seg.End, func(rec store.AuditRecord) error {
		if problem := chainProblem(rec, prev); problem != "" {
			return &VerifyError{Index: rec.Seq - 1, Problem: problem}
		}
		if err := r.Append(hasher.HashLeaf(rec.Body), nil); err != nil {
			return err
		}
		if _, err := bw.Write(leafLine(rec.Body)); err != nil {
			return err
		}
		prev = rec.Hash
		return nil
	})
	if ve := (*VerifyError)(nil); errors.As(err, &ve) {
		return nil, fmt.Errorf("%w: %w (run confide audit verify)", ErrTampered, err)
	}
	if err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	return prev, ew.Close()
}

// leafLine is the export line of a leaf: its standard base64 and "\n".
func leafLine(data []byte) []byte {
	enc := base64.StdEncoding
	line := make([]byte, enc.EncodedLen(len(data))+1)
	enc.Encode(line, data)
	line[len(line)-1] = '\n'
	return line
}

// segmentKey names a new segment's blob; the random part keeps two nodes
// archiving the same span at once from overwriting each other's blob.
func segmentKey(start, end int64) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("audit-archive/%020d-%020d-%s", start, end, hex.EncodeToString(b[:]))
}

func (l *Log) deleteBlob(ctx context.Context, key string) {
	if err := l.archive.Blobs.Delete(context.WithoutCancel(ctx), key); err != nil {
		l.log.Warn("could not delete an audit archive blob (its keyset is gone, so it cannot be read)", "blob", key, "err", err)
	}
}

// recordRetention runs step, which moves the leaves of span out of the
// database or the archive, and appends its event in the same transaction.
// The event gives the span and the retention state after the step: the
// log's latest retention event always states the current state (Verify
// checks it).
func (l *Log) recordRetention(ctx context.Context, action string, span Span, step func(store.Tx) error) error {
	return l.st.Update(ctx, func(tx store.Tx) error {
		if err := step(tx); err != nil {
			return err
		}
		rs, err := tx.AuditRetentionState(ctx)
		if err != nil {
			return err
		}
		ev := NewEvent(ctx, action, "audit", Success)
		ev.Details = map[string]any{"start": span.Start, "end": span.End, "archived": rs.ArchivedSize, "expired": rs.ExpiredSize}
		return Append(ctx, tx, ev)
	})
}

// expire deletes, for good, the archive segments (from the oldest,
// contiguously) whose newest record is older than cutoff.
func (l *Log) expire(ctx context.Context, cutoff time.Time) (Span, error) {
	rs, segs, err := readRetention(ctx, l.st)
	if err != nil {
		return Span{}, err
	}
	end, n := rs.ExpiredSize, 0
	for _, s := range segs {
		if s.Start != end || !s.NewestAt.Before(cutoff) {
			break
		}
		end, n = s.End, n+1
	}
	if n == 0 {
		return Span{}, nil
	}
	err = l.recordRetention(ctx, "audit.expire", Span{rs.ExpiredSize, end}, func(tx store.Tx) error {
		return tx.ExpireAudit(ctx, rs.ExpiredSize, end)
	})
	if errors.Is(err, store.ErrConflict) {
		return Span{}, nil // another node expired them
	}
	if err != nil {
		return Span{}, fmt.Errorf("audit: expire: %w", err)
	}
	for _, s := range segs[:n] {
		l.deleteBlob(ctx, s.BlobKey)
	}
	l.log.Info("audit records expired", "start", rs.ExpiredSize, "end", end)
	return Span{rs.ExpiredSize, end}, nil
}

// maxRetentionTries bounds how often underRetention runs its function.
const maxRetentionTries = 3

// underRetention runs fn, a read of the whole log, and runs it again while
// it fails and the retention state moved meanwhile: the records it read
// were archived or expired under it (by this node's retention step or
// another node's). It gives up after maxRetentionTries runs.
func underRetention(ctx context.Context, st store.Store, fn func() error) error {
	for try := 1; ; try++ {
		before, _, err := readRetention(ctx, st)
		if err != nil {
			return err
		}
		err = fn()
		if err == nil || try == maxRetentionTries {
			return err
		}
		after, _, rerr := readRetention(ctx, st)
		if rerr != nil || (after.ArchivedSize == before.ArchivedSize && after.ExpiredSize == before.ExpiredSize) {
			return err
		}
	}
}

// readRetention reads the retention state and the archive segments, in
// one transaction.
func readRetention(ctx context.Context, st store.Store) (store.AuditRetentionState, []store.AuditSegment, error) {
	var (
		rs   store.AuditRetentionState
		segs []store.AuditSegment
	)
	err := st.View(ctx, func(tx store.Tx) error {
		var err error
		if rs, err = tx.AuditRetentionState(ctx); err != nil {
			return err
		}
		segs, err = tx.ListAuditSegments(ctx)
		return err
	})
	if err != nil {
		return rs, nil, fmt.Errorf("audit: read retention state: %w", err)
	}
	return rs, segs, nil
}

// prefixRange returns the compact range [0, size) from the node hashes
// stored in st (size need not have leaves in the database any more).
func prefixRange(ctx context.Context, st store.Store, size int64) (*compact.Range, error) {
	if size == 0 {
		return rangeFactory.NewEmptyRange(0), nil
	}
	var ids []store.AuditNode
	for _, id := range compact.RangeNodes(0, uint64(size), nil) {
		ids = append(ids, store.AuditNode{Level: int(id.Level), Index: int64(id.Index)})
	}
	var hashes [][]byte
	err := st.View(ctx, func(tx store.Tx) error {
		var err error
		hashes, err = tx.AuditNodes(ctx, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: read the tree hashes before index %d: %w", size, err)
	}
	return rangeFactory.NewRange(0, uint64(size), hashes)
}

// openSegment decrypts an archive segment.
func (l *Log) openSegment(ctx context.Context, s store.AuditSegment) (io.Reader, func() error, error) {
	if l.archive == nil {
		return nil, nil, fmt.Errorf("%w: leaves [%d, %d) are archived", ErrNoArchive, s.Start, s.End)
	}
	keys, err := l.archive.Vault.OpenCustomerKeys(ctx, s.BlobKey, s.Keyset)
	if err != nil {
		return nil, nil, fmt.Errorf("audit: archive segment [%d, %d): %w", s.Start, s.End, err)
	}
	obj, err := l.archive.Blobs.Open(ctx, s.BlobKey)
	if err != nil {
		return nil, nil, fmt.Errorf("audit: archive segment [%d, %d): %w", s.Start, s.End, err)
	}
	br, err := keys.OpenBlob(obj, obj.Size(), s.BlobKey)
	if err != nil {
		obj.Close()
		return nil, nil, fmt.Errorf("audit: archive segment [%d, %d): %w", s.Start, s.End, err)
	}
	return br, obj.Close, nil
}
