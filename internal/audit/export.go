package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/transparency-dev/merkle/compact"

	"github.com/confide-cc/confide/internal/store"
)

// Names of the files of an export directory (docs/AUDIT.md).
const (
	LeavesFile     = "leaves"     // one line per leaf: standard base64 of its bytes
	CheckpointFile = "checkpoint" // the signed note covering every leaf
	KeyFile        = "key.vkey"   // the note verifier key
	PrefixFile     = "prefix"     // the hashes standing for expired leaves, if any
)

// Export writes the log up to its latest checkpoint to dir (created with
// mode 0700 if needed; the files must not exist yet): the leaves still
// kept (archived, then in the database), the checkpoint, the verifier key
// and, if the oldest leaves have expired, the prefix hashes standing for
// them. It recomputes the root while writing and fails, without leaving a
// checkpoint file, if what it wrote does not match the checkpoint.
func (l *Log) Export(ctx context.Context, dir string) (Checkpoint, error) {
	msg, size, err := l.Latest(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	if msg == nil {
		return Checkpoint{}, errors.New("audit: nothing to export: no checkpoint has been signed yet")
	}
	c, err := OpenCheckpoint(msg, l.Verifier(), l.origin)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: latest checkpoint: %w", ErrTampered, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Checkpoint{}, fmt.Errorf("audit: export directory: %w", err)
	}
	// Records that the retention policy archives or expires while they are
	// read make the export start again.
	if err := underRetention(ctx, l.st, func() error { return l.exportLeaves(ctx, dir, size, c.Hash) }); err != nil {
		return Checkpoint{}, err
	}
	if err := createFile(filepath.Join(dir, KeyFile), []byte(l.signer.VerifierKey()+"\n")); err != nil {
		return Checkpoint{}, err
	}
	if err := createFile(filepath.Join(dir, CheckpointFile), msg); err != nil {
		return Checkpoint{}, err
	}
	return c, nil
}

// exportLeaves writes the prefix file (if leaves expired) and the leaves
// below size to dir, checking their root; on failure it removes the files
// it created.
func (l *Log) exportLeaves(ctx context.Context, dir string, size int64, root []byte) (err error) {
	rs, segs, err := readRetention(ctx, l.st)
	if err != nil {
		return err
	}
	r, err := prefixRange(ctx, l.st, rs.ExpiredSize)
	if err != nil {
		return err
	}
	var created []string
	defer func() {
		if err != nil {
			for _, f := range created {
				os.Remove(f)
			}
		}
	}()
	if rs.ExpiredSize > 0 {
		path := filepath.Join(dir, PrefixFile)
		if err := createFile(path, EncodePrefix(r)); err != nil {
			return err
		}
		created = append(created, path)
	}
	path := filepath.Join(dir, LeavesFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("audit: export: %w", err)
	}
	created = append(created, path)
	return writeLeaves(ctx, f, exportSource{l: l, rs: rs, segs: segs}, r, size, root)
}

// exportSource yields the leaves an export holds: the archive segments,
// then the records in the database.
type exportSource struct {
	l    *Log
	rs   store.AuditRetentionState
	segs []store.AuditSegment
}

// each calls leaf with the bytes of every kept leaf below size, in order.
func (e exportSource) each(ctx context.Context, size int64, leaf func(data []byte) error) error {
	if err := archiveGap(e.rs, e.segs); err != nil {
		return err
	}
	for _, s := range e.segs {
		if err := e.segment(ctx, s, leaf); err != nil {
			return err
		}
	}
	return e.l.eachRecord(ctx, e.rs.ArchivedSize+1, size, func(rec store.AuditRecord) error { return leaf(rec.Body) })
}

// segment decrypts archive segment s and calls leaf with each of its
// leaves.
func (e exportSource) segment(ctx context.Context, s store.AuditSegment, leaf func([]byte) error) error {
	r, closeFn, err := e.l.openSegment(ctx, s)
	if err != nil {
		return err
	}
	defer closeFn()
	br := bufio.NewReaderSize(r, maxLeafLine)
	enc := base64.StdEncoding.Strict()
	index := s.Start
	for ; ; index++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, io.EOF) && len(line) == 0 {
			break
		}
		if err != nil {
			return fmt.Errorf("audit: archive segment [%d, %d) at leaf %d: %w", s.Start, s.End, index, err)
		}
		data, err := enc.DecodeString(string(line[:len(line)-1]))
		if err != nil || index >= s.End {
			return &VerifyError{Index: index, Problem: fmt.Sprintf("archive segment [%d, %d) is malformed", s.Start, s.End)}
		}
		if err := leaf(data); err != nil {
			return err
		}
	}
	if index != s.End {
		return &VerifyError{Index: index, Problem: fmt.Sprintf("archive segment [%d, %d) ends early", s.Start, s.End)}
	}
	return nil
}

// writeLeaves writes the leaves of src below size to f, appending them to
// r (the range of the leaves before), checks the root, and closes f.
func writeLeaves(ctx context.Context, f *os.File, src exportSource, r *compact.Range, size int64, root []byte) error {
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	err := src.each(ctx, size, func(data []byte) error {
		if err := r.Append(hasher.HashLeaf(data), nil); err != nil {
			return err
		}
		if _, err := w.Write(leafLine(data)); err != nil {
			return fmt.Errorf("audit: export: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	got, err := rootOf(r)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, root) {
		return fmt.Errorf("%w: the %d leaves do not match the latest checkpoint (run confide audit verify)", ErrTampered, size)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("audit: export: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("audit: export: %w", err)
	}
	return f.Close()
}

// createFile writes data to a new file (mode 0600) at path.
func createFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("audit: export: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("audit: export: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("audit: export: %w", err)
	}
	return nil
}

// ReadVerifierKey reads a verifier key file: one line, the key in the
// standard note form.
func ReadVerifierKey(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("audit: verifier key: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
