package records

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Mask returns the profile as shown by default: enough to recognise, not
// enough to misuse. Phones keep the country code and last 4 digits, emails
// the first character and the domain, the date of birth hides the year,
// account numbers keep the last 4 characters, the address keeps only the
// country, the name keeps initials, attribute values are hidden.
func Mask(p Profile) Profile {
	m := Profile{
		Name:           maskName(p.Name),
		Phones:         make([]string, len(p.Phones)),
		Emails:         make([]string, len(p.Emails)),
		AccountNumbers: make([]string, len(p.AccountNumbers)),
		Attributes:     make(map[string]string, len(p.Attributes)),
	}
	for i, ph := range p.Phones {
		m.Phones[i] = MaskPhone(ph)
	}
	for i, e := range p.Emails {
		m.Emails[i] = MaskEmail(e)
	}
	for i, a := range p.AccountNumbers {
		m.AccountNumbers[i] = maskTail(a, 4)
	}
	for k := range p.Attributes {
		m.Attributes[k] = "***"
	}
	if p.Address != nil {
		m.Address = &Address{Lines: []string{"***"}, Country: p.Address.Country}
	}
	if len(p.DateOfBirth) == len("2006-01-02") {
		m.DateOfBirth = "****" + p.DateOfBirth[4:]
	}
	return m
}

// MaskPhone masks an E.164 number: "+1 ***-***-1234" for North American
// numbers, "+44 ******1234" style elsewhere.
func MaskPhone(e164 string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return "***"
	}
	cc := num.GetCountryCode()
	national := phonenumbers.GetNationalSignificantNumber(num)
	if len(national) <= 4 {
		return "***"
	}
	last4 := national[len(national)-4:]
	if cc == 1 && len(national) == 10 {
		return "+1 ***-***-" + last4
	}
	return "+" + strconv.Itoa(int(cc)) + " " + strings.Repeat("*", len(national)-4) + last4
}

// MaskEmail keeps the first character of the local part and the domain.
func MaskEmail(e string) string {
	at := strings.LastIndexByte(e, '@')
	if at <= 0 {
		return "***"
	}
	_, size := utf8.DecodeRuneInString(e)
	return e[:size] + "***" + e[at:]
}

func maskName(n string) string {
	parts := strings.Fields(n)
	for i, p := range parts {
		r, size := utf8.DecodeRuneInString(p)
		if r == utf8.RuneError {
			parts[i] = "***"
			continue
		}
		parts[i] = p[:size] + "***"
	}
	return strings.Join(parts, " ")
}

func maskTail(s string, keep int) string {
	if len(s) <= keep {
		return strings.Repeat("*", len(s))
	}
	return strings.Repeat("*", len(s)-keep) + s[len(s)-keep:]
}
