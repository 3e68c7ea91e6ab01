// Package audio removes redacted spans from call recordings: given a WAV
// file (16-bit PCM or G.711 µ-law/A-law, mono or one channel per party,
// 8–48 kHz) and the time intervals of redacted words, it overwrites those
// intervals with silence or a tone. Every byte outside the intervals,
// including the header and any other chunks, is left unchanged.
package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Format is a WAV sample encoding.
type Format int

// Supported formats.
const (
	PCM16 Format = iota + 1 // linear PCM, 16-bit little-endian
	MuLaw                   // G.711 µ-law, 8-bit
	ALaw                    // G.711 A-law, 8-bit
)

func (f Format) String() string {
	switch f {
	case PCM16:
		return "PCM 16-bit"
	case MuLaw:
		return "G.711 µ-law"
	case ALaw:
		return "G.711 A-law"
	}
	return "unknown"
}

// Info describes a parsed WAV file.
type Info struct {
	Format     Format
	Channels   int
	SampleRate int
	// BlockAlign is the size in bytes of one frame (one sample per channel).
	BlockAlign int
	// DataOffset and DataSize locate the samples in the file.
	DataOffset, DataSize int
}

// Duration returns the length of the recording in seconds.
func (in Info) Duration() float64 {
	return float64(in.DataSize/in.BlockAlign) / float64(in.SampleRate)
}

// ErrUnsupported is wrapped by errors for valid WAV files this package does
// not handle (another codec, sample rate or channel count).
var ErrUnsupported = errors.New("audio: unsupported WAV")

// WAVE format tags.
const (
	tagPCM        = 0x0001
	tagALaw       = 0x0006
	tagMuLaw      = 0x0007
	tagExtensible = 0xFFFE
)

// Parse reads the RIFF/WAVE header of a whole file held in b. It never
// panics; malformed input gives an error that says what is wrong.
func Parse(b []byte) (Info, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return Info{}, errors.New("audio: not a RIFF/WAVE file")
	}
	var info Info
	haveFmt := false
	for off := 12; off+8 <= len(b); {
		id := string(b[off : off+4])
		size := int(binary.LittleEndian.Uint32(b[off+4 : off+8]))
		body := off + 8
		if size < 0 || size > len(b)-body {
			if id == "data" && haveFmt {
				// Streaming writers leave the size 0 or too large: take the rest.
				size = len(b) - body
			} else {
				return Info{}, fmt.Errorf("audio: chunk %q at byte %d runs past the end of the file", printable(id), off)
			}
		}
		switch id {
		case "fmt ":
			if err := parseFmt(b[body:body+size], &info); err != nil {
				return Info{}, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return Info{}, errors.New("audio: data chunk before fmt chunk")
			}
			info.DataOffset, info.DataSize = body, size-size%info.BlockAlign
			return info, nil
		}
		off = body + size + size&1 // chunks are padded to even sizes
	}
	if !haveFmt {
		return Info{}, errors.New("audio: no fmt chunk")
	}
	return Info{}, errors.New("audio: no data chunk")
}

func parseFmt(f []byte, info *Info) error {
	if len(f) < 16 {
		return errors.New("audio: fmt chunk shorter than 16 bytes")
	}
	tag := binary.LittleEndian.Uint16(f[0:2])
	channels := int(binary.LittleEndian.Uint16(f[2:4]))
	rate := int(binary.LittleEndian.Uint32(f[4:8]))
	align := int(binary.LittleEndian.Uint16(f[12:14]))
	bits := int(binary.LittleEndian.Uint16(f[14:16]))
	if tag == tagExtensible {
		if len(f) < 40 {
			return errors.New("audio: WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes")
		}
		tag = binary.LittleEndian.Uint16(f[24:26]) // the sub-format GUID starts with the tag
	}
	switch {
	case tag == tagPCM && bits == 16:
		info.Format = PCM16
	case tag == tagMuLaw && bits == 8:
		info.Format = MuLaw
	case tag == tagALaw && bits == 8:
		info.Format = ALaw
	default:
		return fmt.Errorf("%w: format tag 0x%04x with %d bits per sample (want PCM 16-bit, µ-law or A-law 8-bit)", ErrUnsupported, tag, bits)
	}
	if channels < 1 || channels > 2 {
		return fmt.Errorf("%w: %d channels (want 1 or 2)", ErrUnsupported, channels)
	}
	if rate < 8000 || rate > 48000 {
		return fmt.Errorf("%w: sample rate %d Hz (want 8000–48000)", ErrUnsupported, rate)
	}
	if want := channels * bits / 8; align != want {
		return fmt.Errorf("audio: block align %d, want %d for %d channels of %d bits", align, want, channels, bits)
	}
	info.Channels, info.SampleRate, info.BlockAlign = channels, rate, align
	return nil
}

func printable(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '?'
		}
	}
	return string(b)
}

// Write returns a minimal WAV file holding samples (already encoded in
// format, frames interleaved).
func Write(format Format, channels, rate int, samples []byte) []byte {
	tag, bits := uint16(tagPCM), 16
	switch format {
	case MuLaw:
		tag, bits = tagMuLaw, 8
	case ALaw:
		tag, bits = tagALaw, 8
	}
	align := channels * bits / 8
	b := make([]byte, 0, 44+len(samples)+1)
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(36+len(samples)+len(samples)&1))
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, tag)
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*align))
	b = binary.LittleEndian.AppendUint16(b, uint16(align))
	b = binary.LittleEndian.AppendUint16(b, uint16(bits))
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(samples)))
	b = append(b, samples...)
	if len(samples)&1 == 1 {
		b = append(b, 0)
	}
	return b
}
