package audit

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// WitnessReader reads back the history a witness holds (DirWitness and
// ObjectWitness are ones).
type WitnessReader interface {
	// Sizes calls fn with every tree size the witness holds a checkpoint
	// of, in no particular order.
	Sizes(ctx context.Context, fn func(size uint64) error) error
	// Read returns the signed checkpoint note witnessed at size.
	Read(ctx context.Context, size uint64) ([]byte, error)
	// Describe names the witness for logs (no credentials).
	Describe() string
}

// maxNoteLen bounds a witnessed note: a checkpoint with a few signatures
// is a few hundred bytes.
const maxNoteLen = 64 << 10

// Sizes implements WitnessReader: the files named by a decimal size.
func (d DirWitness) Sizes(_ context.Context, fn func(size uint64) error) error {
	entries, err := os.ReadDir(string(d))
	if err != nil {
		return fmt.Errorf("audit: witness: %w", err)
	}
	for _, e := range entries {
		size, err := strconv.ParseUint(e.Name(), 10, 64)
		if err != nil || strconv.FormatUint(size, 10) != e.Name() || !e.Type().IsRegular() {
			continue // "latest", temporary files
		}
		if err := fn(size); err != nil {
			return err
		}
	}
	return nil
}

// Read implements WitnessReader.
func (d DirWitness) Read(_ context.Context, size uint64) ([]byte, error) {
	f, err := os.Open(filepath.Join(string(d), strconv.FormatUint(size, 10)))
	if err != nil {
		return nil, fmt.Errorf("audit: witness: %w", err)
	}
	defer f.Close()
	return readNote(f)
}

// Sizes implements WitnessReader: the objects witness/<20 digits>, listed.
func (w ObjectWitness) Sizes(ctx context.Context, fn func(size uint64) error) error {
	err := w.Store.List(ctx, witnessPrefix, func(key string) error {
		digits := strings.TrimPrefix(key, witnessPrefix)
		size, err := strconv.ParseUint(digits, 10, 64)
		if err != nil || len(digits) != 20 {
			return nil // witness/latest, foreign objects
		}
		return fn(size)
	})
	if err != nil {
		return fmt.Errorf("audit: witness %s: %w", w.Description, err)
	}
	return nil
}

// Read implements WitnessReader.
func (w ObjectWitness) Read(ctx context.Context, size uint64) ([]byte, error) {
	key := WitnessKey(int64(size))
	obj, err := w.Store.Open(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("audit: witness %s: %w", key, err)
	}
	defer obj.Close()
	return readNote(io.NewSectionReader(obj, 0, obj.Size()))
}

// readNote reads a witnessed note of at most maxNoteLen bytes.
func readNote(r io.Reader) ([]byte, error) {
	msg, err := io.ReadAll(io.LimitReader(r, maxNoteLen+1))
	if err != nil {
		return nil, fmt.Errorf("audit: witness: %w", err)
	}
	if len(msg) > maxNoteLen {
		return nil, fmt.Errorf("audit: witness: note longer than %d bytes", maxNoteLen)
	}
	return msg, nil
}

// DefaultWitnessSpread is WitnessSample.Spread when it is 0.
const DefaultWitnessSpread = 64

// WitnessSample chooses the witnessed checkpoints a check reads, so that
// a long history is checked at a bounded cost. The choice is complete by
// induction: a rewrite of leaf i changes the root of every size above i,
// so a rewrite made before the previous check either reached a size that
// check read, or changed the largest size that check covered (Since),
// which this one reads again; and every size witnessed since is read.
type WitnessSample struct {
	// Since is the newest size the previous check covered (its
	// WitnessReport.Newest). Every witnessed size above Since is read,
	// and so are the largest at or below it and the oldest. 0 reads every
	// witnessed checkpoint.
	Since uint64
	// Spread is how many more sizes at or below Since are read, evenly
	// spaced; 0 means DefaultWitnessSpread, a negative number none.
	Spread int
}

// choose returns the sizes to read among sizes, which is sorted.
func (s WitnessSample) choose(sizes []uint64) []uint64 {
	cut := sort.Search(len(sizes), func(i int) bool { return sizes[i] > s.Since })
	if s.Since == 0 || cut == 0 {
		return sizes
	}
	older := sizes[:cut]
	spread := cmp.Or(s.Spread, DefaultWitnessSpread)
	chosen := []uint64{older[0], older[len(older)-1]}
	for k := 1; k <= spread; k++ {
		chosen = append(chosen, older[k*(len(older)-1)/(spread+1)])
	}
	slices.Sort(chosen)
	return append(slices.Compact(chosen), sizes[cut:]...)
}

// WitnessHistory is what ReadWitness read.
type WitnessHistory struct {
	// Witnessed counts the checkpoints the witness holds.
	Witnessed int
	// Checkpoints are the ones the sample chose, in ascending size, each
	// signed by the log's key and stored under its own size.
	Checkpoints []Checkpoint
}

// ReadWitness lists the checkpoints w holds, reads those that sample
// chooses, and verifies that each is signed by v and stored under its own
// tree size. An error names the size at fault.
func ReadWitness(ctx context.Context, w WitnessReader, v note.Verifier, sample WitnessSample) (WitnessHistory, error) {
	var sizes []uint64
	if err := w.Sizes(ctx, func(size uint64) error { sizes = append(sizes, size); return nil }); err != nil {
		return WitnessHistory{}, err
	}
	slices.Sort(sizes)
	h := WitnessHistory{Witnessed: len(sizes)}
	for _, size := range sample.choose(sizes) {
		c, err := readWitnessed(ctx, w, v, size)
		if err != nil {
			return h, err
		}
		h.Checkpoints = append(h.Checkpoints, c)
	}
	return h, nil
}

// readWitnessed reads and opens the checkpoint w holds for size.
func readWitnessed(ctx context.Context, w WitnessReader, v note.Verifier, size uint64) (Checkpoint, error) {
	msg, err := w.Read(ctx, size)
	if err != nil {
		return Checkpoint{}, &WitnessError{Size: size, Err: err}
	}
	c, err := OpenCheckpoint(msg, v, "")
	if err != nil {
		return Checkpoint{}, &WitnessError{Size: size, Err: err}
	}
	if c.Size != size {
		return Checkpoint{}, &WitnessError{Size: size, Err: fmt.Errorf("%w: it holds the checkpoint of size %d", ErrBadCheckpoint, c.Size)}
	}
	return c, nil
}

// WitnessError names the witnessed tree size whose checkpoint is bad or
// disagrees with the log.
type WitnessError struct {
	Size uint64
	Err  error
}

func (e *WitnessError) Error() string {
	return fmt.Sprintf("audit: witnessed checkpoint of size %d: %v", e.Size, e.Err)
}

func (e *WitnessError) Unwrap() error { return e.Err }

// ErrRewritten is wrapped by a WitnessError whose checkpoint the log
// contradicts: the log's history was rewritten after the witness saw it.
var ErrRewritten = errors.New("the log disagrees with it: history was rewritten after it was witnessed")

// WitnessReport is what CheckWitnessed established.
type WitnessReport struct {
	// Checked counts the witnessed checkpoints the log reaches, all of
	// which agree with it.
	Checked int
	// Newest is the largest of them: WitnessSample.Since for the next
	// check.
	Newest uint64
	// Unreached counts the witnessed checkpoints not compared: larger
	// than the log, or (in an export) before its first leaf.
	Unreached int
}

// errUnreached is returned by an agree function for a size it cannot
// compare.
var errUnreached = errors.New("audit: size not reached")

// CheckWitnessed checks every witnessed checkpoint that log (the log's
// signed checkpoint) reaches: same origin, and agree(w) nil, where agree
// compares w with the log's tree at w.Size (RootsAgree, or a consistency
// proof). Larger witnessed sizes are left out. The error is the
// WitnessError of the smallest size that disagrees.
func CheckWitnessed(witnessed []Checkpoint, log Checkpoint, agree func(w Checkpoint) error) (WitnessReport, error) {
	var rep WitnessReport
	for _, w := range witnessed {
		if w.Size > log.Size {
			rep.Unreached++
			continue
		}
		if w.Origin != log.Origin {
			return rep, &WitnessError{Size: w.Size, Err: fmt.Errorf("%w: origin %q, the log's is %q", ErrBadCheckpoint, truncate(w.Origin, 64), log.Origin)}
		}
		err := agreeAt(w, agree)
		if errors.Is(err, errUnreached) {
			rep.Unreached++
			continue
		}
		if err != nil {
			return rep, &WitnessError{Size: w.Size, Err: err}
		}
		rep.Checked++
		rep.Newest = max(rep.Newest, w.Size)
	}
	return rep, nil
}

// agreeAt is agree(w), except for the empty tree, whose root is known.
func agreeAt(w Checkpoint, agree func(w Checkpoint) error) error {
	if w.Size > 0 {
		return agree(w)
	}
	if !bytes.Equal(w.Hash, hasher.EmptyRoot()) {
		return ErrRewritten
	}
	return nil
}

// RootsAgree compares a witnessed checkpoint with the root hashes
// recomputed from the leaves (ExportResult.Roots). A size without a root
// (before an export's first leaf) is not compared.
func RootsAgree(roots map[uint64][]byte) func(w Checkpoint) error {
	return func(w Checkpoint) error {
		root, ok := roots[w.Size]
		if !ok {
			return errUnreached
		}
		if !bytes.Equal(root, w.Hash) {
			return ErrRewritten
		}
		return nil
	}
}

// ConsistentWith compares a witnessed checkpoint with the log's tree by
// a consistency proof, read from the stored tree, from the witnessed size
// to latest, the log's newest signed checkpoint.
func (l *Log) ConsistentWith(ctx context.Context, latest Checkpoint) func(w Checkpoint) error {
	return func(w Checkpoint) error {
		if w.Size == latest.Size {
			if !bytes.Equal(w.Hash, latest.Hash) {
				return ErrRewritten
			}
			return nil
		}
		p, err := l.ConsistencyProof(ctx, int64(w.Size), int64(latest.Size))
		if err != nil {
			return err
		}
		if err := VerifyConsistency(w, latest, p); err != nil {
			return fmt.Errorf("%w (%v)", ErrRewritten, err)
		}
		return nil
	}
}
