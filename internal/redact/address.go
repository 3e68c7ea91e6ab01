package redact

import "strings"

// maxStreetWords bounds the words between a house number and the street
// type: "1234 north old mill creek road".
const maxStreetWords = 4

// address detects a street address that starts with a house number at token
// i: "1234 Oak Avenue, Apt 5B, Springfield, IL 62704", "221B Baker Street",
// "twelve thirty four oak avenue", "12 rue de Rivoli". It returns the token
// after the address, or i.
func (a *analyzer) address(i int) int {
	j := a.houseNumber(i)
	if j == i {
		return i
	}
	end := a.streetAfterNumber(j)
	if end == j {
		return i
	}
	end = a.addressTail(end)
	a.emit(Address, a.span(i, end), nil)
	a.consume(cueAddress)
	return end
}

// houseNumber parses "1234", "221B", "12-14" or a spoken number of at most
// five digits at token i and returns the token after it.
func (a *analyzer) houseNumber(i int) int {
	t := &a.toks[i]
	if t.hasDigit() {
		if t.length() > 6 || !startsWithDigit(a.text(i)) {
			return i
		}
		j := i + 1
		if a.punct(j, '-') && j+1 < len(a.toks) && a.toks[j+1].isDigits() && !a.toks[j].spaced() && !a.toks[j+1].spaced() {
			j += 2
		}
		return j
	}
	saved := len(a.digits)
	defer func() { a.digits = a.digits[:saved] }()
	j := i
	for n := 0; n < 3; n++ {
		k := j
		if n > 0 {
			if k = a.adjacentWord(j); k < 0 {
				break
			}
		}
		m := a.spokenNumber(k, n > 0)
		if m == k {
			break
		}
		j = m
	}
	if j == i || len(a.digits)-saved > 5 {
		return i
	}
	return j
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// streetAfterNumber parses the street name after a house number ending before
// token j: words ending in a street type ("oak avenue", "5th st.") or a
// street-type word followed by words ("rue de rivoli").
func (a *analyzer) streetAfterNumber(j int) int {
	k := a.adjacentWord(j)
	if k < 0 {
		return j
	}
	if a.toks[k].lex().has(flagStreetPrefix) && !a.toks[k].lex().has(flagStreetSuffix) {
		end := k + 1
		for n := 0; n < 3; n++ {
			w := a.adjacentWord(end)
			if w < 0 || a.toks[w].lex().has(flagMeasure) || a.toks[w].hasDigit() || a.toks[w].lex() != nil && a.toks[w].lex().phrases != nil {
				break
			}
			end = w + 1
		}
		if end > k+1 {
			return end
		}
		return j
	}
	for n := 0; n <= maxStreetWords; n++ {
		if k < 0 {
			return j
		}
		t := &a.toks[k]
		e := t.lex()
		if n > 0 && e.has(flagStreetSuffix) {
			end := k + 1
			if a.punct(end, '.') && !a.toks[end].spaced() {
				end++
			}
			return end
		}
		if e.has(flagMeasure) || e.has(flagMoney) || e.has(flagStop) && !isDirection(a.text(k)) || t.hasDigit() && !isOrdinalNumber(a.text(k)) {
			return j
		}
		k = a.adjacentWord(k + 1)
	}
	return j
}

// addressTail extends an address ending before token i over a unit ("apt
// 5b", "suite 200", "#12"), a city, a state and a ZIP code or UK postcode.
func (a *analyzer) addressTail(i int) int {
	end := i
	j := a.skipPunct(end, ',')
	if w := a.adjacentWordAny(j); w >= 0 && a.toks[w].lex().has(flagUnit) || a.punct(j, '#') {
		k := w + 1
		if a.punct(j, '#') {
			k = j + 1
		}
		k = a.skipPunct(k, '#')
		if k < len(a.toks) && a.sameSeg(i, k) && a.toks[k].kind == tokWord && (a.toks[k].hasDigit() || a.toks[k].length() == 1) {
			end = k + 1
		} else if m := a.houseNumber(k); k < len(a.toks) && a.toks[k].kind == tokWord && m > k {
			end = m
		}
	}
	// City, state and postal code: taken only when the postal code is there.
	j = a.skipPunct(end, ',')
	for n := 0; n < 4; n++ {
		if m := a.postalCode(j); m > j {
			return m
		}
		w := a.adjacentWordAny(j)
		if w < 0 || a.toks[w].lex().has(flagStop) && !a.toks[w].lex().has(flagState) || a.toks[w].hasDigit() {
			break
		}
		j = a.skipPunct(w+1, ',')
	}
	return end
}

// postalCode parses a US ZIP (12345, 12345-6789, spoken five digits) or a UK
// postcode (SW1A 1AA) at token i.
func (a *analyzer) postalCode(i int) int {
	if i >= len(a.toks) || a.toks[i].kind != tokWord || !a.sameSeg(i-1, i) {
		return i
	}
	t := &a.toks[i]
	if t.isDigits() && t.length() == 5 {
		if a.punct(i+1, '-') && i+2 < len(a.toks) && a.toks[i+2].isDigits() && a.toks[i+2].length() == 4 {
			return i + 3
		}
		return i + 1
	}
	if t.hasDigit() && t.hasAlpha() && t.length() >= 2 && t.length() <= 4 && i+1 < len(a.toks) {
		out, in := strings.ToUpper(a.text(i)), a.toks[i+1]
		if in.kind == tokWord && in.length() == 3 && isUKOutward(out) && isUKInward(strings.ToUpper(a.text(i+1))) {
			return i + 2
		}
	}
	return i
}

// isUKOutward matches the outward code of a UK postcode: A9, A99, AA9, AA99,
// A9A, AA9A.
func isUKOutward(s string) bool {
	if len(s) < 2 || len(s) > 4 || !isUpper(s[0]) {
		return false
	}
	k := 1
	if isUpper(s[k]) {
		k++
	}
	if k >= len(s) || s[k] < '0' || s[k] > '9' {
		return false
	}
	k++
	if k < len(s) && (s[k] >= '0' && s[k] <= '9' || isUpper(s[k])) {
		k++
	}
	return k == len(s)
}

// isUKInward matches the inward code of a UK postcode: 9AA.
func isUKInward(s string) bool {
	return len(s) == 3 && s[0] >= '0' && s[0] <= '9' && isUpper(s[1]) && isUpper(s[2])
}

// adjacentWordAny returns the word token i in the same segment, even after a
// line break, or -1.
func (a *analyzer) adjacentWordAny(i int) int {
	if i <= 0 || i >= len(a.toks) || a.toks[i].kind != tokWord || !a.sameSeg(i-1, i) {
		return -1
	}
	return i
}

func isDirection(s string) bool {
	switch strings.ToLower(s) {
	case "n", "s", "e", "w", "ne", "nw", "se", "sw", "north", "south", "east", "west":
		return true
	}
	return false
}

// isOrdinalNumber matches "5th", "1st", "22nd", "3rd".
func isOrdinalNumber(s string) bool {
	s = strings.ToLower(s)
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if d, ok := strings.CutSuffix(s, suf); ok && d != "" && strings.Trim(d, "0123456789") == "" {
			return true
		}
	}
	return false
}

// euSuffixes end the names of streets written before the house number in
// German, Dutch and Nordic addresses.
var euSuffixes = []string{"straße", "strasse", "str", "weg", "gasse", "allee", "platz", "ring", "damm", "ufer",
	"straat", "laan", "gracht", "plein", "kade", "vej", "gatan", "gata", "veien", "gade"}

// euStreet detects a street written before its house number: "Hauptstraße
// 5", "Via Roma 10", "Calle Mayor 5, 28013 Madrid". Token i is a capitalized
// word.
func (a *analyzer) euStreet(i int) int {
	t := &a.toks[i]
	if t.kind != tokWord || !t.capFirst() || t.hasDigit() {
		return i
	}
	k := i + 1
	if t.lex().has(flagStreetPrefix) {
		for n := 0; n < 3; n++ {
			w := a.adjacentWord(k)
			if w < 0 || a.toks[w].hasDigit() || !a.toks[w].capFirst() && !isParticle(a.text(w)) {
				break
			}
			k = w + 1
		}
		if k == i+1 {
			return i
		}
	} else {
		if a.punct(k, '.') && !a.toks[k].spaced() {
			k++ // "Hauptstr. 5"
		}
		// The cheap test first: a house number must follow.
		if n := a.adjacentWord(k); n < 0 || !a.toks[n].hasDigit() || !isEUStreetName(a.text(i)) {
			return i
		}
	}
	n := a.adjacentWord(k)
	if n < 0 || !a.toks[n].hasDigit() || !startsWithDigit(a.text(n)) || a.toks[n].length() > 5 {
		return i
	}
	end := n + 1
	if j := a.skipPunct(end, ','); a.adjacentWordAny(j) >= 0 && a.toks[j].isDigits() && (a.toks[j].length() == 4 || a.toks[j].length() == 5) {
		end = j + 1
		if w := a.adjacentWordAny(end); w >= 0 && a.toks[w].capFirst() {
			end = w + 1
		}
	}
	a.emit(Address, a.span(i, end), nil)
	return end
}

func isParticle(s string) bool {
	switch strings.ToLower(s) {
	case "de", "del", "della", "di", "da", "do", "dos", "du", "la", "le", "les", "des", "van", "von", "der":
		return true
	}
	return false
}

// isEUStreetName reports whether w ends like a German, Dutch or Nordic street
// name ("Hauptstraße", "Keizersgracht").
func isEUStreetName(w string) bool {
	for _, s := range euSuffixes {
		if len(w) > len(s)+2 && strings.EqualFold(w[len(w)-len(s):], s) {
			return true
		}
	}
	return false
}
