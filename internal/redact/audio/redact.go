package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// Interval is a stretch of the recording to remove, in seconds.
type Interval struct {
	Start, End float64
}

// Fill is what replaces removed audio.
type Fill int

// Fills.
const (
	Silence Fill = iota
	Tone         // a 1 kHz tone at -20 dBFS, audible as a deliberate gap
)

// DefaultPadding is added before and after every interval.
const DefaultPadding = 150 * time.Millisecond

// Options controls Redact. The zero value pads by DefaultPadding and fills
// with silence.
type Options struct {
	// Padding widens each interval on both sides; negative means none.
	// Zero means DefaultPadding.
	Padding time.Duration
	Fill    Fill
}

// ErrUnaligned is wrapped by errors for intervals that do not fit the
// recording: a redaction that cannot be placed must fail, never pass the
// audio through.
var ErrUnaligned = errors.New("audio: interval cannot be aligned to the recording")

// Redact overwrites every interval (widened by the padding) of the WAV file
// held in b, in place, on all channels. It fails without changing b if any
// interval is not finite, is reversed, or starts after the recording ends.
func Redact(b []byte, info Info, intervals []Interval, opts Options) error {
	if info.BlockAlign <= 0 || info.SampleRate <= 0 || info.DataOffset < 0 || info.DataOffset+info.DataSize > len(b) {
		return errors.New("audio: info does not describe b")
	}
	pad := opts.Padding
	if pad == 0 {
		pad = DefaultPadding
	} else if pad < 0 {
		pad = 0
	}
	frames := info.DataSize / info.BlockAlign
	dur := info.Duration()
	type frameRange struct{ from, to int }
	ranges := make([]frameRange, 0, len(intervals))
	for k, iv := range intervals {
		if math.IsNaN(iv.Start) || math.IsNaN(iv.End) || math.IsInf(iv.Start, 0) || math.IsInf(iv.End, 0) ||
			iv.Start < 0 || iv.End < iv.Start || iv.Start >= dur {
			return fmt.Errorf("%w: interval %d [%.3fs, %.3fs] in a %.3fs recording", ErrUnaligned, k, iv.Start, iv.End, dur)
		}
		from := int(math.Floor((iv.Start - pad.Seconds()) * float64(info.SampleRate)))
		to := int(math.Ceil((iv.End + pad.Seconds()) * float64(info.SampleRate)))
		ranges = append(ranges, frameRange{max(from, 0), min(to, frames)})
	}
	data := b[info.DataOffset : info.DataOffset+info.DataSize]
	for _, r := range ranges {
		fill(data[r.from*info.BlockAlign:r.to*info.BlockAlign], info, r.from, opts.Fill)
	}
	return nil
}

// fill overwrites the frames in seg, whose first frame is number first.
func fill(seg []byte, info Info, first int, f Fill) {
	if f == Silence {
		var s byte
		switch info.Format {
		case MuLaw:
			s = 0xFF // µ-law code for 0
		case ALaw:
			s = 0xD5 // A-law code for 0
		}
		for i := range seg {
			seg[i] = s
		}
		return
	}
	const amp = 3277 // -20 dBFS of 32767
	step := 2 * math.Pi * 1000 / float64(info.SampleRate)
	for fr := 0; fr*info.BlockAlign < len(seg); fr++ {
		v := int16(amp * math.Sin(step*float64(first+fr)))
		for c := range info.Channels {
			switch info.Format {
			case PCM16:
				binary.LittleEndian.PutUint16(seg[fr*info.BlockAlign+2*c:], uint16(v))
			case MuLaw:
				seg[fr*info.BlockAlign+c] = EncodeMuLaw(v)
			case ALaw:
				seg[fr*info.BlockAlign+c] = EncodeALaw(v)
			}
		}
	}
}
