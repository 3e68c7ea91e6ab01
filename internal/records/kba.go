package records

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// minKBAAnswers is how many knowledge-based answers a check needs.
const minKBAAnswers = 2

// answered names the questions answered (never the answers), for the audit.
func (n KBAAnswers) answered() []string {
	var out []string
	for _, f := range []struct{ name, v string }{{"date_of_birth", n.DateOfBirth}, {"postcode", n.Postcode}, {"account_last4", n.AccountLast4}} {
		if f.v != "" {
			out = append(out, f.name)
		}
	}
	return out
}

// NormalizeKBA validates and normalizes a caller's answers: a date of
// birth becomes YYYY-MM-DD (YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, "YYYY MM DD"
// and YYYYMMDD are accepted), a postcode loses spaces and hyphens and is
// upper-cased, the account digits are upper-cased without spaces and must be
// exactly 4 letters or digits. At least two answers are required. Errors
// name the field, never the value.
func NormalizeKBA(a KBAAnswers) (KBAAnswers, error) {
	var n KBAAnswers
	for _, f := range []struct{ name, v string }{{"date_of_birth", a.DateOfBirth}, {"postcode", a.Postcode}, {"account_last4", a.AccountLast4}} {
		if len(f.v) > maxAnswerLen || !utf8.ValidString(f.v) {
			return KBAAnswers{}, invalid("invalid_answers", "answers.%s: at most %d bytes of UTF-8", f.name, maxAnswerLen)
		}
	}
	if s := strings.TrimSpace(a.DateOfBirth); s != "" {
		d, ok := parseAnswerDate(s)
		if !ok {
			return KBAAnswers{}, invalid("invalid_answers", "answers.date_of_birth: must be a date as YYYY-MM-DD")
		}
		n.DateOfBirth = d
	}
	if s := strings.TrimSpace(a.Postcode); s != "" {
		n.Postcode = normalizePostcode(s)
		if n.Postcode == "" || strings.ContainsFunc(n.Postcode, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			return KBAAnswers{}, invalid("invalid_answers", "answers.postcode: letters and digits only (spaces and hyphens are ignored)")
		}
	}
	if s := strings.TrimSpace(a.AccountLast4); s != "" {
		n.AccountLast4 = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
		if len(n.AccountLast4) != 4 || !accountRE.MatchString(n.AccountLast4) {
			return KBAAnswers{}, invalid("invalid_answers", "answers.account_last4: exactly 4 letters or digits")
		}
	}
	if len(n.answered()) < minKBAAnswers {
		return KBAAnswers{}, invalid("invalid_answers", "answers: at least %d of date_of_birth, postcode, account_last4 are required", minKBAAnswers)
	}
	return n, nil
}

// parseAnswerDate reads a year-month-day date with -, /, . or space as
// separator (or none) and returns it as YYYY-MM-DD.
func parseAnswerDate(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '/', '.', ' ':
			return '-'
		}
		return r
	}, s)
	for _, layout := range []string{time.DateOnly, "20060102", "2006-1-2"} {
		if d, err := time.Parse(layout, s); err == nil && d.Year() >= minBirthYear {
			return d.Format(time.DateOnly), true
		}
	}
	return "", false
}

// normalizePostcode upper-cases s and drops spaces, tabs and hyphens.
func normalizePostcode(s string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s))
}

// matchKBA reports whether every given answer matches the profile. Each
// comparison is of fixed-size digests in constant time, and every answer
// and every account number is compared whatever the earlier results; a
// question whose fact is not on file never matches.
func matchKBA(p Profile, n KBAAnswers) bool {
	ok := 1
	if n.DateOfBirth != "" {
		ok &= eqDigest(n.DateOfBirth, p.DateOfBirth, p.DateOfBirth != "")
	}
	if n.Postcode != "" {
		stored := ""
		if p.Address != nil {
			stored = normalizePostcode(p.Address.PostalCode)
		}
		ok &= eqDigest(n.Postcode, stored, stored != "")
	}
	if n.AccountLast4 != "" {
		found := 0
		for _, a := range p.AccountNumbers {
			a = strings.ToUpper(a)
			if len(a) >= 4 {
				found |= eqDigest(n.AccountLast4, a[len(a)-4:], true)
			}
		}
		ok &= found
	}
	return ok == 1
}

// eqDigest compares SHA-256 digests of a and b in constant time; present
// false (nothing on file) never matches.
func eqDigest(a, b string, present bool) int {
	da, db := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	eq := subtle.ConstantTimeCompare(da[:], db[:])
	if !present {
		return 0
	}
	return eq
}
