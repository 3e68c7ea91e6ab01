package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

var digitWords = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

// luhnComplete appends the Luhn check digit to the digits in d.
func luhnComplete(d []byte) []byte {
	sum := 0
	double := true
	for i := len(d) - 1; i >= 0; i-- {
		c := int(d[i] - '0')
		if double {
			c *= 2
			if c > 9 {
				c -= 9
			}
		}
		sum += c
		double = !double
	}
	return append(d, byte('0'+(10-sum%10)%10))
}

func digits(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return b
}

// card returns a Luhn-valid card number of a random brand.
func card(r *rand.Rand) string {
	type brand struct {
		prefix string
		n      int
	}
	mc2 := fmt.Sprint(2221 + r.IntN(500))
	brands := []brand{{"4", 16}, {"4", 16}, {"4", 13}, {"4", 19}, {fmt.Sprint(51 + r.IntN(5)), 16}, {mc2, 16},
		{"34", 15}, {"37", 15}, {"6011", 16}, {"65", 16}, {"36", 14}, {fmt.Sprint(3528 + r.IntN(62)), 16}, {"62", 19}}
	b := brands[r.IntN(len(brands))]
	d := append([]byte(b.prefix), digits(r, b.n-len(b.prefix)-1)...)
	return string(luhnComplete(d))
}

func ssn(r *rand.Rand) string {
	for {
		d := digits(r, 9)
		area := int(d[0]-'0')*100 + int(d[1]-'0')*10 + int(d[2]-'0')
		if area == 0 || area == 666 || area >= 900 || string(d[3:5]) == "00" || string(d[5:]) == "0000" {
			continue
		}
		return string(d)
	}
}

func aba(r *rand.Rand) string {
	prefixes := []string{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "21", "22", "26", "31", "32", "61", "63", "67"}
	d := append([]byte(prefixes[r.IntN(len(prefixes))]), digits(r, 6)...)
	w := []int{3, 7, 1, 3, 7, 1, 3, 7}
	sum := 0
	for i, c := range d {
		sum += int(c-'0') * w[i]
	}
	return string(append(d, byte('0'+(10-sum%10)%10)))
}

// iban returns a valid GB or DE IBAN without spaces.
func iban(r *rand.Rand) string {
	var cc, bban string
	if r.IntN(2) == 0 {
		banks := []string{"WEST", "NWBK", "BARC", "MIDL", "LOYD"}
		cc, bban = "GB", banks[r.IntN(len(banks))]+string(digits(r, 14))
	} else {
		cc, bban = "DE", string(digits(r, 18))
	}
	num := ""
	for _, c := range bban + cc + "00" {
		if c >= 'A' && c <= 'Z' {
			num += fmt.Sprint(int(c-'A') + 10)
		} else {
			num += string(c)
		}
	}
	rem := 0
	for _, c := range num {
		rem = (rem*10 + int(c-'0')) % 97
	}
	return fmt.Sprintf("%s%02d%s", cc, 98-rem, bban)
}

func nino(r *rand.Rand) string {
	prefixes := []string{"AB", "CE", "JK", "PR", "SW", "WX", "HL", "ME", "TY", "EH"}
	return prefixes[r.IntN(len(prefixes))] + string(digits(r, 6)) + string(rune('A'+r.IntN(4)))
}

// usPhone returns a valid NANP number as 10 digits.
func usPhone(r *rand.Rand) string {
	areas := []string{"212", "415", "312", "617", "202", "305", "713", "206", "303", "404", "512", "602", "718", "646"}
	return areas[r.IntN(len(areas))] + fmt.Sprint(201+r.IntN(700)) + string(digits(r, 4))
}

// spell reads digits one by one, with "oh" for some zeros and "double" for
// some repeats.
func spell(r *rand.Rand, d string, fancy bool) string {
	var out []string
	for i := 0; i < len(d); i++ {
		c := d[i]
		if fancy && i+1 < len(d) && d[i+1] == c && r.IntN(3) == 0 {
			if i+2 < len(d) && d[i+2] == c && r.IntN(2) == 0 {
				out = append(out, "triple", digitWords[c-'0'])
				i += 2
				continue
			}
			out = append(out, "double", digitWords[c-'0'])
			i++
			continue
		}
		if c == '0' && fancy && r.IntN(2) == 0 {
			out = append(out, "oh")
			continue
		}
		out = append(out, digitWords[c-'0'])
	}
	return strings.Join(out, " ")
}

// homophones replaces some spoken "four" and "two" by "for" and "to" where
// both neighbours are spoken digits.
func homophones(r *rand.Rand, s string) string {
	w := strings.Fields(s)
	for i := 1; i+1 < len(w); i++ {
		if (w[i] == "four" || w[i] == "two") && isDigitWord(w[i-1]) && isDigitWord(w[i+1]) && r.IntN(2) == 0 {
			w[i] = map[string]string{"four": "for", "two": "to"}[w[i]]
		}
	}
	return strings.Join(w, " ")
}

func isDigitWord(s string) bool {
	for _, d := range digitWords {
		if s == d {
			return true
		}
	}
	return s == "oh"
}

// group splits d into groups of the given sizes joined by sep.
func group(d string, sep string, sizes ...int) string {
	var parts []string
	for _, n := range sizes {
		if n > len(d) {
			n = len(d)
		}
		parts = append(parts, d[:n])
		d = d[n:]
	}
	if d != "" {
		parts = append(parts, d)
	}
	return strings.Join(parts, sep)
}

func cardGroups(d string) []int {
	switch len(d) {
	case 15:
		return []int{4, 6, 5}
	case 14:
		return []int{4, 6, 4}
	}
	return []int{4, 4, 4, 4}
}

var tens = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
var teens = []string{"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}

// twoDigits says 0–99 as a speaker would in a year or a date: "oh nine",
// "twelve", "twenty six".
func twoDigits(n int) string {
	switch {
	case n < 10:
		return "oh " + digitWords[n]
	case n < 20:
		return teens[n-10]
	case n%10 == 0:
		return tens[n/10]
	}
	return tens[n/10] + " " + digitWords[n%10]
}

var months = []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
var ordinals = []string{"", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
	"eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"}

func ordinalWords(n int) string {
	switch {
	case n <= 20:
		return ordinals[n]
	case n == 30:
		return "thirtieth"
	}
	return tens[n/10] + " " + ordinals[n%10]
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
