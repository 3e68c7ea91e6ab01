package redact

import (
	"testing"
	"unicode/utf8"
)

// FuzzNormalize checks the digit normalizer's offset map on arbitrary text:
// every run it builds maps each digit back to tokens of the run, digits are
// ASCII, and the run ends after it starts.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"four one one one, uh, one one one one", "double four triple seven oh", "twenty twenty six",
		"nineteen hundred eighty four", "two thousand and six", "five hundred twenty", "one two for three",
		"4111-1111 one one", "(415) 555-2671", "oh", "for to too", "sorry dash hyphen",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		d := &doc{text: text, segs: []segment{{0, len(text), ""}}}
		d.tokenize()
		a := new(analyzer)
		a.reset(d, setOf(AllEntities), nil, false)
		for i := range d.toks {
			end := a.buildRun(i)
			if len(a.groups) == 0 {
				if end != i {
					t.Fatalf("empty run at %d ends at %d", i, end)
				}
				continue
			}
			if end <= i || end > len(d.toks) {
				t.Fatalf("run at %d ends at %d of %d tokens", i, end, len(d.toks))
			}
			n := 0
			for _, g := range a.groups {
				if g.first < i || g.last < g.first || g.last >= end || g.off != n || g.n <= 0 {
					t.Fatalf("bad group %+v in run [%d, %d)", g, i, end)
				}
				n += g.n
			}
			if n != len(a.digits) {
				t.Fatalf("groups hold %d digits, run has %d", n, len(a.digits))
			}
			for _, c := range a.digits {
				if c < '0' || c > '9' {
					t.Fatalf("non-digit %q in %q", c, a.digits)
				}
			}
			for _, p := range a.groupParts(0, len(a.groups)) {
				if p.start < 0 || p.end > int32(len(text)) || p.end <= p.start {
					t.Fatalf("bad part %+v", p)
				}
			}
		}
	})
}
