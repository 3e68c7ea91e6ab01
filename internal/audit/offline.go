package audit

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"
)

// ExportResult is what VerifyExport established.
type ExportResult struct {
	Checkpoint Checkpoint
	// Start is the first leaf the export holds: the leaves before it
	// expired, and its prefix file stands for them.
	Start uint64
	// Roots holds the recomputed root hash at each size asked for in
	// VerifyOptions.RootsAt that the export reaches.
	Roots map[uint64][]byte
}

// VerifyOptions tune VerifyExport.
type VerifyOptions struct {
	// VerifierKey is the trusted verifier key. If empty, the export's own
	// key.vkey is used, which proves integrity but not origin: compare it
	// with `confide audit key` on the server.
	VerifierKey string
	// RootsAt lists tree sizes whose root hashes to report (to compare
	// with witnessed checkpoints).
	RootsAt []uint64
	// Workers hashing leaves in parallel; 0 means GOMAXPROCS.
	Workers int
}

// VerifyExport verifies an export directory written by Log.Export (or by
// anyone following docs/AUDIT.md): the checkpoint's signature, and its
// tree size and root hash recomputed from the leaves. A malformed leaf
// line is a *VerifyError naming its index.
func VerifyExport(dir string, opts VerifyOptions) (ExportResult, error) {
	vkey := opts.VerifierKey
	if vkey == "" {
		var err error
		if vkey, err = ReadVerifierKey(filepath.Join(dir, KeyFile)); err != nil {
			return ExportResult{}, err
		}
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return ExportResult{}, fmt.Errorf("audit: verifier key: %w", err)
	}
	msg, err := os.ReadFile(filepath.Join(dir, CheckpointFile))
	if err != nil {
		return ExportResult{}, fmt.Errorf("audit: export checkpoint: %w", err)
	}
	c, err := OpenCheckpoint(msg, v, "")
	if err != nil {
		return ExportResult{}, err
	}
	prefix, err := readPrefix(dir)
	if err != nil {
		return ExportResult{}, err
	}
	var start uint64
	if prefix != nil {
		start = prefix.End()
	}
	f, err := os.Open(filepath.Join(dir, LeavesFile))
	if err != nil {
		return ExportResult{}, fmt.Errorf("audit: export leaves: %w", err)
	}
	defer f.Close()
	size, root, roots, err := HashLeaves(f, prefix, opts.Workers, opts.RootsAt)
	if err != nil {
		return ExportResult{}, err
	}
	if size != c.Size {
		return ExportResult{}, fmt.Errorf("audit: the export covers %d leaves, its checkpoint %d", size, c.Size)
	}
	if !bytes.Equal(root, c.Hash) {
		return ExportResult{}, fmt.Errorf("audit: the root hash of the %d exported leaves does not match the signed checkpoint", size)
	}
	return ExportResult{Checkpoint: c, Start: start, Roots: roots}, nil
}

// readPrefix reads the prefix file of an export directory: the compact
// range of the expired leaves, or nil if the export starts at leaf 0.
func readPrefix(dir string) (*compact.Range, error) {
	data, err := os.ReadFile(filepath.Join(dir, PrefixFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: export prefix: %w", err)
	}
	return ParsePrefix(data)
}

// leafBatch is the number of leaf lines one worker hashes at a time.
const leafBatch = 8192

// maxLeafLine bounds one leaf line (base64 of an event).
const maxLeafLine = 1 << 20

// job is a batch of leaf lines for a worker.
type job struct {
	first int64   // index of the first line
	data  []byte  // the lines, without their newlines, back to back
	ends  []int   // end offset of each line in data
	cuts  []int64 // indexes inside the batch where a root is wanted
	out   chan<- batchResult
}

// batchResult is a batch's leaves as compact ranges, split at the indexes
// where a root is wanted.
type batchResult struct {
	ranges []*compact.Range
	err    error
}

// HashLeaves reads leaf lines (standard base64, one per line, each ending
// in "\n") from r, appends them to prefix (the compact range of the
// leaves before them, from 0; nil if none; HashLeaves extends it) and returns the tree size and
// RFC 6962 root hash, plus the root hash at each of rootsAt that the
// leaves reach. Leaves are decoded
// and hashed, and each batch's subtrees built, by workers goroutines (0:
// GOMAXPROCS); the calling goroutine only merges the batches' compact
// ranges in order, a few hashes per batch.
func HashLeaves(r io.Reader, prefix *compact.Range, workers int, rootsAt []uint64) (size uint64, root []byte, roots map[uint64][]byte, err error) {
	rg := prefix
	if rg == nil {
		rg = rangeFactory.NewEmptyRange(0)
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	want := slices.Clone(rootsAt)
	slices.Sort(want)
	want = slices.Compact(want)

	jobs := make(chan job)
	order := make(chan chan batchResult, 2*workers)
	done := make(chan struct{})
	defer close(done)
	for range workers {
		go func() {
			for j := range jobs {
				j.out <- hashBatch(j)
			}
		}()
	}
	readErr := make(chan error, 1)
	go func(want []uint64) { readErr <- readBatches(r, int64(rg.End()), want, jobs, order, done) }(want)

	roots = make(map[uint64][]byte)
	check := func() error {
		for len(want) > 0 && want[0] <= rg.End() {
			if want[0] == rg.End() {
				h, err := rootOf(rg)
				if err != nil {
					return err
				}
				roots[want[0]] = h
			}
			want = want[1:]
		}
		return nil
	}
	if err := check(); err != nil {
		return 0, nil, nil, err
	}
	for out := range order {
		res := <-out
		if res.err != nil {
			return 0, nil, nil, res.err
		}
		for _, part := range res.ranges {
			if err := rg.AppendRange(part, nil); err != nil {
				return 0, nil, nil, err
			}
			if err := check(); err != nil {
				return 0, nil, nil, err
			}
		}
	}
	if err := <-readErr; err != nil {
		return 0, nil, nil, err
	}
	root, err = rootOf(rg)
	return rg.End(), root, roots, err
}

// readBatches splits r into batches of lines, the first of index index,
// hands each to a worker and queues its result channel in order. want are
// the sorted indexes at which roots are wanted. It closes jobs and order
// when done.
func readBatches(r io.Reader, index int64, want []uint64, jobs chan<- job, order chan<- chan batchResult, done <-chan struct{}) error {
	defer close(order)
	defer close(jobs)
	br := bufio.NewReaderSize(r, maxLeafLine)
	for {
		j := job{first: index, ends: make([]int, 0, leafBatch)}
		var err error
		for len(j.ends) < leafBatch {
			var line []byte
			line, err = br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				return &VerifyError{Index: index + int64(len(j.ends)), Problem: fmt.Sprintf("leaf line longer than %d bytes", maxLeafLine)}
			}
			if err != nil {
				if len(line) > 0 {
					return &VerifyError{Index: index + int64(len(j.ends)), Problem: "last leaf line does not end with a newline"}
				}
				break
			}
			if j.data == nil {
				j.data = make([]byte, 0, leafBatch*(len(line)+len(line)/2))
			}
			j.data = append(j.data, line[:len(line)-1]...)
			j.ends = append(j.ends, len(j.data))
		}
		if n := int64(len(j.ends)); n > 0 {
			for len(want) > 0 && int64(want[0]) <= index {
				want = want[1:]
			}
			for _, w := range want {
				if int64(w) >= index+n {
					break
				}
				j.cuts = append(j.cuts, int64(w)-index)
			}
			out := make(chan batchResult, 1)
			j.out = out
			select {
			case jobs <- j:
			case <-done:
				return nil
			}
			select {
			case order <- out:
			case <-done:
				return nil
			}
			index += n
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("audit: read leaves: %w", err)
		}
	}
}

// hashBatch decodes and hashes one batch of leaf lines into compact
// ranges, starting a new range at each cut.
func hashBatch(j job) batchResult {
	var res batchResult
	buf := make([]byte, 0, 1024)
	enc := base64.StdEncoding.Strict()
	rg := rangeFactory.NewEmptyRange(uint64(j.first))
	cuts := j.cuts
	start := 0
	for i, end := range j.ends {
		if len(cuts) > 0 && cuts[0] == int64(i) {
			res.ranges = append(res.ranges, rg)
			rg = rangeFactory.NewEmptyRange(uint64(j.first) + uint64(i))
			cuts = cuts[1:]
		}
		line := j.data[start:end]
		start = end
		if bytes.IndexByte(line, '\r') >= 0 {
			return batchResult{err: &VerifyError{Index: j.first + int64(i), Problem: "leaf line contains a carriage return"}}
		}
		n := enc.DecodedLen(len(line))
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		m, err := enc.Decode(buf[:n], line)
		if err != nil {
			return batchResult{err: &VerifyError{Index: j.first + int64(i), Problem: "leaf line is not standard base64"}}
		}
		if err := rg.Append(hasher.HashLeaf(buf[:m]), nil); err != nil {
			return batchResult{err: err}
		}
	}
	res.ranges = append(res.ranges, rg)
	return res
}
