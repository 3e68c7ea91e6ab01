package audio_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/confide-cc/confide/internal/redact/audio"
)

// TestNewReaderMatchesRedact: streaming gives exactly the bytes of the
// in-memory Redact, whatever the read sizes, for every format and fill.
func TestNewReaderMatchesRedact(t *testing.T) {
	for _, tc := range []struct {
		name     string
		format   audio.Format
		channels int
		rate     int
	}{
		{"mulaw 8k mono", audio.MuLaw, 1, 8000},
		{"alaw 8k stereo", audio.ALaw, 2, 8000},
		{"pcm16 16k stereo", audio.PCM16, 2, 16000},
		{"pcm16 48k mono", audio.PCM16, 1, 48000},
	} {
		for _, fill := range []audio.Fill{audio.Silence, audio.Tone} {
			t.Run(tc.name, func(t *testing.T) {
				bps := map[audio.Format]int{audio.PCM16: 2, audio.MuLaw: 1, audio.ALaw: 1}[tc.format]
				samples := make([]byte, 3*tc.rate*tc.channels*bps) // 3 s
				for i := range samples {
					samples[i] = byte(i*7 + 3)
				}
				wav := audio.Write(tc.format, tc.channels, tc.rate, samples)
				wav = append(wav, []byte("LIST\x04\x00\x00\x00abcd")...) // a chunk after the data
				ivs := []audio.Interval{{Start: 0.5, End: 0.9}, {Start: 2.9, End: 3.5}, {Start: 0, End: 0.01}}
				opts := audio.Options{Fill: fill}

				want := bytes.Clone(wav)
				info, err := audio.Parse(want)
				if err != nil {
					t.Fatal(err)
				}
				if err := audio.Redact(want, info, ivs, opts); err != nil {
					t.Fatal(err)
				}
				for _, wrap := range []func(io.Reader) io.Reader{func(r io.Reader) io.Reader { return r }, iotest.OneByteReader, iotest.HalfReader} {
					r, err := audio.NewReader(wrap(bytes.NewReader(wav)), ivs, opts)
					if err != nil {
						t.Fatal(err)
					}
					got, err := io.ReadAll(r)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("streamed output differs from Redact")
					}
				}
			})
		}
	}
}

func TestNewReaderFailsLoudly(t *testing.T) {
	wav := audio.Write(audio.MuLaw, 1, 8000, make([]byte, 8000)) // 1 s
	for _, tc := range []struct {
		name string
		in   []byte
		ivs  []audio.Interval
		open bool // error already from NewReader
	}{
		{"interval after the end", wav, []audio.Interval{{Start: 1.5, End: 2}}, false},
		{"truncated stream", wav[:len(wav)-100], nil, false},
		{"reversed interval", wav, []audio.Interval{{Start: 0.5, End: 0.2}}, true},
		{"not a wav", []byte("ID3\x03 this is an mp3"), nil, true},
		{"header only", wav[:20], nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := audio.NewReader(bytes.NewReader(tc.in), tc.ivs, audio.Options{})
			if tc.open {
				if err == nil {
					t.Fatal("NewReader accepted it")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadAll(r); err == nil {
				t.Fatal("the stream ended cleanly; want an error")
			} else if tc.ivs != nil && !errors.Is(err, audio.ErrUnaligned) {
				t.Fatalf("err = %v, want ErrUnaligned", err)
			}
		})
	}
}

func FuzzNewReader(f *testing.F) {
	f.Add(audio.Write(audio.PCM16, 2, 8000, make([]byte, 4000)), 0.1, 0.2)
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEdata\xff\xff\xff\xff"), 0.0, 1.0)
	f.Fuzz(func(t *testing.T, b []byte, start, end float64) {
		r, err := audio.NewReader(bytes.NewReader(b), []audio.Interval{{Start: start, End: end}}, audio.Options{})
		if err != nil {
			return
		}
		out, err := io.ReadAll(r)
		if err == nil && len(out) != len(b) {
			t.Fatalf("output %d bytes, input %d", len(out), len(b))
		}
	})
}
