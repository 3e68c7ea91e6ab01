package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
)

// maxHeader bounds the bytes before the data chunk that NewReader buffers.
const maxHeader = 1 << 20

// NewReader returns a reader of the WAV stream r in which every interval
// (widened by the padding) is overwritten, like Redact, while r is read once
// in bounded memory: only the header and one buffer are held. Every other
// byte passes through unchanged.
//
// Whether each interval lies inside the recording is known only at the end
// of the stream, so an interval that starts at or after the end of the
// audio makes the final Read fail with an error wrapping ErrUnaligned
// instead of io.EOF: a consumer must treat any read error as "nothing
// usable" and keep none of what it read.
func NewReader(r io.Reader, intervals []Interval, opts Options) (io.Reader, error) {
	hdr, info, declared, err := readHeader(r)
	if err != nil {
		return nil, err
	}
	pad := opts.Padding
	if pad == 0 {
		pad = DefaultPadding
	} else if pad < 0 {
		pad = 0
	}
	sr := &streamRedactor{src: r, info: info, opts: opts, header: hdr, declared: declared}
	for k, iv := range intervals {
		if math.IsNaN(iv.Start) || math.IsNaN(iv.End) || math.IsInf(iv.Start, 0) || math.IsInf(iv.End, 0) || iv.Start < 0 || iv.End < iv.Start {
			return nil, fmt.Errorf("%w: interval %d [%.3fs, %.3fs] is not a valid time range", ErrUnaligned, k, iv.Start, iv.End)
		}
		from := int64(math.Floor((iv.Start - pad.Seconds()) * float64(info.SampleRate)))
		to := int64(math.Ceil((iv.End + pad.Seconds()) * float64(info.SampleRate)))
		sr.ranges = append(sr.ranges, frameSpan{from: max(from, 0), to: to, startFrame: int64(iv.Start * float64(info.SampleRate)), index: k})
	}
	sort.Slice(sr.ranges, func(i, j int) bool { return sr.ranges[i].from < sr.ranges[j].from })
	return sr, nil
}

type frameSpan struct {
	from, to   int64 // frames [from, to) to overwrite
	startFrame int64 // the unpadded start, which must lie inside the audio
	index      int
}

type streamRedactor struct {
	src      io.Reader
	info     Info
	opts     Options
	header   []byte // bytes before the samples, passed through first
	declared int64  // data chunk size from the header; -1 if unknown (until EOF)
	ranges   []frameSpan

	dataRead int64  // sample bytes delivered so far
	buf      []byte // processed bytes not yet delivered
	chunk    []byte // read buffer
	carry    []byte // a partial frame waiting for the rest
	tail     bool   // past the data chunk: pass through
	err      error
}

func (s *streamRedactor) Read(p []byte) (int, error) {
	for len(s.header) == 0 && len(s.buf) == 0 && s.err == nil {
		s.fill()
	}
	if len(s.header) > 0 {
		n := copy(p, s.header)
		s.header = s.header[n:]
		return n, nil
	}
	if len(s.buf) > 0 {
		n := copy(p, s.buf)
		s.buf = s.buf[n:]
		return n, nil
	}
	return 0, s.err
}

// fill reads the next chunk of the source into buf, overwriting redacted
// frames, or sets err at the end.
func (s *streamRedactor) fill() {
	if s.chunk == nil {
		s.chunk = make([]byte, 64<<10)
	}
	// buf is empty whenever fill runs, so the chunk can be reused.
	n, err := s.src.Read(s.chunk)
	chunk := s.chunk[:n]
	if s.tail {
		s.buf = chunk
	} else {
		data, rest := chunk, []byte(nil)
		if s.declared >= 0 {
			if left := s.declared - s.dataRead - int64(len(s.carry)); int64(len(data)) >= left {
				data, rest = chunk[:left], chunk[left:]
				s.tail = true
			}
		}
		s.buf = s.process(data)
		if s.tail {
			// The data chunk is complete: a trailing partial frame and any
			// chunks after the samples pass through unchanged.
			s.dataRead += int64(len(s.carry))
			s.buf = append(append(s.buf, s.carry...), rest...)
			s.carry = nil
		}
	}
	if err == io.EOF {
		s.err = s.finish()
	} else if err != nil {
		s.err = err
	}
}

// process overwrites the redacted frames of data, which continues the
// sample stream, and returns the bytes ready to deliver (whole frames; a
// partial frame is carried to the next call).
func (s *streamRedactor) process(data []byte) []byte {
	ba := int64(s.info.BlockAlign)
	all := data
	if len(s.carry) > 0 {
		all = append(s.carry, data...)
	}
	whole := int64(len(all)) / ba * ba
	out, rest := all[:whole], all[whole:]
	s.carry = append([]byte(nil), rest...)
	first := s.dataRead / ba
	last := first + whole/ba
	for _, r := range s.ranges {
		from, to := max(r.from, first), min(r.to, last)
		if from < to {
			fill(out[(from-first)*ba:(to-first)*ba], s.info, int(from), s.opts.Fill)
		}
	}
	s.dataRead += whole
	return out
}

// finish checks, at the end of the stream, that every interval started
// inside the audio.
func (s *streamRedactor) finish() error {
	frames := s.dataRead / int64(s.info.BlockAlign)
	if s.declared >= 0 && s.dataRead < s.declared {
		return fmt.Errorf("audio: stream ended after %d of %d declared sample bytes", s.dataRead, s.declared)
	}
	for _, r := range s.ranges {
		if r.startFrame >= frames {
			return fmt.Errorf("%w: interval %d starts at %.3fs in a %.3fs recording", ErrUnaligned, r.index,
				float64(r.startFrame)/float64(s.info.SampleRate), float64(frames)/float64(s.info.SampleRate))
		}
	}
	if len(s.carry) > 0 {
		s.buf = append(s.buf, s.carry...) // a trailing partial frame passes through, as Parse ignores it
		s.carry = nil
	}
	return io.EOF
}

// readHeader reads r up to the first sample and returns those bytes, the
// format, and the declared data size (-1 if the writer left it unknown).
func readHeader(r io.Reader) ([]byte, Info, int64, error) {
	var hdr bytes.Buffer
	need := func(n int) error {
		if hdr.Len() >= n {
			return nil
		}
		if n > maxHeader {
			return fmt.Errorf("audio: more than %d bytes before the data chunk", maxHeader)
		}
		_, err := io.CopyN(&hdr, r, int64(n-hdr.Len()))
		if errors.Is(err, io.EOF) {
			return errors.New("audio: stream ends inside the WAV header")
		}
		return err
	}
	if err := need(12); err != nil {
		return nil, Info{}, 0, err
	}
	b := hdr.Bytes()
	if string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, Info{}, 0, errors.New("audio: not a RIFF/WAVE file")
	}
	var info Info
	haveFmt := false
	for off := 12; ; {
		if err := need(off + 8); err != nil {
			return nil, Info{}, 0, err
		}
		b = hdr.Bytes()
		id := string(b[off : off+4])
		size := int64(binary.LittleEndian.Uint32(b[off+4 : off+8]))
		body := off + 8
		if id == "data" {
			if !haveFmt {
				return nil, Info{}, 0, errors.New("audio: data chunk before fmt chunk")
			}
			if size == 0 || size == 0xFFFFFFFF {
				size = -1 // a streaming writer that did not know the length
			}
			info.DataOffset = body
			return hdr.Bytes(), info, size, nil
		}
		if err := need(body + int(size) + int(size&1)); err != nil {
			return nil, Info{}, 0, err
		}
		b = hdr.Bytes()
		if id == "fmt " {
			if err := parseFmt(b[body:body+int(size)], &info); err != nil {
				return nil, Info{}, 0, err
			}
			haveFmt = true
		}
		off = body + int(size) + int(size&1)
	}
}
