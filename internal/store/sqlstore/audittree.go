package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/confide-cc/confide/internal/store"
)

// hashSize is the size of every tree hash (SHA-256).
const hashSize = 32

// nodesPerInsert bounds the rows of one multi-row INSERT into audit_nodes
// (3 parameters each, well under every dialect's parameter limit).
const nodesPerInsert = 256

// AuditTreeState implements store.AuditTree.
func (t *tx) AuditTreeState(ctx context.Context) (store.AuditTreeState, error) {
	var s store.AuditTreeState
	var packed []byte
	err := t.queryRow(ctx, `SELECT origin, size, compact FROM audit_tree WHERE id = 1`+t.lockClause()).
		Scan(&s.Origin, &s.Size, &packed)
	if err != nil {
		return store.AuditTreeState{}, t.fail("audit tree state", err)
	}
	if len(packed)%hashSize != 0 {
		return store.AuditTreeState{}, fmt.Errorf("sqlstore: audit tree state: compact range of %d bytes is not a list of hashes", len(packed))
	}
	for i := 0; i < len(packed); i += hashSize {
		s.Range = append(s.Range, packed[i:i+hashSize:i+hashSize])
	}
	return s, nil
}

// AdvanceAuditTree implements store.AuditTree. The state update is a
// compare-and-swap on the size, made before the nodes are inserted, so
// that of two nodes advancing from the same size one fails early.
func (t *tx) AdvanceAuditTree(ctx context.Context, oldSize int64, s store.AuditTreeState, nodes []store.AuditNode) error {
	const op = "advance audit tree"
	var packed []byte
	for _, h := range s.Range {
		if len(h) != hashSize {
			return fmt.Errorf("sqlstore: %s: range hash of %d bytes", op, len(h))
		}
		packed = append(packed, h...)
	}
	n, err := t.execCount(ctx, op, `UPDATE audit_tree SET size = ?, compact = ? WHERE id = 1 AND size = ?`,
		s.Size, bytesArg(packed), oldSize)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: %s: tree is no longer at size %d: %w", op, oldSize, store.ErrConflict)
	}
	for len(nodes) > 0 {
		chunk := nodes[:min(len(nodes), nodesPerInsert)]
		nodes = nodes[len(chunk):]
		var q strings.Builder
		q.WriteString(`INSERT INTO audit_nodes (level, idx, hash) VALUES `)
		args := make([]any, 0, 3*len(chunk))
		for i, nd := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?)")
			args = append(args, nd.Level, nd.Index, bytesArg(nd.Hash))
		}
		if _, err := t.exec(ctx, q.String(), args...); err != nil {
			return t.fail(op, err)
		}
	}
	return nil
}

// AuditNodes implements store.AuditTree.
func (t *tx) AuditNodes(ctx context.Context, ids []store.AuditNode) ([][]byte, error) {
	const op = "audit nodes"
	if len(ids) == 0 {
		return nil, nil
	}
	var q strings.Builder
	q.WriteString(`SELECT level, idx, hash FROM audit_nodes WHERE `)
	args := make([]any, 0, 2*len(ids))
	for i, id := range ids {
		if i > 0 {
			q.WriteString(" OR ")
		}
		q.WriteString("(level = ? AND idx = ?)")
		args = append(args, id.Level, id.Index)
	}
	found, err := list(ctx, t, op, func(row scanner) (store.AuditNode, error) {
		var nd store.AuditNode
		err := row.Scan(&nd.Level, &nd.Index, &nd.Hash)
		return nd, err
	}, q.String(), args...)
	if err != nil {
		return nil, err
	}
	byID := make(map[[2]int64][]byte, len(found))
	for _, nd := range found {
		byID[[2]int64{int64(nd.Level), nd.Index}] = nd.Hash
	}
	out := make([][]byte, len(ids))
	for i, id := range ids {
		h, ok := byID[[2]int64{int64(id.Level), id.Index}]
		if !ok {
			return nil, fmt.Errorf("sqlstore: %s: node (%d, %d): %w", op, id.Level, id.Index, store.ErrNotFound)
		}
		out[i] = h
	}
	return out, nil
}

// InsertAuditCheckpoint implements store.AuditTree.
func (t *tx) InsertAuditCheckpoint(ctx context.Context, c store.AuditCheckpoint) error {
	const op = "insert audit checkpoint"
	n, err := t.execCount(ctx, op, `INSERT INTO audit_checkpoints (size, note, created_at) VALUES (?, ?, ?)
		ON CONFLICT (size) DO NOTHING`, c.Size, bytesArg(c.Note), micros(c.CreatedAt))
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: %s: size %d: %w", op, c.Size, store.ErrConflict)
	}
	return nil
}

// LatestAuditCheckpoint implements store.AuditTree.
func (t *tx) LatestAuditCheckpoint(ctx context.Context) (store.AuditCheckpoint, error) {
	c, err := scanCheckpoint(t.queryRow(ctx, `SELECT size, note, created_at FROM audit_checkpoints ORDER BY size DESC LIMIT 1`))
	if err != nil {
		return store.AuditCheckpoint{}, t.fail("latest audit checkpoint", err)
	}
	return c, nil
}

// ListAuditCheckpoints implements store.AuditTree.
func (t *tx) ListAuditCheckpoints(ctx context.Context, fromSize int64, limit int) ([]store.AuditCheckpoint, error) {
	const op = "list audit checkpoints"
	if err := checkLimit(op, limit); err != nil {
		return nil, err
	}
	return list(ctx, t, op, scanCheckpoint, `SELECT size, note, created_at FROM audit_checkpoints
		WHERE size >= ? ORDER BY size LIMIT ?`, fromSize, limit)
}

func scanCheckpoint(row scanner) (store.AuditCheckpoint, error) {
	var c store.AuditCheckpoint
	err := row.Scan(&c.Size, &c.Note, timeDest{&c.CreatedAt})
	return c, err
}
