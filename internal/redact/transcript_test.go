package redact_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/redact"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/transcripts")

// goldenOutput is what the golden files hold for each input transcript.
type goldenOutput struct {
	Transcript redact.Transcript `json:"transcript"`
	Spans      []redact.Span     `json:"spans"`
}

// TestTranscriptGolden redacts the representative transcripts in
// testdata/transcripts and compares with the .golden files. Run
// `go test ./internal/redact -run Golden -update` after an intended change
// and review the diff.
func TestTranscriptGolden(t *testing.T) {
	r := newRedactor(t, redact.Config{})
	inputs, err := filepath.Glob("testdata/transcripts/*.json")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			b, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var tr redact.Transcript
			if err := json.Unmarshal(b, &tr); err != nil {
				t.Fatal(err)
			}
			out, spans, err := r.RedactTranscript(tr)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(goldenOutput{out, spans}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := strings.TrimSuffix(in, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("redacted %s differs from %s:\n%s", in, golden, got)
			}
		})
	}
}

// TestTranscriptSplitCard checks the spans of a card read over two turns
// with a backchannel between: one entity, two parts, word indices and times,
// and the backchannel kept.
func TestTranscriptSplitCard(t *testing.T) {
	r := newRedactor(t, redact.Config{})
	words := func(start float64, text string) []redact.Word {
		var ws []redact.Word
		for w := range strings.FieldsSeq(text) {
			ws = append(ws, redact.Word{Word: w, Start: start, End: start + 0.3})
			start += 0.5
		}
		return ws
	}
	tr := redact.Transcript{Turns: []redact.Turn{
		{Speaker: "agent", Text: "card number please", Words: words(0, "card number please")},
		{Speaker: "customer", Text: "it's 4111 1111", Words: words(2, "it's 4111 1111")},
		{Speaker: "agent", Text: "mhm", Words: words(4, "mhm")},
		{Speaker: "customer", Text: "1111 1111 thanks", Words: words(5, "1111 1111 thanks")},
	}}
	out, spans, err := r.RedactTranscript(tr)
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 2 || spans[0].Entity != spans[1].Entity || spans[0].Type != redact.CardNumber {
		t.Fatalf("spans = %+v", spans)
	}
	s0, s1 := spans[0], spans[1]
	if s0.Turn != 1 || s0.WordStart != 1 || s0.WordEnd != 3 || s0.StartTime != 2.5 || s0.EndTime != 3.3 {
		t.Fatalf("first part = %+v", s0)
	}
	if s1.Turn != 3 || s1.WordStart != 0 || s1.WordEnd != 2 || s1.StartTime != 5 || s1.EndTime != 5.8 {
		t.Fatalf("second part = %+v", s1)
	}
	if out.Turns[2].Text != "mhm" || out.Turns[1].Text != "it's [CARD_NUMBER]" || out.Turns[3].Text != "[CARD_NUMBER] thanks" {
		t.Fatalf("texts = %q %q %q", out.Turns[1].Text, out.Turns[2].Text, out.Turns[3].Text)
	}
	w := out.Turns[1].Words
	if len(w) != 2 || w[1].Word != "[CARD_NUMBER]" || w[1].Start != 2.5 || w[1].End != 3.3 {
		t.Fatalf("redacted words = %+v", w)
	}
}

// TestTranscriptUnalignedWords reports spans whose words cannot be found in
// the text with WordStart -1, which audio redaction refuses.
func TestTranscriptUnalignedWords(t *testing.T) {
	r := newRedactor(t, redact.Config{})
	tr := redact.Transcript{Turns: []redact.Turn{
		{Speaker: "customer", Text: "ssn 123-45-6789", Words: []redact.Word{{Word: "something", Start: 0, End: 1}}},
	}}
	_, spans, err := r.RedactTranscript(tr)
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 1 || spans[0].WordStart != -1 {
		t.Fatalf("spans = %+v", spans)
	}
}
