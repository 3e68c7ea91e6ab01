package vault

import (
	"errors"
	"fmt"
	"io"
	"sync"
)

// BlobReader reads the plaintext of a blob with random access: it decrypts
// only the segments a read touches and keeps the last one decrypted. Its
// size was authenticated when it was opened. ReadAt may be called
// concurrently; Read and Seek share one position, as for an *os.File.
// It suits http.ServeContent (Range requests).
//
// Reads fail with ErrDecrypt (and return no bytes of the failing segment)
// if the ciphertext was altered.
type BlobReader struct {
	redacted
	src      io.ReaderAt
	layout   layout
	cipher   *segmentCipher
	sealed   int64 // ciphertext size, offset included
	segments int64
	size     int64 // plaintext size
	stats    *counters

	mu     sync.Mutex // guards the fields below
	pos    int64
	cached int64  // index of the segment in plain, or -1
	plain  []byte // plaintext of segment cached, decrypted in place in buf
	buf    []byte // one ciphertext segment
}

// newBlobReader opens the streaming ciphertext of total bytes in src laid
// out as l, with data key ikm and associated data aad. It decrypts the last
// segment at once, which authenticates the size.
func newBlobReader(src io.ReaderAt, total int64, l layout, ikm, aad []byte, stats *counters) (*BlobReader, error) {
	segments, size, err := l.sizes(total)
	if err != nil {
		return nil, stats.fail()
	}
	header := make([]byte, streamHeaderSize)
	if err := readFull(src, header, l.offset, stats); err != nil {
		return nil, err
	}
	c, err := newSegmentCipher(ikm, header, aad)
	if err != nil {
		return nil, stats.fail()
	}
	bufSize := min(l.segmentSize, total-l.firstStart())
	r := &BlobReader{
		src:      src,
		layout:   l,
		cipher:   c,
		sealed:   total,
		segments: segments,
		size:     size,
		stats:    stats,
		cached:   -1,
		buf:      make([]byte, bufSize),
	}
	if _, err := r.segment(segments - 1); err != nil {
		return nil, err
	}
	return r, nil
}

// Size returns the plaintext size.
func (r *BlobReader) Size() int64 { return r.size }

// ReadAt implements io.ReaderAt over the plaintext.
func (r *BlobReader) ReadAt(p []byte, off int64) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readAt(p, off)
}

// Read implements io.Reader over the plaintext.
func (r *BlobReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(p) == 0 {
		return 0, nil
	}
	n, err := r.readAt(p, r.pos)
	r.pos += int64(n)
	if n > 0 && err == io.EOF {
		err = nil
	}
	return n, err
}

// Seek implements io.Seeker over the plaintext. Seeking past the end is
// allowed; reads there return io.EOF.
func (r *BlobReader) Seek(offset int64, whence int) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.pos + offset
	case io.SeekEnd:
		abs = r.size + offset
	default:
		return 0, fmt.Errorf("vault: seek: invalid whence %d", whence)
	}
	if abs < 0 {
		return 0, errors.New("vault: seek: negative position")
	}
	r.pos = abs
	return abs, nil
}

func (r *BlobReader) readAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("vault: read: negative offset")
	}
	n := 0
	for n < len(p) && off < r.size {
		i, within := r.layout.locate(off)
		plain, err := r.segment(i)
		if err != nil {
			return n, err
		}
		c := copy(p[n:], plain[within:])
		n += c
		off += int64(c)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// segment returns the plaintext of segment i, decrypting it unless cached.
func (r *BlobReader) segment(i int64) ([]byte, error) {
	if i == r.cached {
		return r.plain, nil
	}
	r.cached = -1
	start := r.layout.segmentStart(i)
	end := r.sealed
	if i < r.segments-1 {
		end = r.layout.segmentStart(i + 1)
	}
	sealed := r.buf[:end-start]
	if err := readFull(r.src, sealed, start, r.stats); err != nil {
		return nil, err
	}
	plain, err := r.cipher.open(sealed[:0], sealed, i, i == r.segments-1)
	if err != nil {
		return nil, r.stats.fail()
	}
	r.plain, r.cached = plain, i
	return plain, nil
}

// readFull reads len(p) bytes at off. A source shorter than its declared
// size is a truncated ciphertext (ErrDecrypt); other errors are I/O errors.
func readFull(src io.ReaderAt, p []byte, off int64, stats *counters) error {
	n, err := src.ReadAt(p, off)
	switch {
	case n == len(p):
		return nil
	case err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return stats.fail()
	default:
		return fmt.Errorf("vault: read blob ciphertext: %w", err)
	}
}
