package redact_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/confide-cc/confide/internal/redact"
	"github.com/confide-cc/confide/internal/redact/corpus"
)

// benchBytes is the size of the benchmark material: at least 10 MiB.
const benchBytes = 10 << 20

// benchMaterial is mixed contact-center text from the seeded corpus (calls,
// chats, emails, notes and PII-free documents), one turn per line.
var benchMaterial = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	for seed := uint64(1); b.Len() < benchBytes; seed++ {
		for _, d := range corpus.Generate(seed, 1000) {
			for _, t := range d.Turns {
				if t.Speaker != "" {
					b.WriteString(t.Speaker + ": ")
				}
				b.WriteString(strings.ReplaceAll(t.Text, "\n", " "))
				b.WriteByte('\n')
			}
		}
	}
	return b.Bytes()
})

// BenchmarkRedactStream measures the full pipeline over ≥ 10 MiB of mixed
// material. Report MiB/s with GOMAXPROCS=1 (see docs/REDACTION.md).
func BenchmarkRedactStream(b *testing.B) {
	r, err := redact.New(redact.Config{})
	if err != nil {
		b.Fatal(err)
	}
	in := benchMaterial()
	b.SetBytes(int64(len(in)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.RedactStream(context.Background(), bytes.NewReader(in), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRedactTranscript measures transcripts with dialogue context.
func BenchmarkRedactTranscript(b *testing.B) {
	r, err := redact.New(redact.Config{})
	if err != nil {
		b.Fatal(err)
	}
	docs := corpus.Generate(7, 2000)
	size := 0
	for _, d := range docs {
		for _, t := range d.Turns {
			size += len(t.Text)
		}
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for b.Loop() {
		for _, d := range docs {
			if _, _, err := r.RedactTranscript(d.Transcript()); err != nil {
				b.Fatal(err)
			}
		}
	}
}
