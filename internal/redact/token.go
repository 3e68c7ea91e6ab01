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

// maxLookup is the longest word looked up in the lexicon, a multiple of 8.
const maxLookup = 24

// tokenize appends the tokens of text[start:end] (segment seg) to toks.
//
// Words made only of ASCII letters and digits, nearly all of them, take a
// fast path: one scan over a byte-class table, then a lexicon lookup keyed
// by the word's bytes, loaded eight at a time. Words with apostrophes or
// other scripts take scanWord.
func tokenize(toks []token, text string, start, end int, seg int32) []token {
	space := lineBefore
	i := start
	for i < end {
		c := text[i]
		cl := charClass[c]
		switch {
		case cl&cSpace != 0:
			space |= spaceBefore
			if c == '\n' {
				space |= lineBefore
			}
			i++
			continue
		case cl&cAlnum == 0 && c < utf8.RuneSelf:
			toks = append(toks, token{})
			t := &toks[len(toks)-1]
			t.start, t.end, t.seg, t.kind, t.space = int32(i), int32(i+1), seg, tokPunct, space
			space = 0
			i++
			continue
		case cl&cAlnum == 0 && !isWordStart(text, i, end):
			_, size := utf8.DecodeRuneInString(text[i:end])
			if isSpaceRune(text[i:end]) {
				space |= spaceBefore
			} else {
				toks = append(toks, token{start: int32(i), end: int32(i + size), seg: seg, kind: tokPunct, space: space})
				space = 0
			}
			i += size
			continue
		}
		// Tokens are filled in place: assembling one in a local and
		// copying it costs a store-forwarding stall per token.
		toks = append(toks, token{})
		t := &toks[len(toks)-1]
		t.start, t.seg, t.kind, t.space = int32(i), seg, tokWord, space
		space = 0
		j, seen := i, uint8(0)
		var key lexKey
		if cl&cAlnum != 0 {
			j, seen = scanASCII(text, i, end, &key)
		}
		if j == i || j < end && (text[j] == '\'' || text[j] >= utf8.RuneSelf) {
			j = scanWord(t, text, end)
		} else {
			t.end = int32(j)
			t.shape = shapeOf(seen, cl&cUpper != 0, true)
			if seen&(cLower|cUpper) != 0 && j-i <= maxLookup {
				t.lexID = lexicon.lookup(&key)
			}
		}
		i = j
	}
	return toks
}

// scanASCII scans the ASCII letters and digits from text[i] (one at least)
// to end. It returns the offset after them and the character classes seen
// and, for a run of at most maxLookup bytes, stores its lowercase packed form
// in key, which must be zero. Setting bit 0x20 lowercases letters and keeps
// digits.
func scanASCII(text string, i, end int, key *lexKey) (int, uint8) {
	var seen uint8
	j := i
	for j < end {
		cl := charClass[text[j]]
		if cl&cAlnum == 0 {
			break
		}
		seen |= cl
		j++
	}
	n := j - i
	switch {
	case n <= 8 && i+8 <= len(text):
		key[0] = (le64(text[i:]) | 0x2020202020202020) & (1<<(8*uint(n)) - 1)
	case n <= maxLookup:
		for k := 0; k < n; k++ {
			key[k>>3] |= uint64(text[i+k]|0x20) << (8 * (k & 7))
		}
	}
	return j, seen
}

// shapeOf returns the shape bits of a word from the character classes seen
// in it, whether its first letter is upper case and whether it is ASCII.
func shapeOf(seen uint8, capFirst, ascii bool) uint8 {
	var shape uint8
	if seen&cDigit != 0 {
		shape |= shapeDigit
	}
	if seen&(cLower|cUpper) != 0 {
		shape |= shapeAlpha
		if seen&cLower == 0 {
			shape |= shapeUpper
		}
	}
	if capFirst {
		shape |= shapeCapFirst
	}
	if ascii {
		shape |= shapeASCII
	}
	return shape
}

// le64 loads the first eight bytes of s as a little-endian word.
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// scanWord scans the word starting at t.start that holds apostrophes or
// characters outside ASCII, completes t and returns the offset after it. Apostrophes (' and ’) count when a letter follows; letters and digits
// of other scripts count as letters (only ASCII digits take part in
// numbers).
func scanWord(t *token, text string, end int) int {
	var buf [maxLookup]byte
	n := 0 // bytes in buf; n > maxLookup means too long to look up
	var seen uint8
	ascii, capFirst := true, charClass[text[t.start]]&cUpper != 0
	i := int(t.start)
	for i < end {
		c := text[i]
		if cl := charClass[c]; cl&cAlnum != 0 {
			seen |= cl
			if n < maxLookup {
				buf[n] = c | 0x20
			}
			n++
			i++
			continue
		}
		if c == '\'' && i+1 < end && isLetterAt(text, i+1, end) {
			if n < maxLookup {
				buf[n] = c
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
			}
			n++
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			ascii = false
			if unicode.IsUpper(r) {
				seen |= cUpper
				capFirst = capFirst || i == int(t.start)
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
	t.shape = shapeOf(seen, capFirst, ascii)
	if t.shape&shapeAlpha != 0 {
		switch {
		case n <= maxLookup:
			k := packWord(buf[:n])
			t.lexID = lexicon.lookup(&k)
		case !ascii && t.end-t.start <= utf8.UTFMax*maxLookup:
			// Longer words have more than maxLookup runes, each at least
			// a byte in lower case.
			if lw := strings.ToLower(text[t.start:t.end]); len(lw) <= maxLookup {
				k := packWord(lw)
				t.lexID = lexicon.lookup(&k)
			}
		}
	}
	return i
}

// Character classes of ASCII bytes.
const (
	cDigit uint8 = 1 << iota
	cLower
	cUpper
	cSpace // ' ', '\t', '\r', '\n'
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
	for _, c := range " \t\r\n" {
		t[c] = cSpace
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
