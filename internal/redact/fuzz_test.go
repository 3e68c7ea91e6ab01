package redact_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/confide-cc/confide/internal/redact"
)

// checkSpans verifies the invariants of RedactText's result for in: spans
// are in bounds, ordered and disjoint; the text outside them is unchanged.
func checkSpans(t *testing.T, in string, res redact.Result) {
	t.Helper()
	last := 0
	var rebuilt strings.Builder
	for _, s := range res.Spans {
		if s.Start < last || s.End <= s.Start || s.End > len(in) {
			t.Fatalf("bad span %+v (previous end %d, len %d)", s, last, len(in))
		}
		rebuilt.WriteString(in[last:s.Start])
		rebuilt.WriteString("\x00")
		last = s.End
	}
	rebuilt.WriteString(in[last:])
	// Every stretch between spans appears, in order, in the output.
	pos := 0
	for _, piece := range strings.Split(rebuilt.String(), "\x00") {
		k := strings.Index(res.Text[pos:], piece)
		if k < 0 {
			t.Fatalf("unredacted text %q lost from output %q", piece, res.Text)
		}
		pos += k + len(piece)
	}
	if !utf8.ValidString(res.Text) {
		t.Fatal("output is not valid UTF-8")
	}
}

// FuzzRedactText drives the tokenizer, the normalizer and every detector.
func FuzzRedactText(f *testing.F) {
	for _, s := range []string{
		"card 4111 1111 1111 1111 exp 12/26 cvv 123",
		"four one one one for one one one one one one one one one one five",
		"my name is Sarah Johnson, I live at 1234 Oak Avenue, Springfield, IL 62704",
		"j dot smith at gmail dot com", "IBAN GB82 WEST 1234 5698 7654 32", "dob 7/28/84 cb 555 0142",
		"twenty twenty six oh nine double four triple", "Hauptstraße 5, 10115 Berlin", "password: x'y’z",
		"(415) 555-2671 +44 20 7946 0958 192.168.1.1", "AB 12 34 56 C", "'84 july the first",
	} {
		f.Add(s)
	}
	r, err := redact.New(redact.Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		res, err := r.RedactText(in)
		if !utf8.ValidString(in) {
			if err == nil {
				t.Fatal("accepted invalid UTF-8")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		checkSpans(t, in, res)
		if res.Counts.Total() > len(res.Spans) {
			t.Fatalf("%d entities but %d spans", res.Counts.Total(), len(res.Spans))
		}
	})
}

// FuzzRedactTranscript drives the transcript reader (JSON decoding and word
// alignment) and cross-turn detection.
func FuzzRedactTranscript(f *testing.F) {
	f.Add(`{"turns":[{"speaker":"agent","text":"card number?","words":[{"word":"card","start":0,"end":0.3}]},{"speaker":"customer","text":"four one one one","words":[{"word":"four","start":1,"end":1.2},{"word":"one","start":1.3,"end":1.4}]},{"speaker":"agent","text":"mhm"},{"speaker":"customer","text":"one one one one"}]}`)
	f.Add(`{"turns":[{"speaker":"customer","text":"","words":[{"word":"ssn","start":0,"end":1},{"word":"123-45-6789","start":1,"end":2}]}]}`)
	r, err := redact.New(redact.Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var tr redact.Transcript
		if json.Unmarshal([]byte(in), &tr) != nil {
			return
		}
		out, spans, err := r.RedactTranscript(tr)
		if err != nil {
			return // invalid UTF-8 in a turn
		}
		if len(out.Turns) != len(tr.Turns) {
			t.Fatalf("%d turns out, %d in", len(out.Turns), len(tr.Turns))
		}
		for _, s := range spans {
			if s.Turn < 0 || s.Turn >= len(tr.Turns) || s.Start < 0 || s.End <= s.Start {
				t.Fatalf("bad span %+v", s)
			}
			if s.WordStart >= 0 && (s.WordEnd <= s.WordStart || s.WordEnd > len(tr.Turns[s.Turn].Words)) {
				t.Fatalf("bad word range %+v", s)
			}
		}
		if !slices.IsSortedFunc(spans, func(a, b redact.Span) int {
			if a.Turn != b.Turn {
				return a.Turn - b.Turn
			}
			return a.Start - b.Start
		}) {
			t.Fatalf("spans out of order: %+v", spans)
		}
	})
}
