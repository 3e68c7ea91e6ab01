package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Names of the files of an export directory (docs/AUDIT.md).
const (
	LeavesFile     = "leaves"     // one line per leaf: standard base64 of its bytes
	CheckpointFile = "checkpoint" // the signed note covering every leaf
	KeyFile        = "key.vkey"   // the note verifier key
)

// Export writes the log up to its latest checkpoint to dir (created with
// mode 0700 if needed; the files must not exist yet): the leaves, the
// checkpoint and the verifier key. It recomputes the root while writing
// and fails, without leaving a checkpoint file, if the stored records do
// not match the checkpoint.
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
	if err := l.writeLeaves(ctx, filepath.Join(dir, LeavesFile), size, c.Hash); err != nil {
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

// writeLeaves writes the first size leaves to path and checks their root.
func (l *Log) writeLeaves(ctx context.Context, path string, size int64, root []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("audit: export: %w", err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	r := rangeFactory.NewEmptyRange(0)
	const page = 5000
	for next := int64(1); next <= size; {
		recs, err := l.list(ctx, next, int(min(size-next+1, page)))
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
			if err := r.Append(hasher.HashLeaf(rec.Body), nil); err != nil {
				return err
			}
			enc := base64.StdEncoding
			line := make([]byte, enc.EncodedLen(len(rec.Body))+1)
			enc.Encode(line, rec.Body)
			line[len(line)-1] = '\n'
			if _, err := w.Write(line); err != nil {
				return fmt.Errorf("audit: export: %w", err)
			}
			next++
		}
	}
	got, err := rootOf(r)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, root) {
		return fmt.Errorf("%w: the %d stored records do not match the latest checkpoint (run confide audit verify)", ErrTampered, size)
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
