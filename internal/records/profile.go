package records

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/confide-cc/confide/internal/apperr"
)

// Profile is a customer's personal data. It exists in clear only in memory:
// every field is sealed separately before it reaches the store.
type Profile struct {
	Name           string            `json:"name"`
	Phones         []string          `json:"phones"`
	Emails         []string          `json:"emails"`
	Address        *Address          `json:"address,omitempty"`
	DateOfBirth    string            `json:"date_of_birth,omitempty"` // YYYY-MM-DD
	AccountNumbers []string          `json:"account_numbers"`
	Attributes     map[string]string `json:"attributes"`
}

// Address is a postal address.
type Address struct {
	Lines      []string `json:"lines"`
	City       string   `json:"city,omitempty"`
	Region     string   `json:"region,omitempty"`
	PostalCode string   `json:"postal_code,omitempty"`
	Country    string   `json:"country,omitempty"` // ISO 3166-1 alpha-2
}

// Fields lists the profile's field names, which are also the names accepted
// by reveal requests and the columns they are sealed in.
var Fields = []string{"name", "phones", "emails", "address", "date_of_birth", "account_numbers", "attributes"}

// Limits on profile content.
const (
	maxNameLen      = 200
	maxListLen      = 20
	maxAttrs        = 50
	maxAttrKeyLen   = 64
	maxAttrValueLen = 1024
	maxAddressLine  = 200
	maxAddressLines = 5
	minAccountLen   = 4
	maxAccountLen   = 34
	minBirthYear    = 1900
)

var (
	accountRE = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	attrKeyRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	countryRE = regexp.MustCompile(`^[A-Z]{2}$`)
)

func invalid(code, format string, args ...any) error {
	return apperr.New(apperr.Invalid, code, format, args...)
}

// normalize validates p and rewrites it to canonical form: phones in E.164
// (national numbers are read in defaultRegion), emails case-folded,
// whitespace trimmed. Error messages name the field, never its value.
func (p *Profile) normalize(defaultRegion string, now time.Time) error {
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" {
		return invalid("invalid_name", "name: required")
	}
	if err := checkText("name", p.Name, maxNameLen); err != nil {
		return err
	}
	if len(p.Phones) > maxListLen {
		return invalid("invalid_phone", "phones: at most %d numbers", maxListLen)
	}
	for i, ph := range p.Phones {
		e164, err := NormalizePhone(ph, defaultRegion)
		if err != nil {
			return invalid("invalid_phone", "phones[%d]: not a valid phone number", i)
		}
		p.Phones[i] = e164
	}
	p.Phones = dedupe(p.Phones)
	if len(p.Emails) > maxListLen {
		return invalid("invalid_email", "emails: at most %d addresses", maxListLen)
	}
	for i, e := range p.Emails {
		n, err := NormalizeEmail(e)
		if err != nil {
			return invalid("invalid_email", "emails[%d]: not a valid email address", i)
		}
		p.Emails[i] = n
	}
	p.Emails = dedupe(p.Emails)
	if p.Address != nil {
		if err := p.Address.normalize(); err != nil {
			return err
		}
	}
	if p.DateOfBirth != "" {
		d, err := time.Parse(time.DateOnly, p.DateOfBirth)
		if err != nil {
			return invalid("invalid_date", "date_of_birth: must be a date as YYYY-MM-DD")
		}
		if d.Year() < minBirthYear || d.After(now) {
			return invalid("invalid_date", "date_of_birth: must be between %d-01-01 and today", minBirthYear)
		}
	}
	if len(p.AccountNumbers) > maxListLen {
		return invalid("invalid_account_number", "account_numbers: at most %d numbers", maxListLen)
	}
	for i, a := range p.AccountNumbers {
		a = strings.ReplaceAll(strings.TrimSpace(a), " ", "")
		if len(a) < minAccountLen || len(a) > maxAccountLen || !accountRE.MatchString(a) {
			return invalid("invalid_account_number", "account_numbers[%d]: must be %d to %d letters or digits", i, minAccountLen, maxAccountLen)
		}
		p.AccountNumbers[i] = a
	}
	if len(p.Attributes) > maxAttrs {
		return invalid("invalid_attributes", "attributes: at most %d entries", maxAttrs)
	}
	for k, v := range p.Attributes {
		if len(k) > maxAttrKeyLen || !attrKeyRE.MatchString(k) {
			return invalid("invalid_attributes", "attributes: keys must be 1 to %d characters of [A-Za-z0-9_.-]", maxAttrKeyLen)
		}
		if err := checkText("attributes."+k, v, maxAttrValueLen); err != nil {
			return err
		}
	}
	if p.Phones == nil {
		p.Phones = []string{}
	}
	if p.Emails == nil {
		p.Emails = []string{}
	}
	if p.AccountNumbers == nil {
		p.AccountNumbers = []string{}
	}
	if p.Attributes == nil {
		p.Attributes = map[string]string{}
	}
	return nil
}

func (a *Address) normalize() error {
	if len(a.Lines) == 0 || len(a.Lines) > maxAddressLines {
		return invalid("invalid_address", "address.lines: 1 to %d lines required", maxAddressLines)
	}
	for i := range a.Lines {
		a.Lines[i] = strings.TrimSpace(a.Lines[i])
		if err := checkText(fmt.Sprintf("address.lines[%d]", i), a.Lines[i], maxAddressLine); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"address.city", &a.City}, {"address.region", &a.Region}, {"address.postal_code", &a.PostalCode}} {
		*f.v = strings.TrimSpace(*f.v)
		if err := checkText(f.name, *f.v, maxAddressLine); err != nil {
			return err
		}
	}
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	if a.Country != "" && !countryRE.MatchString(a.Country) {
		return invalid("invalid_address", "address.country: must be an ISO 3166-1 alpha-2 code")
	}
	return nil
}

func checkText(field, v string, max int) error {
	if !utf8.ValidString(v) {
		return invalid("invalid_text", "%s: not valid UTF-8", field)
	}
	if len(v) > max {
		return invalid("invalid_text", "%s: longer than %d bytes", field, max)
	}
	for _, r := range v {
		if r < 0x20 && r != '\t' {
			return invalid("invalid_text", "%s: contains control characters", field)
		}
	}
	return nil
}

// NormalizePhone parses a phone number (international, or national in
// defaultRegion) and returns it in E.164 form.
func NormalizePhone(s, defaultRegion string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return "", fmt.Errorf("empty or too long")
	}
	num, err := phonenumbers.Parse(s, defaultRegion)
	if err != nil {
		return "", err
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", fmt.Errorf("not a valid number")
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// NormalizeEmail validates a bare email address and case-folds it.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 {
		return "", fmt.Errorf("empty or too long")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", err
	}
	if a.Name != "" || a.Address != s {
		return "", fmt.Errorf("not a bare address")
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || !strings.Contains(s[at+1:], ".") {
		return "", fmt.Errorf("domain without a dot")
	}
	return strings.ToLower(s), nil
}

func dedupe(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := xs[:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
