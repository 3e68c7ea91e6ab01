package redact_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

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
	cpu := cpuTime()
	for b.Loop() {
		if _, err := r.RedactStream(context.Background(), bytes.NewReader(in), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu, len(in))
}

// cpuTime returns the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds "cpu-MB/s": throughput per second of CPU time, which on a
// machine shared with other work says more about one core than the wall-clock
// MB/s does.
func reportCPU(b *testing.B, since time.Duration, size int) {
	if used := cpuTime() - since; used > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/1e6/used.Seconds(), "cpu-MB/s")
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

// BenchmarkRedactTextDocs measures one RedactText call per document (turns
// joined by newlines), as bench/redact-compare runs every redactor.
func BenchmarkRedactTextDocs(b *testing.B) {
	r, err := redact.New(redact.Config{})
	if err != nil {
		b.Fatal(err)
	}
	var docs []string
	size := 0
	for _, d := range corpus.Generate(7, 2000) {
		var parts []string
		for _, t := range d.Turns {
			parts = append(parts, t.Text)
		}
		docs = append(docs, strings.Join(parts, "\n"))
		size += len(docs[len(docs)-1])
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	cpu := cpuTime()
	for b.Loop() {
		for _, d := range docs {
			if _, err := r.RedactText(d); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportCPU(b, cpu, size)
}

// BenchmarkTokenize measures the tokenizer with its lexicon lookups alone,
// the first stage of every redaction.
func BenchmarkTokenize(b *testing.B) {
	in := string(benchMaterial()[:4<<20])
	b.SetBytes(int64(len(in)))
	b.ResetTimer()
	cpu := cpuTime()
	for b.Loop() {
		if redact.CountTokens(in) == 0 {
			b.Fatal("no tokens")
		}
	}
	reportCPU(b, cpu, len(in))
}
