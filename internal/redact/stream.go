package redact

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"unicode/utf8"
)

// Stream limits. A chunk is redacted as one document once it holds at least
// streamChunk bytes of whole lines; a line longer than maxStreamLine is cut
// at a space (or, failing that, anywhere outside a UTF-8 sequence).
const (
	streamChunk   = 64 << 10
	maxStreamLine = 1 << 20
	// streamContext is how much of the previous chunk's end is analysed
	// again (but not written again) with the next chunk, so that a cue
	// ("card number:") at the end of one chunk applies to the value at the
	// start of the next.
	streamContext = 512
)

// RedactStream redacts text from src to dst in memory bounded by a few
// megabytes whatever the input size. Lines are kept together; context
// carries over chunk boundaries for streamContext bytes. An entity that
// straddles a chunk boundary inside one line longer than maxStreamLine may be
// missed. Invalid UTF-8 fails with an error naming the line.
func (r *Redactor) RedactStream(ctx context.Context, src io.Reader, dst io.Writer) (Counts, error) {
	br := bufio.NewReaderSize(src, 64<<10)
	bw := bufio.NewWriterSize(dst, 64<<10)
	counts := Counts{}
	var chunk []byte
	var prev []byte // context: the tail of the previous chunk
	line := 1       // number of the first line of chunk
	lines := 0      // lines in chunk
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !utf8.Valid(chunk) {
			return fmt.Errorf("%w at line %d", ErrInvalidUTF8, line+badLine(chunk))
		}
		out, c := r.redactChunk(prev, chunk)
		counts.Add(c)
		if _, err := bw.WriteString(out); err != nil {
			return err
		}
		prev = append(prev[:0], tail(chunk, streamContext)...)
		chunk = chunk[:0]
		line += lines
		lines = 0
		return nil
	}
	for {
		part, err := br.ReadSlice('\n')
		chunk = append(chunk, part...)
		if len(part) > 0 && part[len(part)-1] == '\n' {
			lines++
			if len(chunk) >= streamChunk {
				if ferr := flush(); ferr != nil {
					return counts, ferr
				}
			}
		} else if len(chunk) >= maxStreamLine {
			// A very long line: cut at the last space, keep the rest.
			cut := bytes.LastIndexByte(chunk, ' ') + 1
			if cut <= 0 {
				cut = runeCut(chunk)
			}
			rest := append([]byte(nil), chunk[cut:]...)
			chunk = chunk[:cut]
			if ferr := flush(); ferr != nil {
				return counts, ferr
			}
			chunk = append(chunk, rest...)
		}
		if err == io.EOF {
			break
		}
		if err != nil && err != bufio.ErrBufferFull {
			return counts, err
		}
	}
	if err := flush(); err != nil {
		return counts, err
	}
	return counts, bw.Flush()
}

// redactChunk redacts chunk, analysing it after the context prev, and
// returns only chunk's redacted text.
func (r *Redactor) redactChunk(prev, chunk []byte) (string, Counts) {
	w := r.workspace()
	defer r.release(w)
	d := w.textDoc(string(prev) + string(chunk))
	dets := r.detect(w, d)
	// Keep the parts of detections that fall in chunk; clip the others.
	base := int32(len(prev))
	kept := dets[:0]
	for _, det := range dets {
		if det.start() >= base {
			kept = append(kept, det)
			continue
		}
		var parts []rng
		for _, p := range det.parts {
			if p.end <= base {
				continue
			}
			parts = append(parts, rng{max(p.start, base), p.end})
		}
		if len(parts) > 0 {
			det.parts = parts
			kept = append(kept, det)
		}
	}
	d.segs[0].start = int(base)
	out, _, counts := r.render(w, d, kept, w.out[:], false)
	return out[0], counts
}

// tail returns the last n bytes of b, starting at a line or rune boundary.
func tail(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	t := b[len(b)-n:]
	if i := bytes.IndexByte(t, '\n'); i >= 0 && i+1 < len(t) {
		return t[i+1:]
	}
	for len(t) > 0 && !utf8.RuneStart(t[0]) {
		t = t[1:]
	}
	return t
}

// badLine returns the 0-based line of the first invalid UTF-8 in b.
func badLine(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return n
		}
		if r == '\n' {
			n++
		}
		b = b[size:]
	}
	return n
}

// runeCut returns the length of the longest prefix of b that does not end
// inside a UTF-8 sequence.
func runeCut(b []byte) int {
	for k := len(b) - 1; k >= 0 && k >= len(b)-utf8.UTFMax; k-- {
		if utf8.RuneStart(b[k]) {
			if utf8.FullRune(b[k:]) {
				return len(b)
			}
			return k
		}
	}
	return len(b)
}
