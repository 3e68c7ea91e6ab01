package redact_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/redact"
	"github.com/confide-cc/confide/internal/redact/corpus"
)

// accuracySeed and accuracyDocs fix the corpus the targets are measured on.
const (
	accuracySeed = 20260101
	accuracyDocs = 3000
)

// Recall targets from issue 4, per entity type; every surface form of the
// type must meet its type's target.
var recallTargets = map[redact.EntityType]float64{
	redact.CardNumber: 0.995, redact.CardCVV: 0.995, redact.CardExpiry: 0.995,
	redact.SSN: 0.99, redact.Email: 0.99, redact.Phone: 0.99,
	redact.Address: 0.95,
}

// Names: 95% in cased text, 90% in lowercase ASR text.
const (
	personRecallCased = 0.95
	personRecallLower = 0.90
	// structuredPrecision applies to every type except names, addresses and
	// free-text secrets.
	structuredPrecision = 0.97
	maxCollateral       = 0.01
)

type tally struct{ tp, fn int }

func (t tally) recall() float64 {
	if t.tp+t.fn == 0 {
		return 1
	}
	return float64(t.tp) / float64(t.tp+t.fn)
}

func (t tally) precision(fp int) float64 {
	if t.tp+fp == 0 {
		return 1
	}
	return float64(t.tp) / float64(t.tp+fp)
}

func f2(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 5 * p * r / (4*p + r)
}

// covered reports whether every letter and digit of text[start:end] lies
// inside one of the spans.
func covered(text string, start, end int, spans []redact.Span) bool {
	for i := start; i < end; i++ {
		c := text[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			continue
		}
		in := false
		for _, s := range spans {
			if i >= s.Start && i < s.End {
				in = true
				break
			}
		}
		if !in {
			return false
		}
	}
	return true
}

// TestAccuracy measures recall per entity type and surface form, precision
// per type, and collateral damage on the seeded corpus, and fails when any
// falls below the targets recorded above (and in docs/REDACTION.md).
func TestAccuracy(t *testing.T) {
	r, err := redact.New(redact.Config{})
	if err != nil {
		t.Fatal(err)
	}
	docs := corpus.Generate(accuracySeed, accuracyDocs)
	byForm := map[string]*formTally{}
	byType := map[redact.EntityType]*tally{}
	fps := map[redact.EntityType]int{}
	var personCased, personLower tally
	nonPII, altered, cleanAltered := 0, 0, 0
	for _, d := range docs {
		_, spans, err := r.RedactTranscript(d.Transcript())
		if err != nil {
			t.Fatal(err)
		}
		perTurn := make([][]redact.Span, len(d.Turns))
		for _, s := range spans {
			perTurn[s.Turn] = append(perTurn[s.Turn], s)
		}
		for _, l := range d.Labels {
			ok := covered(d.Turns[l.Turn].Text, l.Start, l.End, perTurn[l.Turn])
			key := string(l.Type) + "/" + l.Form
			for _, tl := range []*tally{get(byForm, key), getT(byType, l.Type)} {
				if ok {
					tl.tp++
				} else {
					tl.fn++
				}
			}
			if l.Type == redact.Person {
				pt := &personCased
				if d.Lowercase {
					pt = &personLower
				}
				if ok {
					pt.tp++
				} else {
					pt.fn++
				}
			}
			if !ok && testing.Verbose() && len(byForm[key].examples) < 3 {
				byForm[key].examples = append(byForm[key].examples, d.Turns[l.Turn].Text)
			}
		}
		// Precision: an entity is a false positive if none of its parts
		// touches a label.
		hit := map[int]bool{}
		typ := map[int]redact.EntityType{}
		for _, s := range spans {
			typ[s.Entity] = s.Type
			for _, l := range d.Labels {
				if l.Turn == s.Turn && l.Start < s.End && s.Start < l.End {
					hit[s.Entity] = true
				}
			}
		}
		for e, ty := range typ {
			if !hit[e] {
				fps[ty]++
				if testing.Verbose() {
					for _, s := range spans {
						if s.Entity == e {
							t.Logf("false positive %s: %q in %q", ty, d.Turns[s.Turn].Text[s.Start:s.End], d.Turns[s.Turn].Text)
						}
					}
				}
			}
		}
		// Collateral damage: words outside labels that a span touches.
		for ti, turn := range d.Turns {
			for _, w := range words(turn.Text) {
				inLabel := false
				for _, l := range d.Labels {
					if l.Turn == ti && w[0] < l.End && l.Start < w[1] {
						inLabel = true
						break
					}
				}
				if inLabel {
					continue
				}
				nonPII++
				for _, s := range perTurn[ti] {
					if w[0] < s.End && s.Start < w[1] {
						altered++
						if d.Kind == corpus.KindClean {
							cleanAltered++
						}
						break
					}
				}
			}
		}
	}

	var lines []string
	for k, tl := range byForm {
		lines = append(lines, fmt.Sprintf("%-34s n=%5d recall=%.4f", k, tl.tp+tl.fn, tl.recall()))
		ty := redact.EntityType(strings.SplitN(k, "/", 2)[0])
		if target, ok := recallTargets[ty]; ok && tl.recall() < target {
			t.Errorf("%s: recall %.4f below target %.3f; missed e.g. %q", k, tl.recall(), target, tl.examples)
		}
	}
	sort.Strings(lines)
	t.Log("recall per entity type and surface form:\n" + strings.Join(lines, "\n"))
	lines = lines[:0]
	for ty, tl := range byType {
		p := tl.precision(fps[ty])
		lines = append(lines, fmt.Sprintf("%-18s n=%5d precision=%.4f recall=%.4f F2=%.4f", ty, tl.tp+tl.fn, p, tl.recall(), f2(p, tl.recall())))
		if structured(ty) && p < structuredPrecision {
			t.Errorf("%s: precision %.4f below target %.2f", ty, p, structuredPrecision)
		}
	}
	for ty, n := range fps {
		if byType[ty] == nil {
			lines = append(lines, fmt.Sprintf("%-18s n=    0 false positives=%d", ty, n))
			if structured(ty) {
				t.Errorf("%s: %d false positives in a corpus without that type", ty, n)
			}
		}
	}
	sort.Strings(lines)
	t.Log("per entity type:\n" + strings.Join(lines, "\n"))
	if r := personCased.recall(); r < personRecallCased {
		t.Errorf("PERSON recall in cased text %.4f below %.2f", r, personRecallCased)
	}
	if r := personLower.recall(); r < personRecallLower {
		t.Errorf("PERSON recall in lowercase ASR text %.4f below %.2f", r, personRecallLower)
	}
	collateral := float64(altered) / float64(nonPII)
	t.Logf("PERSON recall cased=%.4f lowercase=%.4f; collateral damage %d/%d non-PII words = %.4f%%; PII-free documents: %d words altered",
		personCased.recall(), personLower.recall(), altered, nonPII, 100*collateral, cleanAltered)
	if collateral > maxCollateral {
		t.Errorf("collateral damage %.4f above %.2f", collateral, maxCollateral)
	}
	if cleanAltered != 0 {
		t.Errorf("%d words altered in PII-free documents, want 0", cleanAltered)
	}
}

func structured(t redact.EntityType) bool {
	switch t {
	case redact.Person, redact.Address, redact.Password, redact.SecurityAnswer:
		return false
	}
	return true
}

type formTally struct {
	tally
	examples []string
}

func get(m map[string]*formTally, k string) *tally {
	if m[k] == nil {
		m[k] = &formTally{}
	}
	return &m[k].tally
}

func getT(m map[redact.EntityType]*tally, k redact.EntityType) *tally {
	if m[k] == nil {
		m[k] = &tally{}
	}
	return m[k]
}

// words returns the byte ranges of the whitespace-separated words of s.
func words(s string) [][2]int {
	var out [][2]int
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' || s[i] == '\n' || s[i] == '\t' {
			if start >= 0 {
				out = append(out, [2]int{start, i})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	return out
}
