package redact

import "slices"

// segment is one turn, message or field of a document.
type segment struct {
	start, end int    // byte range in doc.text
	speaker    string // "agent", "customer" or ""
}

// doc is the text being analysed: segments joined by newlines, so that
// context (an agent's prompt) carries from one segment to the next.
type doc struct {
	text string
	segs []segment
	toks []token
}

// rng is a byte range [start, end) of the document text.
type rng struct{ start, end int32 }

// detection is one entity found in a document. An entity split across turns
// has one part per turn; the turns between (backchannels) are not part of it.
type detection struct {
	typ   EntityType
	parts []rng
	value string // normalized value, for keyed operators only; never logged
}

func (d *detection) start() int32 { return d.parts[0].start }
func (d *detection) end() int32   { return d.parts[len(d.parts)-1].end }

// analyzer walks a document's tokens once, left to right, tracking dialogue
// context and running the detectors at each token that can start an entity.
type analyzer struct {
	d       *doc
	toks    []token
	enabled entitySet
	phones  *phoneChecker

	words   int                // word tokens seen so far
	lastCue [numWindowCues]int // word count at which each window cue was last seen
	dets    []detection        // detections, in order of discovery
	parts   []rng              // backing store of the detections' parts
	digits  []byte             // scratch: digits of the current run
	groups  []group            // scratch: groups of the current run
	scratch []byte             // scratch for values
	// keepValues makes emit keep the normalized value of each detection,
	// which only the mask, pseudonym and hash operators need.
	keepValues bool
}

const noCue = -1 << 30

// detectionEvery sizes the detection buffers: about one detection per this
// many bytes of text, as in contact-center material dense with personal data.
const detectionEvery = 64

// reset prepares a for analysing d, keeping the capacity of its buffers
// from earlier documents.
func (a *analyzer) reset(d *doc, enabled entitySet, phones *phoneChecker, keepValues bool) {
	n := len(d.text)/detectionEvery + 1
	dets, parts := a.dets[:0], a.parts[:0]
	if cap(dets) < n {
		dets = make([]detection, 0, n)
	}
	if cap(parts) < n {
		parts = make([]rng, 0, n)
	}
	*a = analyzer{d: d, toks: d.toks, enabled: enabled, phones: phones, keepValues: keepValues,
		dets: dets, parts: parts, digits: a.digits[:0], groups: a.groups[:0], scratch: a.scratch[:0]}
	for i := range a.lastCue {
		a.lastCue[i] = noCue
	}
}

// tokenize appends the document's tokens to d.toks.
func (d *doc) tokenize() {
	if n := len(d.text)/3 + 8; cap(d.toks) < n {
		d.toks = make([]token, 0, n)
	}
	for i, s := range d.segs {
		d.toks = tokenize(d.toks, d.text, s.start, s.end, int32(i))
	}
}

// tok returns token i's text.
func (a *analyzer) text(i int) string { return a.d.text[a.toks[i].start:a.toks[i].end] }

// is reports whether token i is the word w (lowercase ASCII).
func (a *analyzer) is(i int, w string) bool {
	if i < 0 || i >= len(a.toks) || a.toks[i].kind != tokWord || a.toks[i].length() != len(w) {
		return false
	}
	return equalFoldASCII(a.text(i), w)
}

// isWord is is for a word of the lexicon, compared by id: a token has the
// word's id when its lowercase form is the word, and its length tells the
// ASCII spelling from others ("’" for "'").
func (a *analyzer) isWord(i int, w lexWord) bool {
	if w.id == 0 {
		return a.is(i, w.text)
	}
	if i < 0 || i >= len(a.toks) {
		return false
	}
	t := &a.toks[i]
	return t.lexID == w.id && t.kind == tokWord && t.end-t.start == w.size
}

// equalFoldASCII compares s with the lowercase ASCII word w, ignoring the
// case of s's ASCII letters.
func equalFoldASCII(s, w string) bool {
	if len(s) != len(w) {
		return false
	}
	for k := 0; k < len(s); k++ {
		c := s[k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[k] {
			return false
		}
	}
	return true
}

// punct reports whether token i is the punctuation character c.
func (a *analyzer) punct(i int, c byte) bool {
	return i >= 0 && i < len(a.toks) && a.toks[i].kind == tokPunct && a.d.text[a.toks[i].start] == c
}

// active reports whether window cue k was seen within cueWindow words.
func (a *analyzer) active(k cueKind) bool { return a.words-a.lastCue[k] <= cueWindow }

// consume deactivates cue k once a value it announced has been found.
func (a *analyzer) consume(k cueKind) { a.lastCue[k] = noCue }

// emit records a detection of type t over parts (one per segment) whose
// normalized value is value, or nil when the text of its first part is the
// value.
func (a *analyzer) emit(t EntityType, parts []rng, value []byte) {
	v := ""
	if a.keepValues {
		v = string(value)
	}
	a.emitText(t, parts, v)
}

// emitText is emit for a value held as a string, such as a substring of the
// document.
func (a *analyzer) emitText(t EntityType, parts []rng, value string) {
	if !a.enabled.has(t) || len(parts) == 0 {
		return
	}
	d := detection{typ: t, parts: parts}
	if a.keepValues {
		d.value = value
	}
	a.dets = append(a.dets, d)
}

// span returns the single part covering tokens [i, j), in the analyzer's
// backing store of parts, so that detections do not allocate one slice
// each. Later appends never overwrite the returned slice.
func (a *analyzer) span(i, j int) []rng {
	n := len(a.parts)
	a.parts = append(a.parts, rng{a.toks[i].start, a.toks[j-1].end})
	return a.parts[n:len(a.parts):len(a.parts)]
}

// run analyses the whole document and returns its detections, sorted and
// with overlaps merged.
func (a *analyzer) run() []detection {
	toks := a.toks
	for i := 0; i < len(toks); {
		// The prefilter: most words are lower-case words no detector
		// starts at (see step), and only count for the cue window.
		if t := &toks[i]; t.kind == tokWord && t.shape&(shapeDigit|shapeCapFirst|shapeUpper) == 0 && lexicon.entries[t.lexID].inert {
			a.words++
			i++
			continue
		}
		if next := a.step(i); next > i {
			// Count the words skipped by a detector for the cue window.
			for k := i; k < next; k++ {
				if toks[k].kind == tokWord {
					a.words++
				}
			}
			i = next
			continue
		}
		if toks[i].kind == tokWord {
			a.words++
		}
		i++
	}
	return mergeDetections(a.dets)
}

// step runs the detectors that can start at token i and returns the index of
// the first token after what they consumed, or i if none matched.
func (a *analyzer) step(i int) int {
	t := &a.toks[i]
	if t.kind == tokPunct {
		if a.d.text[t.start] == '@' {
			a.writtenEmail(i)
		}
		return i
	}
	e := t.lex()
	if e != nil && e.phrases != nil {
		if next := a.cue(i); next > i {
			return next
		}
	}
	if t.hasDigit() || e != nil && (e.num == numUnit || e.num == numTeen || e.num == numTens ||
		e.num == numRepeat || e.num == numOh && a.spokenDigitAt(i+1)) {
		if next := a.address(i); next > i {
			return next
		}
		if t.hasAlpha() {
			if next := a.alnumID(i); next > i {
				return next
			}
		}
		if next := a.dateAt(i); next > i {
			return next
		}
		return a.digitRun(i)
	}
	if e != nil && (e.month != 0 || e.ordinal != 0) {
		if next := a.dateAt(i); next > i {
			return next
		}
	}
	if t.capFirst() || t.shape&shapeUpper != 0 {
		if next := a.alnumID(i); next > i {
			return next
		}
	}
	if a.isWord(i, wordAt) {
		if next := a.spelledEmail(i); next > i {
			return next
		}
	}
	if next := a.nameAt(i); next > i {
		return next
	}
	if next := a.euStreet(i); next > i {
		return next
	}
	return i
}

// cue matches the cue phrases ending at word token i. Window cues are
// recorded; a trigger cue runs its capture, whose end it returns.
func (a *analyzer) cue(i int) int {
	next := i
	for _, p := range a.toks[i].lex().phrases {
		if !a.precededBy(i, p.ids) {
			continue
		}
		switch {
		case p.kind < numWindowCues:
			a.lastCue[p.kind] = a.words
		case p.kind == trigNameStrong || p.kind == trigNameWeak:
			if n := a.captureName(i+1, p.kind == trigNameStrong); n > next {
				next = n
			}
		case p.kind == trigPassword:
			if n := a.captureSecret(i+1, Password, 6); n > next {
				next = n
			}
		case p.kind == trigSecurity:
			if n := a.captureSecret(i+1, SecurityAnswer, 4); n > next {
				next = n
			}
		}
	}
	return next
}

// precededBy reports whether the word tokens before i, ignoring punctuation,
// are the words of before.
func (a *analyzer) precededBy(i int, before []lexWord) bool {
	j := i - 1
	for k := len(before) - 1; k >= 0; k-- {
		for j >= 0 && a.toks[j].kind == tokPunct {
			j--
		}
		if !a.isWord(j, before[k]) {
			return false
		}
		j--
	}
	return true
}

// sameSeg reports whether tokens i and j are in the same segment.
func (a *analyzer) sameSeg(i, j int) bool {
	return i >= 0 && j >= 0 && i < len(a.toks) && j < len(a.toks) && a.toks[i].seg == a.toks[j].seg
}

// mergeDetections sorts detections by start and merges those that overlap
// into one, named by the most sensitive type.
func mergeDetections(dets []detection) []detection {
	if len(dets) < 2 {
		return dets
	}
	byStart := func(x, y detection) int { return int(x.start() - y.start()) }
	if !slices.IsSortedFunc(dets, byStart) {
		slices.SortStableFunc(dets, byStart)
	}
	out := dets[:1]
	for _, d := range dets[1:] {
		last := &out[len(out)-1]
		if d.start() >= last.end() {
			out = append(out, d)
			continue
		}
		if d.typ.priority() < last.typ.priority() {
			last.typ, last.value = d.typ, d.value
		}
		last.parts = unionParts(last.parts, d.parts)
	}
	return out
}

// unionParts merges two sorted lists of ranges.
func unionParts(x, y []rng) []rng {
	all := append(slices.Clone(x), y...)
	slices.SortFunc(all, func(p, q rng) int { return int(p.start - q.start) })
	out := all[:1]
	for _, p := range all[1:] {
		last := &out[len(out)-1]
		if p.start <= last.end {
			last.end = max(last.end, p.end)
			continue
		}
		out = append(out, p)
	}
	return out
}
