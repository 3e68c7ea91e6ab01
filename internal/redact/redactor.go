package redact

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Config selects what a Redactor detects and how it replaces it. The zero
// value detects every entity type and replaces each with a placeholder.
type Config struct {
	// Entities are the types to detect; empty means AllEntities.
	Entities []EntityType
	// Operators overrides DefaultOperator per type. CARD_CVV and PIN are
	// always replaced by their placeholder, whatever is configured here.
	Operators map[EntityType]Operator
	// DefaultOperator applies to types not in Operators; empty means
	// OpPlaceholder.
	DefaultOperator Operator
	// CardKeepBIN makes OpMask keep a card's first six digits (the BIN) as
	// well as its last four, the most PCI DSS 3.4.1 allows.
	CardKeepBIN bool
	// Key keys OpPseudonym and OpHash, at least MinKeyBytes long. Use one key
	// per scope that must map a value consistently (an interaction, a
	// customer); the same key maps the same value to the same output.
	Key []byte
	// PhoneRegions are ISO 3166 region codes whose national numbering plans
	// are tried for numbers without a country code; empty means
	// DefaultPhoneRegions.
	PhoneRegions []string
}

// Redactor finds and replaces sensitive data. It is safe for concurrent use.
type Redactor struct {
	cfg     Config
	enabled entitySet
	phones  *phoneChecker
	pool    sync.Pool // *workspace
	// keepValues is set when an operator other than the placeholder needs
	// the detected values.
	keepValues bool
}

// New returns a Redactor for cfg, or an error naming the first invalid
// setting.
func New(cfg Config) (*Redactor, error) {
	types := cfg.Entities
	if len(types) == 0 {
		types = AllEntities
	}
	for _, t := range types {
		if _, err := ParseEntityType(string(t)); err != nil {
			return nil, err
		}
	}
	keyed, keepValues := false, false
	check := func(op Operator) error {
		if _, err := ParseOperator(string(op)); err != nil {
			return err
		}
		keyed = keyed || op == OpPseudonym || op == OpHash
		keepValues = keepValues || op != OpPlaceholder
		return nil
	}
	if cfg.DefaultOperator != "" {
		if err := check(cfg.DefaultOperator); err != nil {
			return nil, err
		}
	}
	for t, op := range cfg.Operators {
		if _, err := ParseEntityType(string(t)); err != nil {
			return nil, err
		}
		if err := check(op); err != nil {
			return nil, err
		}
	}
	if keyed && len(cfg.Key) < MinKeyBytes {
		return nil, fmt.Errorf("redact: the pseudonym and hash operators need a key of at least %d bytes", MinKeyBytes)
	}
	phones, err := newPhoneChecker(cfg.PhoneRegions)
	if err != nil {
		return nil, err
	}
	cfg.Key = append([]byte(nil), cfg.Key...)
	return &Redactor{cfg: cfg, enabled: setOf(types), phones: phones, keepValues: keepValues}, nil
}

// ErrInvalidUTF8 is returned for input that is not valid UTF-8.
var ErrInvalidUTF8 = errors.New("redact: input is not valid UTF-8")

// Span locates one redacted stretch of the input. It never holds the value.
type Span struct {
	Type EntityType `json:"type"`
	// Entity numbers the entities of one call; the parts of an entity split
	// across turns ("four one one one" … "mhm" … "one one one one") share it.
	Entity int `json:"entity"`
	// Turn is the index of the turn (or field) the span is in; 0 for text.
	Turn int `json:"turn"`
	// Start and End are byte offsets [Start, End) into the input text of
	// the turn.
	Start int `json:"start"`
	End   int `json:"end"`
	// WordStart and WordEnd are the indices [WordStart, WordEnd) of the
	// turn's words the span covers, or -1 when the turn has no word
	// timings or they could not be aligned with its text.
	WordStart int `json:"word_start"`
	WordEnd   int `json:"word_end"`
	// StartTime and EndTime are the audio times in seconds of the covered
	// words, valid when WordStart >= 0.
	StartTime float64 `json:"start_time,omitempty"`
	EndTime   float64 `json:"end_time,omitempty"`
}

// Result is the outcome of redacting one text.
type Result struct {
	Text   string
	Spans  []Span
	Counts Counts
}

// RedactText redacts a free text: an agent note, a chat message, an email
// body.
func (r *Redactor) RedactText(text string) (Result, error) {
	if !utf8.ValidString(text) {
		return Result{}, ErrInvalidUTF8
	}
	w := r.workspace()
	defer r.release(w)
	d := w.textDoc(text)
	out, spans, counts := r.render(w, d, r.detect(w, d), w.out[:], true)
	return Result{Text: out[0], Spans: spans, Counts: counts}, nil
}

// RedactFields redacts related texts as one document, so context in one
// carries to the next: an email's subject and body, a form's fields. It
// returns the redacted fields in order.
func (r *Redactor) RedactFields(fields ...string) ([]string, Counts, error) {
	d, err := joinSegments(len(fields), func(i int) (string, string) { return fields[i], "" })
	if err != nil {
		return nil, nil, err
	}
	w := r.workspace()
	defer r.release(w)
	out, _, counts := r.render(w, d, r.detect(w, d), make([]string, len(d.segs)), false)
	return out, counts, nil
}

// joinSegments builds a document from n texts, each with its speaker.
func joinSegments(n int, seg func(int) (text, speaker string)) (*doc, error) {
	var b strings.Builder
	d := &doc{segs: make([]segment, 0, n)}
	for i := range n {
		text, speaker := seg(i)
		if !utf8.ValidString(text) {
			return nil, fmt.Errorf("%w (turn or field %d)", ErrInvalidUTF8, i)
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		start := b.Len()
		b.WriteString(text)
		d.segs = append(d.segs, segment{start, b.Len(), speaker})
	}
	d.text = b.String()
	return d, nil
}

// detect tokenizes and analyses a document in w. The detections are w's
// until it is released.
func (r *Redactor) detect(w *workspace, d *doc) []detection {
	d.toks = w.toks[:0]
	d.tokenize()
	w.toks = d.toks
	w.a.reset(d, r.enabled, r.phones, r.keepValues)
	dets := w.a.run()
	d.toks = nil
	return dets
}

// render writes each segment of d with its detections replaced into out
// (one string per segment), and returns out, the spans (offsets relative to
// each segment) and the counts. Spans, and the replacement text of each in
// w.repls, are only collected when withSpans is set. A segment without
// detections is returned as it is, without a copy.
func (r *Redactor) render(w *workspace, d *doc, dets []detection, out []string, withSpans bool) ([]string, []Span, Counts) {
	var perType [32]int // by priority; entitySet fits AllEntities in 32 bits
	pieces := w.pieces[:0]
	split := false
	for k := range dets {
		perType[dets[k].typ.priority()]++
		for p, part := range dets[k].parts {
			pieces = append(pieces, piece{part, k, p == 0})
		}
		split = split || len(dets[k].parts) > 1
	}
	w.pieces = pieces
	if split {
		// Parts of an entity split across turns interleave with others.
		slices.SortStableFunc(pieces, func(x, y piece) int { return int(x.part.start - y.part.start) })
	}
	counts := Counts{}
	for k, n := range perType[:len(AllEntities)] {
		if n > 0 {
			counts[AllEntities[k]] = n
		}
	}
	var spans []Span
	repls := w.repls[:0]
	if withSpans {
		spans = make([]Span, 0, len(pieces))
	}
	next := 0
	for s, seg := range d.segs {
		if next == len(pieces) || int(pieces[next].part.start) >= seg.end {
			out[s] = d.text[seg.start:seg.end]
			continue
		}
		var b strings.Builder
		b.Grow(seg.end - seg.start + 16)
		last := seg.start
		for ; next < len(pieces) && int(pieces[next].part.start) < seg.end; next++ {
			p := pieces[next]
			start, end := max(int(p.part.start), seg.start), min(int(p.part.end), seg.end)
			if start < last || start >= end {
				continue
			}
			repl := dets[p.index].typ.placeholder()
			if p.first {
				repl = r.renderValue(&dets[p.index], d.text[p.part.start:p.part.end])
			}
			b.WriteString(d.text[last:start])
			b.WriteString(repl)
			last = end
			if withSpans {
				spans = append(spans, Span{Type: dets[p.index].typ, Entity: p.index, Turn: s, Start: start - seg.start,
					End: end - seg.start, WordStart: -1, WordEnd: -1})
				repls = append(repls, repl)
			}
		}
		b.WriteString(d.text[last:seg.end])
		out[s] = b.String()
	}
	w.repls = repls
	return out, spans, counts
}
