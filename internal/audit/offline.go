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

	"golang.org/x/mod/sumdb/note"
)

// ExportResult is what VerifyExport established.
type ExportResult struct {
	Checkpoint Checkpoint
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
	f, err := os.Open(filepath.Join(dir, LeavesFile))
	if err != nil {
		return ExportResult{}, fmt.Errorf("audit: export leaves: %w", err)
	}
	defer f.Close()
	size, root, roots, err := HashLeaves(f, opts.Workers, opts.RootsAt)
	if err != nil {
		return ExportResult{}, err
	}
	if size != c.Size {
		return ExportResult{}, fmt.Errorf("audit: the export has %d leaves, its checkpoint covers %d", size, c.Size)
	}
	if !bytes.Equal(root, c.Hash) {
		return ExportResult{}, fmt.Errorf("audit: the root hash of the %d exported leaves does not match the signed checkpoint", size)
	}
	return ExportResult{Checkpoint: c, Roots: roots}, nil
}

// leafBatch is the number of leaf lines one worker hashes at a time.
const leafBatch = 8192

// maxLeafLine bounds one leaf line (base64 of an event).
const maxLeafLine = 1 << 20

// job is a batch of leaf lines for a worker.
type job struct {
	first int64    // index of the first line
	lines [][]byte // without their newline
	out   chan<- batchResult
}

type batchResult struct {
	hashes [][]byte
	err    error
}

// HashLeaves reads leaf lines (standard base64, one per line, each ending
// in "\n") from r and returns their number and RFC 6962 root hash, plus the
// root hash at each of rootsAt that the leaves reach. Leaves are decoded
// and hashed by workers goroutines (0: GOMAXPROCS); the tree is built in
// order on the calling goroutine.
func HashLeaves(r io.Reader, workers int, rootsAt []uint64) (size uint64, root []byte, roots map[uint64][]byte, err error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan job)
	order := make(chan chan batchResult, 2*workers)
	done := make(chan struct{})
	defer close(done)
	for range workers {
		go func() {
			for j := range jobs {
				j.out <- hashBatch(j.first, j.lines)
			}
		}()
	}
	readErr := make(chan error, 1)
	go func() { readErr <- readBatches(r, jobs, order, done) }()

	want := slices.Clone(rootsAt)
	slices.Sort(want)
	roots = make(map[uint64][]byte)
	rg := rangeFactory.NewEmptyRange(0)
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
		for _, h := range res.hashes {
			if err := rg.Append(h, nil); err != nil {
				return 0, nil, nil, err
			}
			if len(want) > 0 && want[0] == rg.End() {
				if err := check(); err != nil {
					return 0, nil, nil, err
				}
			}
		}
	}
	if err := <-readErr; err != nil {
		return 0, nil, nil, err
	}
	root, err = rootOf(rg)
	return rg.End(), root, roots, err
}

// readBatches splits r into batches of lines, hands each to a worker and
// queues its result channel in order. It closes jobs and order when done.
func readBatches(r io.Reader, jobs chan<- job, order chan<- chan batchResult, done <-chan struct{}) error {
	defer close(order)
	defer close(jobs)
	br := bufio.NewReaderSize(r, 1<<20)
	var index int64
	for {
		lines := make([][]byte, 0, leafBatch)
		var err error
		for len(lines) < leafBatch {
			var line []byte
			line, err = br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				return &VerifyError{Index: index + int64(len(lines)), Problem: fmt.Sprintf("leaf line longer than %d bytes", maxLeafLine)}
			}
			if err != nil {
				if len(line) > 0 {
					return &VerifyError{Index: index + int64(len(lines)), Problem: "last leaf line does not end with a newline"}
				}
				break
			}
			lines = append(lines, bytes.Clone(line[:len(line)-1]))
		}
		if len(lines) > 0 {
			out := make(chan batchResult, 1)
			select {
			case jobs <- job{first: index, lines: lines, out: out}:
			case <-done:
				return nil
			}
			select {
			case order <- out:
			case <-done:
				return nil
			}
			index += int64(len(lines))
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("audit: read leaves: %w", err)
		}
	}
}

// hashBatch decodes and hashes one batch of leaf lines.
func hashBatch(first int64, lines [][]byte) batchResult {
	hashes := make([][]byte, len(lines))
	buf := make([]byte, 0, 1024)
	enc := base64.StdEncoding.Strict()
	for i, line := range lines {
		if bytes.IndexByte(line, '\r') >= 0 {
			return batchResult{err: &VerifyError{Index: first + int64(i), Problem: "leaf line contains a carriage return"}}
		}
		n := enc.DecodedLen(len(line))
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		m, err := enc.Decode(buf[:n], line)
		if err != nil {
			return batchResult{err: &VerifyError{Index: first + int64(i), Problem: "leaf line is not standard base64"}}
		}
		hashes[i] = hasher.HashLeaf(buf[:m])
	}
	return batchResult{hashes: hashes}
}
