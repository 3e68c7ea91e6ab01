package audio_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/redact/audio"
)

// recording returns a WAV of seconds of a 440 Hz sine in format.
func recording(format audio.Format, channels, rate int, seconds float64) []byte {
	frames := int(seconds * float64(rate))
	var samples []byte
	for i := range frames {
		v := int16(8000 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
		for range channels {
			switch format {
			case audio.PCM16:
				samples = binary.LittleEndian.AppendUint16(samples, uint16(v))
			case audio.MuLaw:
				samples = append(samples, audio.EncodeMuLaw(v))
			case audio.ALaw:
				samples = append(samples, audio.EncodeALaw(v))
			}
		}
	}
	return audio.Write(format, channels, rate, samples)
}

func TestRedactFormats(t *testing.T) {
	cases := []struct {
		format   audio.Format
		channels int
		rate     int
		zero     byte
	}{
		{audio.PCM16, 1, 8000, 0}, {audio.PCM16, 2, 16000, 0}, {audio.PCM16, 1, 48000, 0},
		{audio.MuLaw, 1, 8000, 0xFF}, {audio.MuLaw, 2, 8000, 0xFF},
		{audio.ALaw, 1, 8000, 0xD5}, {audio.ALaw, 2, 44100, 0xD5},
	}
	for _, c := range cases {
		t.Run(c.format.String(), func(t *testing.T) {
			orig := recording(c.format, c.channels, c.rate, 3)
			b := bytes.Clone(orig)
			info, err := audio.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if info.Format != c.format || info.Channels != c.channels || info.SampleRate != c.rate {
				t.Fatalf("Parse = %+v", info)
			}
			if d := info.Duration(); math.Abs(d-3) > 0.001 {
				t.Fatalf("Duration = %v, want 3", d)
			}
			iv := audio.Interval{Start: 1.0, End: 1.5}
			if err := audio.Redact(b, info, []audio.Interval{iv}, audio.Options{}); err != nil {
				t.Fatal(err)
			}
			pad := audio.DefaultPadding.Seconds()
			from := info.DataOffset + int((iv.Start-pad)*float64(c.rate))*info.BlockAlign
			to := info.DataOffset + int(math.Ceil((iv.End+pad)*float64(c.rate)))*info.BlockAlign
			if !bytes.Equal(b[:from], orig[:from]) || !bytes.Equal(b[to:], orig[to:]) {
				t.Fatal("bytes outside the padded interval changed")
			}
			for i := from; i < to; i++ {
				if b[i] != c.zero {
					t.Fatalf("byte %d = %#x inside the interval, want silence %#x", i, b[i], c.zero)
				}
			}
		})
	}
}

func TestRedactTone(t *testing.T) {
	b := recording(audio.MuLaw, 1, 8000, 2)
	info, err := audio.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := audio.Redact(b, info, []audio.Interval{{Start: 0.5, End: 1}}, audio.Options{Fill: audio.Tone, Padding: -1}); err != nil {
		t.Fatal(err)
	}
	// The tone replaces the 440 Hz sine: decode and compare its level.
	var peak int16
	for _, u := range b[info.DataOffset+4000 : info.DataOffset+8000] {
		peak = max(peak, audio.DecodeMuLaw(u))
	}
	if peak < 3000 || peak > 3500 {
		t.Fatalf("tone peak %d, want about 3277 (-20 dBFS)", peak)
	}
}

func TestRedactUnaligned(t *testing.T) {
	b := recording(audio.PCM16, 1, 8000, 1)
	orig := bytes.Clone(b)
	info, err := audio.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, iv := range []audio.Interval{{Start: 2, End: 3}, {Start: -1, End: 0.5}, {Start: 0.5, End: 0.2}, {Start: math.NaN(), End: 1}} {
		err := audio.Redact(b, info, []audio.Interval{{Start: 0.1, End: 0.2}, iv}, audio.Options{})
		if !errors.Is(err, audio.ErrUnaligned) {
			t.Errorf("Redact(%v) = %v, want ErrUnaligned", iv, err)
		}
		if !bytes.Equal(b, orig) {
			t.Fatalf("Redact(%v) failed but changed the audio", iv)
		}
	}
}

func TestParseErrors(t *testing.T) {
	good := recording(audio.PCM16, 1, 8000, 0.1)
	mp3ish := bytes.Clone(good)
	binary.LittleEndian.PutUint16(mp3ish[20:], 0x55) // MPEG layer 3
	rate := bytes.Clone(good)
	binary.LittleEndian.PutUint32(rate[24:], 96000)
	for name, b := range map[string][]byte{
		"empty": nil, "not riff": []byte("RIFX....WAVEfmt "), "truncated fmt": good[:30],
		"no data": good[:36], "mp3": mp3ish, "96 kHz": rate,
	} {
		if _, err := audio.Parse(b); err == nil {
			t.Errorf("%s: Parse succeeded", name)
		}
	}
	if _, err := audio.Parse(mp3ish); !errors.Is(err, audio.ErrUnsupported) {
		t.Errorf("mp3: error %v does not wrap ErrUnsupported", err)
	}
}

func TestG711RoundTrip(t *testing.T) {
	for v := -32768; v <= 32767; v += 7 {
		s := int16(v)
		for name, got := range map[string]int16{"mulaw": audio.DecodeMuLaw(audio.EncodeMuLaw(s)), "alaw": audio.DecodeALaw(audio.EncodeALaw(s))} {
			tol := max(64, int(math.Abs(float64(v)))/16)
			if d := int(got) - v; d > tol || d < -tol {
				t.Fatalf("%s(%d) round trip = %d", name, v, got)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(recording(audio.PCM16, 1, 8000, 0.01))
	f.Add(recording(audio.MuLaw, 2, 8000, 0.01))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVE"))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := audio.Parse(b)
		if err != nil {
			return
		}
		if info.DataOffset+info.DataSize > len(b) || info.DataSize%info.BlockAlign != 0 {
			t.Fatalf("Parse returned %+v for %d bytes", info, len(b))
		}
		_ = audio.Redact(b, info, []audio.Interval{{Start: 0, End: 0.01}}, audio.Options{Fill: audio.Tone})
	})
}

// BenchmarkRedactMuLaw8k measures redaction of a 10-minute 8 kHz µ-law call
// with a span every 10 seconds; the "x-realtime" metric is recording seconds
// per second of processing, including parsing.
func BenchmarkRedactMuLaw8k(b *testing.B) {
	const seconds = 600
	orig := recording(audio.MuLaw, 1, 8000, seconds)
	var ivs []audio.Interval
	for s := 5.0; s < seconds; s += 10 {
		ivs = append(ivs, audio.Interval{Start: s, End: s + 2})
	}
	buf := make([]byte, len(orig))
	b.SetBytes(int64(len(orig)))
	start := time.Now()
	for b.Loop() {
		copy(buf, orig)
		info, err := audio.Parse(buf)
		if err != nil {
			b.Fatal(err)
		}
		if err := audio.Redact(buf, info, ivs, audio.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(seconds*float64(b.N)/time.Since(start).Seconds(), "x-realtime")
}
