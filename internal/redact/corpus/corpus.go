// Package corpus generates seeded, labeled contact-center material for
// measuring the redact package: call transcripts with speaker turns,
// backchannels, disfluencies, ASR errors and numbers split across turns;
// chats; emails with signatures and quoted replies; terse agent notes; and
// PII-free documents full of innocent numbers. Every sensitive value is
// labeled with its type and surface form, so accuracy can be reported per
// entity and per form. The same seed always gives the same corpus.
package corpus

import (
	"math/rand/v2"
	"strings"

	"github.com/confide-cc/confide/internal/redact"
)

// Kinds of document.
const (
	KindCall  = "call"
	KindChat  = "chat"
	KindEmail = "email"
	KindNote  = "note"
	KindClean = "clean" // holds no personal data, only innocent numbers
)

// Doc is one generated document. Calls and chats have several turns; other
// kinds have one turn with an empty speaker.
type Doc struct {
	Kind string
	// Lowercase is set for ASR-style text without case or punctuation.
	Lowercase bool
	Turns     []redact.Turn
	Labels    []Label
}

// Label marks a sensitive value: bytes [Start, End) of turn Turn's text.
type Label struct {
	Turn       int
	Start, End int
	Type       redact.EntityType
	// Form is the surface form: "grouped", "spoken", "split", "spelled", …
	Form string
}

// Transcript returns the document as a transcript.
func (d *Doc) Transcript() redact.Transcript { return redact.Transcript{Turns: d.Turns} }

// Generate returns n documents from seed, in a fixed mix of kinds.
func Generate(seed uint64, n int) []Doc {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	docs := make([]Doc, 0, n)
	for i := range n {
		g := &gen{r: r}
		switch i % 10 {
		case 0, 1, 2, 3:
			g.call(i%4 == 3)
		case 4, 5:
			g.chat()
		case 6:
			g.email()
		case 7:
			g.note()
		default:
			g.clean()
		}
		docs = append(docs, g.doc)
	}
	return docs
}

// gen builds one document.
type gen struct {
	r         *rand.Rand
	doc       Doc
	cur       *strings.Builder
	speaker   string
	pending   []Label
	lowercase bool
}

func (g *gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// turn starts a new turn for speaker.
func (g *gen) turn(speaker string) {
	g.flush()
	g.speaker = speaker
	g.cur = &strings.Builder{}
}

// say appends plain text to the current turn.
func (g *gen) say(parts ...string) {
	for _, p := range parts {
		if g.cur.Len() > 0 && p != "" && !strings.HasPrefix(p, ",") && !strings.HasPrefix(p, ".") && !strings.HasPrefix(p, "?") {
			g.cur.WriteByte(' ')
		}
		g.cur.WriteString(p)
	}
}

// pii appends a labeled value to the current turn.
func (g *gen) pii(t redact.EntityType, form, value string) {
	if g.cur.Len() > 0 {
		g.cur.WriteByte(' ')
	}
	start := g.cur.Len()
	g.cur.WriteString(value)
	g.pending = append(g.pending, Label{Turn: len(g.doc.Turns), Start: start, End: g.cur.Len(), Type: t, Form: form})
}

func (g *gen) flush() {
	if g.cur == nil {
		return
	}
	text := g.cur.String()
	if g.lowercase {
		text = asr(text)
	}
	g.doc.Turns = append(g.doc.Turns, redact.Turn{Speaker: g.speaker, Text: text})
	g.doc.Labels = append(g.doc.Labels, g.pending...)
	g.pending, g.cur = nil, nil
}

// asr lowercases text and drops the punctuation an ASR engine would not
// produce. Labels keep their offsets because only single bytes are changed
// to single bytes.
func asr(s string) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		if c == ',' || c == '?' || c == '!' {
			b[i] = ' '
		}
	}
	return string(b)
}

func (g *gen) done() {
	g.flush()
	g.doc.Lowercase = g.lowercase
}
