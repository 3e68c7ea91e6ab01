package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/proof"

	"github.com/confide-cc/confide/internal/store"
)

// ErrOutOfRange is wrapped when a requested index or tree size is beyond
// the checkpointed tree, or the arguments are inconsistent.
var ErrOutOfRange = errors.New("audit: out of range")

// Entry is one leaf of the log: Index is 0-based, Data the exact leaf
// bytes (the canonical event JSON).
type Entry struct {
	Index int64
	Data  []byte
}

// MaxEntries bounds the entries one Entries call returns.
const MaxEntries = 1000

// Entries returns the leaves [start, end) of the tree, at most MaxEntries
// of them from start; end must not exceed the tree size. Leaves moved out
// of the database by retention are ErrArchived.
func (l *Log) Entries(ctx context.Context, start, end int64) ([]Entry, error) {
	var (
		ts   store.AuditTreeState
		rs   store.AuditRetentionState
		recs []store.AuditRecord
	)
	// One snapshot: the tree's size, how far retention has reached, and
	// the records.
	err := l.st.View(ctx, func(tx store.Tx) error {
		var err error
		if ts, err = tx.AuditTreeState(ctx); err != nil {
			return err
		}
		if rs, err = tx.AuditRetentionState(ctx); err != nil {
			return err
		}
		if start < 0 || start >= end || end > ts.Size || start < rs.ArchivedSize {
			return nil
		}
		recs, err = tx.ListAudit(ctx, start+1, int(min(end, start+MaxEntries)-start))
		return err
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("audit: read entries: %w", err)
	case start < 0 || start >= end || end > ts.Size:
		return nil, fmt.Errorf("%w: entries [%d, %d) of a tree of size %d", ErrOutOfRange, start, end, ts.Size)
	case start < rs.ArchivedSize:
		return nil, fmt.Errorf("%w: leaves before index %d are no longer in the database (confide audit export includes the archived ones)", ErrArchived, rs.ArchivedSize)
	case len(recs) == 0 || recs[0].Seq != start+1:
		return nil, fmt.Errorf("%w: record %d is missing (run confide audit verify)", ErrTampered, start+1)
	}
	out := make([]Entry, len(recs))
	for i, r := range recs {
		out[i] = Entry{Index: r.Seq - 1, Data: r.Body}
	}
	return out, nil
}

// InclusionProof returns the RFC 6962 inclusion proof of leaf index in
// the tree of the given size, which must not exceed the tree size.
func (l *Log) InclusionProof(ctx context.Context, index, size int64) ([][]byte, error) {
	if index < 0 || index >= size {
		return nil, fmt.Errorf("%w: leaf %d in a tree of size %d", ErrOutOfRange, index, size)
	}
	nodes, err := proof.Inclusion(uint64(index), uint64(size))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrOutOfRange, err)
	}
	return l.rehash(ctx, size, nodes)
}

// ConsistencyProof returns the RFC 6962 consistency proof between the
// trees of sizes old and new, 0 < old <= new <= the tree size.
func (l *Log) ConsistencyProof(ctx context.Context, old, new int64) ([][]byte, error) {
	if old < 1 || old > new {
		return nil, fmt.Errorf("%w: consistency of sizes %d and %d", ErrOutOfRange, old, new)
	}
	nodes, err := proof.Consistency(uint64(old), uint64(new))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrOutOfRange, err)
	}
	return l.rehash(ctx, new, nodes)
}

// rehash reads the nodes of a proof for a tree of the given size and
// computes the proof from them, in O(log size) node reads.
func (l *Log) rehash(ctx context.Context, size int64, nodes proof.Nodes) ([][]byte, error) {
	ids := make([]store.AuditNode, len(nodes.IDs))
	for i, id := range nodes.IDs {
		ids[i] = store.AuditNode{Level: int(id.Level), Index: int64(id.Index)}
	}
	var (
		hashes  [][]byte
		current int64
	)
	err := l.st.View(ctx, func(tx store.Tx) error {
		s, err := tx.AuditTreeState(ctx)
		if err != nil {
			return err
		}
		if current = s.Size; size > current {
			return nil
		}
		hashes, err = tx.AuditNodes(ctx, ids)
		return err
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("audit: read proof nodes: %w", err)
	case size > current:
		return nil, fmt.Errorf("%w: size %d is beyond the tree (size %d)", ErrOutOfRange, size, current)
	}
	return nodes.Rehash(hashes, hasher.HashChildren)
}

// VerifyInclusion checks an inclusion proof of the leaf data at index
// against checkpoint c.
func VerifyInclusion(c Checkpoint, index uint64, data []byte, p [][]byte) error {
	if err := proof.VerifyInclusion(hasher, index, c.Size, hasher.HashLeaf(data), p, c.Hash); err != nil {
		return fmt.Errorf("audit: inclusion proof of leaf %d in size %d: %w", index, c.Size, err)
	}
	return nil
}

// VerifyConsistency checks that the tree of checkpoint newer extends the
// tree of checkpoint older, given their consistency proof.
func VerifyConsistency(older, newer Checkpoint, p [][]byte) error {
	if err := proof.VerifyConsistency(hasher, older.Size, newer.Size, p, older.Hash, newer.Hash); err != nil {
		return fmt.Errorf("audit: consistency of sizes %d and %d: %w", older.Size, newer.Size, err)
	}
	return nil
}
