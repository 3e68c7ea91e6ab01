package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"

	"github.com/confide-cc/confide/internal/store"
)

// VerifyError names the first leaf index (0-based; the record with seq
// Index+1) at which the log fails verification.
type VerifyError struct {
	Index   int64
	Problem string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("audit log broken at index %d: %s", e.Index, e.Problem)
}

// Report summarizes a verification that passed.
type Report struct {
	// Archived leaves, before the database's first record, were not read:
	// the stored hashes standing for them were checked against the signed
	// checkpoint of that size, and the retention events that moved them out
	// against the retention state.
	Archived    int64
	Records     int64 // size up to which every record's chain link verified
	Checkpoints int   // signed checkpoints whose root was recomputed
	Covered     int64 // size of the latest checkpoint: records covered by a signature
}

// Verify checks the whole audit log in st: the hash chain of every record,
// and, for every stored checkpoint, its signature by v and its root hash
// recomputed from the records. It returns a *VerifyError naming the first
// bad index if a record was edited, deleted, inserted or reordered, even
// if the attacker also rewrote the chain and the stored tree.
//
// Records that the retention policy archives while Verify reads them make
// it start again (underRetention).
func Verify(ctx context.Context, st store.Store, v note.Verifier) (Report, error) {
	var rep Report
	err := underRetention(ctx, st, func() error {
		var err error
		rep, err = verifyOnce(ctx, st, v)
		return err
	})
	return rep, err
}

// verifyOnce is one pass of Verify.
func verifyOnce(ctx context.Context, st store.Store, v note.Verifier) (Report, error) {
	origin, err := Origin(ctx, st)
	if err != nil {
		return Report{}, err
	}
	rs, segs, err := readRetention(ctx, st)
	if err != nil {
		return Report{}, err
	}
	w := walker{ctx: ctx, st: st, v: v, origin: origin, prev: rs.ArchivedHash, cpFrom: rs.ArchivedSize}
	w.rep.Archived, w.rep.Records = rs.ArchivedSize, rs.ArchivedSize
	if w.r, err = prefixRange(ctx, st, rs.ArchivedSize); err != nil {
		return Report{}, &VerifyError{Index: 0, Problem: fmt.Sprintf("the stored hashes of the %d archived leaves are missing or malformed: %v", rs.ArchivedSize, err)}
	}
	// Checkpoints signed while Verify runs may cover records it has not
	// read: it checks those that exist when it begins.
	if err := st.View(ctx, func(tx store.Tx) error {
		cp, err := tx.LatestAuditCheckpoint(ctx)
		w.cpLast = cp.Size
		if errors.Is(err, store.ErrNotFound) {
			w.cpDone, err = true, nil
		}
		return err
	}); err != nil {
		return Report{}, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	if err := w.checkpointsUpTo(rs.ArchivedSize); err != nil {
		return w.rep, err
	}
	const page = 2000
	for {
		recs, err := w.records(w.rep.Records+1, page)
		if err != nil {
			return w.rep, err
		}
		for _, rec := range recs {
			if err := w.next(rec); err != nil {
				return w.rep, err
			}
		}
		if len(recs) < page {
			break
		}
	}
	if w.rep.Records < w.cpLast {
		return w.rep, &VerifyError{Index: w.rep.Records, Problem: fmt.Sprintf("records are missing: a checkpoint of size %d is signed, the log has %d records", w.cpLast, w.rep.Records)}
	}
	return w.rep, w.checkRetention(rs, segs)
}

// checkRetention checks that the retention state is the one the log's
// latest audit.archive or audit.expire event states (that event always
// follows the archived leaves, so the walk reads it), and that the archive
// segments cover the leaves between, so that records deleted from the
// database outside ApplyRetention are found.
func (w *walker) checkRetention(rs store.AuditRetentionState, segs []store.AuditSegment) error {
	if rs.ArchivedSize != w.archivedTo {
		return &VerifyError{Index: min(rs.ArchivedSize, w.archivedTo), Problem: fmt.Sprintf(
			"the database holds records from index %d, but the log's latest retention event accounts for archiving up to index %d", rs.ArchivedSize, w.archivedTo)}
	}
	if rs.ExpiredSize != w.expiredTo {
		return &VerifyError{Index: min(rs.ExpiredSize, w.expiredTo), Problem: fmt.Sprintf(
			"the archive starts at index %d, but the log's latest retention event accounts for deleting up to index %d", rs.ExpiredSize, w.expiredTo)}
	}
	return archiveGap(rs, segs)
}

// archiveGap reports, as a *VerifyError, the first leaves of the archived
// span [rs.ExpiredSize, rs.ArchivedSize) that no segment of segs (sorted
// by Start) holds; nil if they tile it.
func archiveGap(rs store.AuditRetentionState, segs []store.AuditSegment) error {
	next := rs.ExpiredSize
	for _, s := range segs {
		if s.Start != next || s.End <= s.Start {
			break
		}
		next = s.End
	}
	if next != rs.ArchivedSize {
		return &VerifyError{Index: next, Problem: fmt.Sprintf("archive segments are missing: leaves [%d, %d) are in no segment", next, rs.ArchivedSize)}
	}
	return nil
}

// chainProblem says what is wrong with rec's link in the hash chain after
// the record whose chain hash is prev, or "".
func chainProblem(rec store.AuditRecord, prev []byte) string {
	switch {
	case !bytes.Equal(rec.PrevHash, prev):
		return "previous-hash link does not match"
	case !bytes.Equal(rec.Hash, ChainHash(prev, rec.Body)):
		return "record hash does not match its content"
	}
	return ""
}

// retentionEvent is what checkRetention needs of an audit.archive or
// audit.expire event.
type retentionEvent struct {
	Action  string `json:"action"`
	Outcome string `json:"outcome"`
	Details struct {
		Archived int64 `json:"archived"`
		Expired  int64 `json:"expired"`
	} `json:"details"`
}

// noteRetention records the retention state an audit.archive or
// audit.expire event in body states.
func (w *walker) noteRetention(body []byte) {
	if !bytes.Contains(body, []byte(`"audit.archive"`)) && !bytes.Contains(body, []byte(`"audit.expire"`)) {
		return
	}
	var ev retentionEvent
	if json.Unmarshal(body, &ev) != nil || ev.Outcome != string(Success) {
		return
	}
	if ev.Action == "audit.archive" || ev.Action == "audit.expire" {
		w.archivedTo, w.expiredTo = ev.Details.Archived, ev.Details.Expired
	}
}

// walker is one pass of Verify over the records.
type walker struct {
	ctx    context.Context
	st     store.Store
	v      note.Verifier
	origin string

	rep     Report
	prev    []byte // chain hash of the last record
	r       *compact.Range
	window  [][]byte                // leaf hashes since the last checkpoint
	pending []store.AuditCheckpoint // checkpoints not yet reached, by size
	cpFrom  int64                   // size from which to list more
	cpDone  bool                    // every checkpoint has been listed
	cpLast  int64                   // size of the last checkpoint to check

	archivedTo, expiredTo int64 // what the latest retention events moved out
}

// next checks one record.
func (w *walker) next(rec store.AuditRecord) error {
	index := w.rep.Records
	switch {
	case rec.Seq != index+1:
		return &VerifyError{Index: index, Problem: fmt.Sprintf("missing or out-of-order record (found seq %d, want %d)", rec.Seq, index+1)}
	case chainProblem(rec, w.prev) != "":
		return &VerifyError{Index: index, Problem: chainProblem(rec, w.prev)}
	case !json.Valid(rec.Body):
		return &VerifyError{Index: index, Problem: "event is not valid JSON"}
	}
	leaf := hasher.HashLeaf(rec.Body)
	if err := w.r.Append(leaf, nil); err != nil {
		return err
	}
	w.window = append(w.window, leaf)
	w.noteRetention(rec.Body)
	w.prev = rec.Hash
	w.rep.Records++
	return w.checkpointsUpTo(w.rep.Records)
}

// checkpointsUpTo checks the checkpoint of size n, if any, once n leaves
// have been added. Verify calls it for n = 0, 1, 2, ... in turn, so every
// checkpoint (sizes are unique) is checked at its own size.
func (w *walker) checkpointsUpTo(n int64) error {
	if len(w.pending) == 0 && !w.cpDone {
		if err := w.loadCheckpoints(); err != nil {
			return err
		}
	}
	if len(w.pending) == 0 || w.pending[0].Size != n {
		return nil
	}
	cp := w.pending[0]
	w.pending = w.pending[1:]
	return w.check(cp)
}

// loadCheckpoints reads the next page of checkpoints.
func (w *walker) loadCheckpoints() error {
	const page = 1000
	var cps []store.AuditCheckpoint
	err := w.st.View(w.ctx, func(tx store.Tx) error {
		var err error
		cps, err = tx.ListAuditCheckpoints(w.ctx, w.cpFrom, page)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit: read checkpoints: %w", err)
	}
	for i, cp := range cps {
		if cp.Size > w.cpLast {
			cps = cps[:i]
			break
		}
	}
	w.pending, w.cpDone = cps, len(cps) < page
	if len(cps) > 0 {
		w.cpFrom = cps[len(cps)-1].Size + 1
	}
	return nil
}

// check compares checkpoint cp, of the current size, with the recomputed
// tree.
func (w *walker) check(cp store.AuditCheckpoint) error {
	first := cp.Size - int64(len(w.window)) // first index since the last checkpoint
	c, err := OpenCheckpoint(cp.Note, w.v, w.origin)
	if err != nil {
		return &VerifyError{Index: first, Problem: fmt.Sprintf("checkpoint of size %d: %v", cp.Size, err)}
	}
	if c.Size != uint64(cp.Size) {
		return &VerifyError{Index: first, Problem: fmt.Sprintf("checkpoint stored as size %d signs size %d", cp.Size, c.Size)}
	}
	root, err := rootOf(w.r)
	if err != nil {
		return err
	}
	if !bytes.Equal(root, c.Hash) && len(w.window) == 0 && cp.Size == w.rep.Archived {
		return &VerifyError{Index: 0, Problem: fmt.Sprintf("the stored hashes of the %d archived leaves do not match the signed checkpoint of that size", cp.Size)}
	}
	if !bytes.Equal(root, c.Hash) {
		return &VerifyError{Index: w.firstChangedLeaf(first), Problem: fmt.Sprintf("records do not match the signed checkpoint of size %d", cp.Size)}
	}
	w.rep.Checkpoints++
	w.rep.Covered = cp.Size
	w.window = w.window[:0]
	return nil
}

// firstChangedLeaf returns the first index from first whose recomputed
// leaf hash differs from the stored tree's, or first if the stored leaf
// hashes were rewritten too.
func (w *walker) firstChangedLeaf(first int64) int64 {
	ids := make([]store.AuditNode, len(w.window))
	for i := range ids {
		ids[i] = store.AuditNode{Level: 0, Index: first + int64(i)}
	}
	var stored [][]byte
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		var hs [][]byte
		err := w.st.View(w.ctx, func(tx store.Tx) error {
			var err error
			hs, err = tx.AuditNodes(w.ctx, chunk)
			return err
		})
		if err != nil {
			break
		}
		stored = append(stored, hs...)
	}
	for i, h := range stored {
		if !bytes.Equal(h, w.window[i]) {
			return first + int64(i)
		}
	}
	return first
}

func (w *walker) records(from int64, n int) ([]store.AuditRecord, error) {
	var recs []store.AuditRecord
	err := w.st.View(w.ctx, func(tx store.Tx) error {
		var err error
		recs, err = tx.ListAudit(w.ctx, from, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: read records: %w", err)
	}
	return recs, nil
}
