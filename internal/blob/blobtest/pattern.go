package blobtest

import (
	"encoding/binary"
	"errors"
	"io"
)

// pattern is a deterministic pseudo-random byte sequence that can be
// generated from any offset, so tests can stream and check objects far
// larger than they would want to hold in memory.
type pattern uint64

// fill writes the pattern's bytes at offsets [off, off+len(p)) into p.
// Byte i of the pattern is byte i%8 (little-endian) of word(i/8).
func (s pattern) fill(p []byte, off int64) {
	for len(p) > 0 && off%8 != 0 {
		p[0] = byte(s.word(off/8) >> (8 * (off % 8)))
		p, off = p[1:], off+1
	}
	for len(p) >= 8 {
		binary.LittleEndian.PutUint64(p, s.word(off/8))
		p, off = p[8:], off+8
	}
	if len(p) > 0 {
		var last [8]byte
		binary.LittleEndian.PutUint64(last[:], s.word(off/8))
		copy(p, last[:])
	}
}

// word returns the pattern's i-th 8-byte word.
func (s pattern) word(i int64) uint64 {
	return splitmix64(uint64(s) ^ uint64(i))
}

// bytes returns the first n bytes of the pattern.
func (s pattern) bytes(n int) []byte {
	p := make([]byte, n)
	s.fill(p, 0)
	return p
}

// reader returns a reader of the pattern's first size bytes.
func (s pattern) reader(size int64) io.Reader {
	return &patternReader{pattern: s, size: size}
}

// splitmix64 is the SplitMix64 mixing function.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

type patternReader struct {
	pattern pattern
	off     int64
	size    int64
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	if rest := r.size - r.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	r.pattern.fill(p, r.off)
	r.off += int64(len(p))
	return len(p), nil
}

// errSource is the error a failingReader fails with.
var errSource = errors.New("blobtest: source failed")

// failingReader yields n bytes of r and then fails with errSource.
func failingReader(r io.Reader, n int64) io.Reader {
	return io.MultiReader(io.LimitReader(r, n), errReader{})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errSource }

// hookReader calls hook once, after the first n bytes of r have been read.
type hookReader struct {
	r    io.Reader
	n    int64
	hook func()
}

func (h *hookReader) Read(p []byte) (int, error) {
	if h.hook != nil && h.n <= 0 {
		h.hook()
		h.hook = nil
	}
	if h.hook != nil && int64(len(p)) > h.n {
		p = p[:h.n]
	}
	n, err := h.r.Read(p)
	h.n -= int64(n)
	return n, err
}
