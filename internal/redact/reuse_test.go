package redact_test

import (
	"bytes"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/confide-cc/confide/internal/redact"
	"github.com/confide-cc/confide/internal/redact/corpus"
)

// TestCallsAreIndependent checks that a Redactor's calls do not depend on
// each other: documents redacted concurrently and in reverse order by one
// Redactor give exactly what another gives redacting them one by one in
// order, although both reuse their buffers from call to call.
func TestCallsAreIndependent(t *testing.T) {
	cfg := redact.Config{DefaultOperator: redact.OpMask, Operators: map[redact.EntityType]redact.Operator{
		redact.Person: redact.OpPseudonym}, Key: bytes.Repeat([]byte{7}, redact.MinKeyBytes)}
	docs := corpus.Generate(11, 300)
	type outcome struct {
		text       redact.Result
		transcript redact.Transcript
		spans      []redact.Span
	}
	run := func(r *redact.Redactor, d *corpus.Doc) outcome {
		var parts []string
		for _, turn := range d.Turns {
			parts = append(parts, turn.Text)
		}
		res, err := r.RedactText(strings.Join(parts, "\n"))
		if err != nil {
			t.Error(err)
		}
		tr, spans, err := r.RedactTranscript(d.Transcript())
		if err != nil {
			t.Error(err)
		}
		return outcome{res, tr, spans}
	}
	seq := newRedactor(t, cfg)
	want := make([]outcome, len(docs))
	for i := range docs {
		want[i] = run(seq, &docs[i])
	}
	shared := newRedactor(t, cfg)
	got := make([]outcome, len(docs))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := len(docs) - 1 - g; i >= 0; i -= 4 {
				got[i] = run(shared, &docs[i])
			}
		})
	}
	wg.Wait()
	for i := range docs {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("document %d: concurrent result differs from sequential:\n got %+v\nwant %+v", i, got[i].text, want[i].text)
		}
	}
}
