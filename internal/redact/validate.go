package redact

// Checksums and numbering rules. Every function takes ASCII digits (or, for
// IBAN, upper-case alphanumerics) and never panics on other input.

// luhn reports whether the digit string passes the Luhn (mod 10) check.
func luhn(d []byte) bool {
	if len(d) < 2 {
		return false
	}
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		c := int(d[i] - '0')
		if c < 0 || c > 9 {
			return false
		}
		if double {
			c *= 2
			if c > 9 {
				c -= 9
			}
		}
		sum += c
		double = !double
	}
	return sum%10 == 0
}

// prefixInt returns the integer value of the first n digits of d.
func prefixInt(d []byte, n int) int {
	v := 0
	for i := 0; i < n && i < len(d); i++ {
		v = v*10 + int(d[i]-'0')
	}
	return v
}

// cardBrand reports whether d has the length and issuer prefix of a current
// card brand: Visa, Mastercard (51–55 and 2221–2720), American Express,
// Discover, Diners Club, JCB, UnionPay, Maestro, Mir, RuPay, Verve, Troy.
func cardBrand(d []byte) bool {
	n := len(d)
	if n < 13 || n > 19 {
		return false
	}
	p1, p2, p3, p4, p6 := prefixInt(d, 1), prefixInt(d, 2), prefixInt(d, 3), prefixInt(d, 4), prefixInt(d, 6)
	switch {
	case p1 == 4: // Visa (and Visa Electron)
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case p4 == 6011, p2 == 65, p3 >= 644 && p3 <= 649, p6 >= 622126 && p6 <= 622925: // Discover
		return n >= 16
	case p3 >= 300 && p3 <= 305, p2 == 36, p2 == 38, p2 == 39, p4 == 3095: // Diners Club
		return n >= 14
	case p4 >= 3528 && p4 <= 3589: // JCB
		return n >= 16
	case p2 == 62, p2 == 81: // UnionPay
		return n >= 16
	case p2 == 50, p2 >= 56 && p2 <= 58, p2 == 63, p2 == 67, p2 == 60 || p2 == 61: // Maestro, RuPay, Verve
		return n >= 12
	case p4 >= 2200 && p4 <= 2204: // Mir
		return n >= 16
	case p4 == 9792: // Troy
		return n == 16
	}
	return false
}

// validSSN applies the US Social Security Administration's rules: area not
// 000, 666 or 900–999; group not 00; serial not 0000.
func validSSN(d []byte) bool {
	if len(d) != 9 {
		return false
	}
	area, group, serial := prefixInt(d, 3), prefixInt(d[3:], 2), prefixInt(d[5:], 4)
	return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

// validITIN reports an IRS Individual Taxpayer Identification Number: 9xx,
// group 50–65, 70–88, 90–92 or 94–99.
func validITIN(d []byte) bool {
	if len(d) != 9 || d[0] != '9' {
		return false
	}
	g := prefixInt(d[3:], 2)
	return g >= 50 && g <= 65 || g >= 70 && g <= 88 || g >= 90 && g <= 92 || g >= 94
}

// validABA checks an ABA routing transit number: a known Federal Reserve
// prefix and the 3-7-1 weighted checksum.
func validABA(d []byte) bool {
	if len(d) != 9 {
		return false
	}
	p := prefixInt(d, 2)
	if !(p <= 12 || p >= 21 && p <= 32 || p >= 61 && p <= 72 || p == 80) {
		return false
	}
	w := [9]int{3, 7, 1, 3, 7, 1, 3, 7, 1}
	sum := 0
	for i, c := range d {
		sum += int(c-'0') * w[i]
	}
	return sum%10 == 0
}

// ibanLengths is the IBAN length of each country in the SWIFT IBAN registry.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
	"BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
	"ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
	"HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
	"LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
	"MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25,
	"QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
	"ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// validIBAN checks the country length and the ISO 7064 mod-97 checksum of an
// upper-case IBAN without spaces.
func validIBAN(s []byte) bool {
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	if n, ok := ibanLengths[string(s[:2])]; !ok || n != len(s) {
		return false
	}
	rem := 0
	for k := range len(s) {
		c := s[(k+4)%len(s)]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A'+10)) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// validNINO checks the format rules of a UK National Insurance number: two
// prefix letters (not D, F, I, Q, U, V; second not O; not BG, GB, KN, NK,
// NT, TN, ZZ), six digits and a suffix A–D.
func validNINO(s []byte) bool {
	if len(s) != 9 {
		return false
	}
	a, b := s[0], s[1]
	if !isUpper(a) || !isUpper(b) || s[8] < 'A' || s[8] > 'D' {
		return false
	}
	for _, c := range s[2:8] {
		if c < '0' || c > '9' {
			return false
		}
	}
	bad := func(c byte) bool { return c == 'D' || c == 'F' || c == 'I' || c == 'Q' || c == 'U' || c == 'V' }
	if bad(a) || bad(b) || b == 'O' {
		return false
	}
	switch string(s[:2]) {
	case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
		return false
	}
	return true
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// validMonthYear reports whether mm/yy (or mm/yyyy) is a plausible card
// expiry: month 1–12, year 2000–2049.
func validMonthYear(month, year int) bool {
	if year < 100 {
		year += 2000
	}
	return month >= 1 && month <= 12 && year >= 2000 && year <= 2049
}

// validDate reports whether day/month/year is a plausible date of birth
// (years 1900–2030, or two-digit years).
func validDate(day, month, year int) bool {
	if year >= 100 && (year < 1900 || year > 2030) {
		return false
	}
	return month >= 1 && month <= 12 && day >= 1 && day <= 31
}
