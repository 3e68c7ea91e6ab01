package redact

// The digit normalizer: a run of written and spoken digits ("4111 one one
// one", "double four", "twenty twenty six", "oh") becomes one digit string
// whose groups remember the tokens they came from, so a detection on the
// digits maps back to the original characters.

// group is the digits of one written token or one spoken number phrase.
type group struct {
	off, n      int  // digits are a.digits[off : off+n]
	first, last int  // first and last token of the group
	sep         byte // what separates it from the previous group (see sep* constants)
	spoken      bool
}

// Separators recorded between groups.
const (
	sepNone   byte = 0   // first group
	sepSpace  byte = ' ' // whitespace only
	sepFiller byte = 'w' // a filler word ("uh", "sorry")
	sepTurn   byte = 'T' // a turn boundary, possibly over backchannel turns
)

// maxSeparators is the most separator tokens between two groups: ", uh,".
const maxSeparators = 3

// maxRunDigits caps a run; nothing we detect is longer than an IBAN.
const maxRunDigits = 48

// isSpokenDigit reports whether token i is a word that yields digits on its
// own (not "oh" or a homophone, which need a neighbour).
func (a *analyzer) isSpokenDigit(i int) bool {
	if i < 0 || i >= len(a.toks) {
		return false
	}
	e := a.toks[i].lex()
	return e != nil && (e.num == numUnit || e.num == numTeen || e.num == numTens || e.num == numRepeat)
}

// spokenDigitAt reports whether token i yields digits: written digits or a
// spoken digit word, including "oh".
func (a *analyzer) spokenDigitAt(i int) bool {
	if i < 0 || i >= len(a.toks) {
		return false
	}
	t := &a.toks[i]
	return t.isDigits() || a.isSpokenDigit(i) || t.lex() != nil && t.lex().num == numOh && a.isSpokenDigit(i+1)
}

// spokenNumber parses the spoken number phrase at token i, appends its
// digits to a.digits and returns the token after it, or i if there is none.
// prevSpoken tells whether the previous group was spoken (homophones and
// "oh" are digits only next to other spoken digits).
func (a *analyzer) spokenNumber(i int, prevSpoken bool) int {
	e := a.toks[i].lex()
	if e == nil {
		return i
	}
	next := i + 1
	switch e.num {
	case numRepeat:
		j := a.adjacentWord(next)
		if j < 0 || a.toks[j].lex() == nil || (a.toks[j].lex().num != numUnit && a.toks[j].lex().num != numOh) {
			return i
		}
		for range e.value {
			a.digits = append(a.digits, '0'+byte(a.toks[j].lex().value))
		}
		return j + 1
	case numOh:
		if !prevSpoken && !a.isSpokenDigit(a.adjacentWord(next)) && !a.digitsAt(a.adjacentWord(next)) {
			return i
		}
		a.digits = append(a.digits, '0')
		return next
	case numHomophone:
		j := a.adjacentWord(next)
		if !prevSpoken || j < 0 || a.toks[j].lex() == nil || a.toks[j].lex().num != numUnit && a.toks[j].lex().num != numOh {
			return i
		}
		a.digits = append(a.digits, '0'+byte(e.value))
		return next
	case numUnit:
		v := int(e.value)
		if j := a.adjacentWord(next); a.is(j, "hundred") && v > 0 {
			rest, k := a.belowHundred(j + 1)
			a.appendInt(v*100+rest, 3)
			return k
		} else if a.is(j, "thousand") && v > 0 {
			val, k := v*1000, j+1
			if h := a.adjacentWord(k); h >= 0 && a.toks[h].lex() != nil && a.toks[h].lex().num == numUnit && a.is(a.adjacentWord(h+1), "hundred") {
				val += int(a.toks[h].lex().value) * 100
				k = a.adjacentWord(h+1) + 1
			}
			rest, k := a.belowHundred(k)
			a.appendInt(val+rest, 4)
			return k
		}
		a.digits = append(a.digits, '0'+byte(v))
		return next
	case numTeen:
		v := int(e.value)
		if j := a.adjacentWord(next); a.is(j, "hundred") {
			rest, k := a.belowHundred(j + 1)
			a.appendInt(v*100+rest, 4)
			return k
		}
		a.appendInt(v, 2)
		return next
	case numTens:
		v := int(e.value)
		if j := a.adjacentWord(next); j >= 0 && a.toks[j].lex() != nil && a.toks[j].lex().num == numUnit && a.toks[j].lex().value > 0 {
			a.appendInt(v+int(a.toks[j].lex().value), 2)
			return j + 1
		}
		a.appendInt(v, 2)
		return next
	}
	return i
}

// belowHundred parses an optional "[and] twenty six" / "twelve" / "six"
// after "hundred" or "thousand".
func (a *analyzer) belowHundred(i int) (int, int) {
	j := a.adjacentWord(i)
	if a.is(j, "and") {
		j = a.adjacentWord(j + 1)
	}
	if j < 0 || a.toks[j].lex() == nil {
		return 0, i
	}
	e := a.toks[j].lex()
	switch e.num {
	case numUnit, numTeen:
		return int(e.value), j + 1
	case numTens:
		if k := a.adjacentWord(j + 1); k >= 0 && a.toks[k].lex() != nil && a.toks[k].lex().num == numUnit && a.toks[k].lex().value > 0 {
			return int(e.value) + int(a.toks[k].lex().value), k + 1
		}
		return int(e.value), j + 1
	}
	return 0, i
}

func (a *analyzer) appendInt(v, width int) {
	var b [8]byte
	for k := width - 1; k >= 0; k-- {
		b[k] = '0' + byte(v%10)
		v /= 10
	}
	a.digits = append(a.digits, b[:width]...)
}

// adjacentWord returns i if token i is a word in the same segment as token
// i-1 on the same line, else -1.
func (a *analyzer) adjacentWord(i int) int {
	if i <= 0 || i >= len(a.toks) || a.toks[i].kind != tokWord || !a.sameSeg(i-1, i) || a.toks[i].space&lineBefore != 0 {
		return -1
	}
	return i
}

func (a *analyzer) digitsAt(i int) bool { return i >= 0 && a.toks[i].isDigits() }

// buildRun collects the digit run starting at token i into a.digits and
// a.groups and returns the token after it.
func (a *analyzer) buildRun(i int) int {
	a.digits, a.groups = a.digits[:0], a.groups[:0]
	j := i
	var sep byte
	pending := 0 // separator tokens since the last group
	for j < len(a.toks) && len(a.digits) < maxRunDigits {
		t := &a.toks[j]
		crossed := false
		if len(a.groups) > 0 && j > 0 && !a.sameSeg(j-1, j) {
			k := a.crossTurn(j, a.groups[0].first)
			if k < 0 {
				break
			}
			j, sep, pending, crossed = k, sepTurn, 0, true
			t = &a.toks[j]
		}
		if len(a.groups) > 0 && t.space&lineBefore != 0 && !crossed {
			k := a.crossLine(j, a.groups[0].first)
			if k < 0 {
				break
			}
			j, sep, pending = k, sepTurn, 0
			t = &a.toks[j]
		}
		if t.kind == tokPunct {
			c := a.d.text[t.start]
			// One separator character, or commas around a filler ("six, uh, seven").
			if len(a.groups) == 0 || pending >= maxSeparators || pending > 0 && c != ',' || !(c == '-' || c == '.' || c == ',' || c == '/' || c == '(' || c == ')') {
				break
			}
			if sep != sepFiller {
				sep = c
			}
			pending++
			j++
			continue
		}
		prevSpoken := len(a.groups) > 0 && a.groups[len(a.groups)-1].spoken && pending == 0
		off := len(a.digits)
		switch {
		case t.isDigits():
			a.digits = append(a.digits, a.d.text[t.start:t.end]...)
			a.groups = append(a.groups, group{off: off, n: t.length(), first: j, last: j, sep: sepOf(sep, t)})
			j++
		case t.lex() != nil && t.lex().num != numNone:
			k := a.spokenNumber(j, prevSpoken)
			if k == j {
				goto end
			}
			a.groups = append(a.groups, group{off: off, n: len(a.digits) - off, first: j, last: k - 1, sep: sepOf(sep, t), spoken: true})
			j = k
		case len(a.groups) > 0 && (t.lex().has(flagFiller) || a.is(j, "dash") || a.is(j, "hyphen")) && pending < maxSeparators && sep != sepFiller:
			if a.is(j, "dash") || a.is(j, "hyphen") {
				sep = '-'
			} else {
				sep = sepFiller
			}
			pending++
			j++
			continue
		default:
			goto end
		}
		sep, pending = 0, 0
	}
end:
	if len(a.groups) == 0 {
		return i
	}
	return a.groups[len(a.groups)-1].last + 1
}

func sepOf(sep byte, t *token) byte {
	if sep == 0 && t.spaced() {
		return sepSpace
	}
	return sep
}

// crossTurn is called when a run reaches the end of its segment at token j.
// It skips whole turns made only of backchannels and fillers ("mhm", "okay")
// and returns the first token of the turn where the same speaker continues
// with digits, or -1.
func (a *analyzer) crossTurn(j, first int) int {
	speaker := a.d.segs[a.toks[first].seg].speaker
	for skipped := 0; j < len(a.toks) && skipped <= 2; skipped++ {
		seg := a.toks[j].seg
		k := j
		onlyBackchannel := true
		startDigits := -1
		for ; k < len(a.toks) && a.toks[k].seg == seg; k++ {
			t := &a.toks[k]
			if t.kind == tokPunct {
				continue
			}
			if startDigits < 0 && onlyBackchannel && a.spokenDigitAt(k) {
				startDigits = k
			}
			if !t.lex().has(flagBackchannel) && !t.lex().has(flagFiller) {
				onlyBackchannel = false
				if startDigits < 0 {
					return -1 // neither a backchannel turn nor digits
				}
				break
			}
		}
		if startDigits >= 0 && (speaker == "" || a.d.segs[seg].speaker == speaker) {
			return startDigits
		}
		if !onlyBackchannel {
			return -1
		}
		j = k
	}
	return -1
}

// crossLine is crossTurn for plain text with one turn or message per line,
// optionally labeled ("agent: mhm"): at token j, the start of a line in the
// run's segment, it skips lines made only of backchannels and returns the
// first token of the line where the same speaker continues with digits, or
// -1.
func (a *analyzer) crossLine(j, first int) int {
	lineStart := first
	for lineStart > 0 && a.sameSeg(lineStart-1, first) && a.toks[lineStart].space&lineBefore == 0 {
		lineStart--
	}
	speaker := a.lineLabel(lineStart)
	for skipped := 0; j < len(a.toks) && a.sameSeg(first, j) && skipped <= 2; skipped++ {
		k := j
		if a.lineLabel(j) != "" {
			k += 2
		}
		onlyBackchannel := true
		startDigits := -1
		for ; k < len(a.toks) && a.sameSeg(first, k) && (k == j || a.toks[k].space&lineBefore == 0); k++ {
			t := &a.toks[k]
			if t.kind == tokPunct {
				continue
			}
			if startDigits < 0 && onlyBackchannel && a.spokenDigitAt(k) {
				startDigits = k
			}
			if !t.lex().has(flagBackchannel) && !t.lex().has(flagFiller) {
				onlyBackchannel = false
				if startDigits < 0 {
					return -1 // neither a backchannel line nor digits
				}
				break
			}
		}
		if startDigits >= 0 && sameLabel(a.lineLabel(j), speaker) {
			return startDigits
		}
		if !onlyBackchannel {
			return -1
		}
		j = k
	}
	return -1
}

// lineLabel returns the speaker label ("agent" in "agent: …") of the line
// starting at token i, or "". Compare labels with sameLabel.
func (a *analyzer) lineLabel(i int) string {
	if i+1 >= len(a.toks) || a.toks[i].kind != tokWord || !a.punct(i+1, ':') || a.toks[i].length() > 16 {
		return ""
	}
	return a.text(i)
}

// sameLabel reports whether two speaker labels are equal ignoring the case
// of ASCII letters.
func sameLabel(x, y string) bool {
	if len(x) != len(y) {
		return false
	}
	for k := 0; k < len(x); k++ {
		if lowerByte(x[k]) != lowerByte(y[k]) {
			return false
		}
	}
	return true
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// groupParts returns the text ranges of groups [ga, gb), one per segment.
func (a *analyzer) groupParts(ga, gb int) []rng {
	n := len(a.parts)
	for g := ga; g < gb; g++ {
		s, e := a.toks[a.groups[g].first].start, a.toks[a.groups[g].last].end
		if len(a.parts) > n && a.groups[g].sep != sepTurn {
			a.parts[len(a.parts)-1].end = e
			continue
		}
		a.parts = append(a.parts, rng{s, e})
	}
	return a.parts[n:len(a.parts):len(a.parts)]
}

// window returns the digits of groups [ga, gb).
func (a *analyzer) window(ga, gb int) []byte {
	return a.digits[a.groups[ga].off : a.groups[gb-1].off+a.groups[gb-1].n]
}
