package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind tells words from punctuation.
type tokKind uint8

const (
	tokWord  tokKind = iota // a run of letters and digits, with inner apostrophes
	tokPunct                // one other non-space character
)

// Shape bits of a token.
const (
	shapeDigit    uint8 = 1 << iota // contains an ASCII digit
	shapeAlpha                      // contains a letter
	shapeCapFirst                   // starts with an upper-case letter
	shapeUpper                      // has letters, all upper case
	shapeASCII                      // all ASCII
)

// Spacing bits: what separates a token from the previous one.
const (
	spaceBefore uint8 = 1 << iota // whitespace
	lineBefore                    // a line break, or the start of a segment
)

// token is one word or punctuation character of a document.
type token struct {
	start, end int32 // byte offsets into the document text
	seg        int32 // index of the document segment (turn)
	kind       tokKind
	shape      uint8
	space      uint8
	lexID      uint16 // lexicon id of a word with letters, 0 if unknown
}

// lex returns the token's lexicon entry, or nil.
func (t *token) lex() *lexEntry {
	if t.lexID == 0 {
		return nil
	}
	return &lexicon.entries[t.lexID]
}

func (t *token) isDigits() bool { return t.shape&(shapeDigit|shapeAlpha) == shapeDigit }
func (t *token) hasAlpha() bool { return t.shape&shapeAlpha != 0 }
func (t *token) hasDigit() bool { return t.shape&shapeDigit != 0 }
func (t *token) capFirst() bool { return t.shape&shapeCapFirst != 0 }
func (t *token) spaced() bool   { return t.space != 0 }
func (t *token) length() int    { return int(t.end - t.start) }

// maxLookup is the longest word looked up in the lexicon.
const maxLookup = 24

// tokenize appends the tokens of text[start:end] (segment seg) to toks.
func tokenize(toks []token, text string, start, end int, seg int32) []token {
	var buf [maxLookup]byte
	space := lineBefore
	i := start
	for i < end {
		c := text[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			space |= spaceBefore
			i++
			continue
		case c == '\n':
			space |= spaceBefore | lineBefore
			i++
			continue
		}
		if !isWordStart(text, i, end) {
			_, size := utf8.DecodeRuneInString(text[i:end])
			if c >= utf8.RuneSelf && isSpaceRune(text[i:end]) {
				space |= spaceBefore
				i += size
				continue
			}
			toks = append(toks, token{start: int32(i), end: int32(i + size), seg: seg, kind: tokPunct, space: space})
			space = 0
			i += size
			continue
		}
		t := token{start: int32(i), seg: seg, kind: tokWord, space: space, shape: shapeASCII | shapeUpper}
		space = 0
		n := 0 // bytes in buf; n > maxLookup means too long to look up
		var seen uint8
		h := fnvOffset
		if charClass[c]&cUpper != 0 {
			t.shape |= shapeCapFirst
		}
		for i < end {
			c := text[i]
			if cl := charClass[c]; cl&cAlnum != 0 {
				// ASCII fast path: c|0x20 lowercases letters and keeps digits.
				seen |= cl
				if n < maxLookup {
					buf[n] = c | 0x20
					h = (h ^ uint32(c|0x20)) * fnvPrime
				}
				n++
				i++
				continue
			}
			if c == '\'' && i+1 < end && isLetterAt(text, i+1, end) {
				if n < maxLookup {
					buf[n] = c
					h = (h ^ uint32(c)) * fnvPrime
				}
				n++
				i++
				continue
			}
			if c < utf8.RuneSelf {
				break
			}
			r, size := utf8.DecodeRuneInString(text[i:end])
			switch {
			case r == '’' && i+size < end && isLetterAt(text, i+size, end):
				if n < maxLookup {
					buf[n] = '\''
					h = (h ^ uint32('\'')) * fnvPrime
				}
				n++
			case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
				// Letters of other scripts and non-ASCII digits count as
				// letters: only ASCII digits take part in numbers.
				t.shape &^= shapeASCII
				if unicode.IsUpper(r) {
					seen |= cUpper
					if i == int(t.start) {
						t.shape |= shapeCapFirst
					}
				} else {
					seen |= cLower
				}
				n += maxLookup // looked up below with strings.ToLower
			default:
				goto done
			}
			i += size
		}
	done:
		t.end = int32(i)
		if seen&cDigit != 0 {
			t.shape |= shapeDigit
		}
		if seen&(cLower|cUpper) != 0 {
			t.shape |= shapeAlpha
		}
		if seen&cLower != 0 || t.shape&shapeAlpha == 0 {
			t.shape &^= shapeUpper
		}
		if t.shape&shapeAlpha != 0 {
			switch {
			case n <= maxLookup:
				t.lexID = lexicon.lookup(buf[:n], h)
			case t.shape&shapeASCII == 0 && t.end-t.start <= 4*maxLookup:
				lw := strings.ToLower(text[t.start:t.end])
				t.lexID = lexicon.lookup([]byte(lw), hashWord(lw))
			}
		}
		toks = append(toks, t)
	}
	return toks
}

// Character classes of ASCII bytes.
const (
	cDigit uint8 = 1 << iota
	cLower
	cUpper
	cAlnum = cDigit | cLower | cUpper
)

var charClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = cDigit
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = cLower
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = cUpper
	}
	return t
}()

// isWordStart reports whether a word token starts at text[i].
func isWordStart(text string, i, end int) bool {
	c := text[i]
	if c < utf8.RuneSelf {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(text[i:end])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isLetterAt(text string, i, end int) bool {
	c := text[i]
	if c < utf8.RuneSelf {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(text[i:end])
	return unicode.IsLetter(r)
}

func isSpaceRune(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}
