package redact_test

import (
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/redact"
)

func newRedactor(t testing.TB, cfg redact.Config) *redact.Redactor {
	t.Helper()
	r, err := redact.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRedactTextForms is the matrix of surface forms per entity type.
func TestRedactTextForms(t *testing.T) {
	r := newRedactor(t, redact.Config{})
	cases := []struct{ in, want string }{
		// Cards: brands, groupings, spoken, homophones, mixed.
		{"card 4111 1111 1111 1111 thanks", "card [CARD_NUMBER] thanks"},
		{"4111-1111-1111-1111", "[CARD_NUMBER]"},
		{"it's 2223000048410010", "it's [CARD_NUMBER]"},               // Mastercard 2-series
		{"amex 3782 822463 10005", "amex [CARD_NUMBER]"},              // 15 digits, 4-6-5
		{"unionpay 6212345678901265 ok", "unionpay [CARD_NUMBER] ok"}, // 16 digits
		{"visa 4111111111111111110 ok", "visa [CARD_NUMBER] ok"},      // 19 digits
		{"sure it's four one one one one one one one one one one one one one one one", "sure it's [CARD_NUMBER]"},
		{"four one one one for one one one one one one one one one one five", "[CARD_NUMBER]"},
		{"4111 1111 one one one one one one one one", "[CARD_NUMBER]"},
		{"five five five five five five five five five five five five double four four four", "[CARD_NUMBER]"},
		{"card ending in 1111", "card ending in 1111"}, // the last four alone is allowed
		{"4111 1111 1111 1112", "4111 1111 1111 1112"}, // fails Luhn
		// Security codes, expiry, PIN: by context, spoken or written.
		{"exp 12/26 cvv 123", "exp [CARD_EXPIRY] cvv [CARD_CVV]"},
		{"the security code is seven three seven", "the security code is [CARD_CVV]"},
		{"expiry twelve twenty six", "expiry [CARD_EXPIRY]"},
		{"it expires oh nine twenty seven", "it expires [CARD_EXPIRY]"},
		{"expiration date july twenty twenty six", "expiration date [CARD_EXPIRY]"},
		{"my pin is double four triple seven", "my pin is [PIN]"},
		{"the total is 123 dollars", "the total is 123 dollars"},
		// SSN and ITIN.
		{"ssn 123-45-6789", "ssn [SSN]"},
		{"my social is one two three four five six seven eight nine", "my social is [SSN]"},
		{"itin 912-70-1234", "itin [ITIN]"},
		{"ssn 000-12-3456", "ssn 000-12-3456"}, // area 000 is never issued
		// Phones.
		{"call me at (415) 555-2671", "call me at [PHONE]"},
		{"+44 20 7946 0958 is the office", "[PHONE] is the office"},
		{"cb 555 0142", "cb [PHONE]"},
		{"reach me on four one five two zero one three three four four", "reach me on [PHONE]"},
		// Emails.
		{"jane.doe+x@example.co.uk", "[EMAIL]"},
		{"email is j dot smith at gmail dot com", "email is [EMAIL]"},
		{"send it to jsmith at outlook.com please", "send it to [EMAIL] please"},
		{"meet me at the office", "meet me at the office"},
		// Bank details.
		{"routing number 021000021 account number 123456789012", "routing number [ROUTING_NUMBER] account number [BANK_ACCOUNT]"},
		{"IBAN GB82 WEST 1234 5698 7654 32", "IBAN [IBAN]"},
		{"IBAN GB82 WEST 1234 5698 7654 33", "IBAN GB82 WEST 1234 5698 7654 33"}, // bad mod-97
		{"sort code 12-34-56", "sort code [SORT_CODE]"},
		// National identifiers, IPs, travel documents.
		{"NI number AB 12 34 56 C", "NI number [UK_NINO]"},
		{"from 192.168.1.20 today", "from [IP_ADDRESS] today"},
		{"version 1.2.3.4000", "version 1.2.3.4000"},
		{"passport number 123456789", "passport number [PASSPORT]"},
		{"driver's license D1234567", "driver's license [DRIVERS_LICENSE]"},
		// Dates of birth by context only.
		{"dob 7/28/84", "dob [DATE_OF_BIRTH]"},
		{"date of birth july twenty eighth nineteen eighty four", "date of birth [DATE_OF_BIRTH]"},
		{"I was born on 28 July 1984.", "I was born on [DATE_OF_BIRTH]."},
		{"delivery on 7/28/24", "delivery on 7/28/24"},
		// Names and addresses.
		{"my name is Sarah Johnson.", "my name is [PERSON]."},
		{"my name is sarah kowalczyk and", "my name is [PERSON] and"},
		{"this is Siobhan from billing", "this is [PERSON] from billing"},
		{"Regards,\nWei Chen", "Regards,\n[PERSON]"},
		{"I live at 1234 Oak Avenue, Apt 5B, Springfield, IL 62704.", "I live at [ADDRESS]."},
		{"twelve thirty four oak avenue", "[ADDRESS]"},
		{"221B Baker Street, London NW1 6XE", "[ADDRESS]"},
		{"Hauptstraße 5, 10115 Berlin", "[ADDRESS]"},
		{"it's a 5 minute drive", "it's a 5 minute drive"},
		// Secrets.
		{"my password is Tr0ub4dor&3 ok", "my password is [PASSWORD] ok"},
		{"I forgot my password.", "I forgot my password."},
		{"mother's maiden name is smith", "mother's maiden name is [SECURITY_ANSWER]"},
		// Innocent numbers.
		{"order 4471 total $25.99 at 3:30 pm, ext 4402, invoice 2024-0193, 2 items", "order 4471 total $25.99 at 3:30 pm, ext 4402, invoice 2024-0193, 2 items"},
	}
	for _, c := range cases {
		res, err := r.RedactText(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if res.Text != c.want {
			t.Errorf("RedactText(%q)\n got %q\nwant %q", c.in, res.Text, c.want)
		}
	}
}

func TestCountsAndSpans(t *testing.T) {
	r := newRedactor(t, redact.Config{})
	in := "card 4111 1111 1111 1111, cvv 123, call (415) 555-2671"
	res, err := r.RedactText(in)
	if err != nil {
		t.Fatal(err)
	}
	want := redact.Counts{redact.CardNumber: 1, redact.CardCVV: 1, redact.Phone: 1}
	if len(res.Counts) != len(want) || res.Counts.Total() != 3 {
		t.Fatalf("counts = %v, want %v", res.Counts, want)
	}
	for ty, n := range want {
		if res.Counts[ty] != n {
			t.Fatalf("counts = %v, want %v", res.Counts, want)
		}
	}
	gotTypes := []string{}
	for _, s := range res.Spans {
		gotTypes = append(gotTypes, string(s.Type)+":"+in[s.Start:s.End])
	}
	if got := strings.Join(gotTypes, "|"); got != "CARD_NUMBER:4111 1111 1111 1111|CARD_CVV:123|PHONE:(415) 555-2671" {
		t.Fatalf("spans = %s", got)
	}
}

func TestEntitiesFilter(t *testing.T) {
	r := newRedactor(t, redact.Config{Entities: []redact.EntityType{redact.Email}})
	res, _ := r.RedactText("card 4111 1111 1111 1111 mail a@b.com")
	if res.Text != "card 4111 1111 1111 1111 mail [EMAIL]" {
		t.Fatalf("got %q", res.Text)
	}
}

func TestOperators(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	cases := []struct {
		cfg      redact.Config
		in, want string
	}{
		{redact.Config{DefaultOperator: redact.OpMask}, "card 4111 1111 1111 1111", "card ************1111"},
		{redact.Config{DefaultOperator: redact.OpMask, CardKeepBIN: true}, "card 4111 1111 1111 1111", "card 411111******1111"},
		{redact.Config{DefaultOperator: redact.OpMask}, "ssn 123-45-6789", "ssn *****6789"},
		{redact.Config{DefaultOperator: redact.OpMask}, "cvv 123 pin 4455", "cvv [CARD_CVV] pin [PIN]"},
		{redact.Config{DefaultOperator: redact.OpPseudonym, Key: key}, "pin 4455", "pin [PIN]"},
		{redact.Config{Operators: map[redact.EntityType]redact.Operator{redact.CardCVV: redact.OpMask}}, "cvv 1234", "cvv [CARD_CVV]"},
	}
	for _, c := range cases {
		res, err := newRedactor(t, c.cfg).RedactText(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if res.Text != c.want {
			t.Errorf("%+v: RedactText(%q) = %q, want %q", c.cfg, c.in, res.Text, c.want)
		}
	}
}

func TestKeyedOperatorsAreConsistent(t *testing.T) {
	k1, k2 := []byte(strings.Repeat("a", 32)), []byte(strings.Repeat("b", 32))
	p1 := newRedactor(t, redact.Config{DefaultOperator: redact.OpPseudonym, Key: k1})
	p2 := newRedactor(t, redact.Config{DefaultOperator: redact.OpPseudonym, Key: k2})
	h1 := newRedactor(t, redact.Config{DefaultOperator: redact.OpHash, Key: k1})
	a, _ := p1.RedactText("my name is Sarah Johnson, email sarah.j@gmail.com")
	b, _ := p1.RedactText("my name is sarah johnson, email SARAH.J@gmail.com")
	c, _ := p2.RedactText("my name is Sarah Johnson, email sarah.j@gmail.com")
	if a.Text != b.Text {
		t.Fatalf("same key, same values: %q vs %q", a.Text, b.Text)
	}
	if a.Text == c.Text {
		t.Fatalf("different keys gave the same pseudonyms: %q", a.Text)
	}
	if strings.Contains(strings.ToLower(a.Text), "sarah") || !strings.Contains(a.Text, "@example.com") {
		t.Fatalf("pseudonymized text %q", a.Text)
	}
	h, _ := h1.RedactText("email sarah.j@gmail.com")
	if !strings.HasPrefix(h.Text, "email [EMAIL:") || strings.Contains(h.Text, "sarah") {
		t.Fatalf("hashed text %q", h.Text)
	}
}

func TestNewErrors(t *testing.T) {
	for name, cfg := range map[string]redact.Config{
		"unknown entity":    {Entities: []redact.EntityType{"CARD"}},
		"unknown operator":  {DefaultOperator: "shred"},
		"pseudonym no key":  {DefaultOperator: redact.OpPseudonym},
		"hash short key":    {Operators: map[redact.EntityType]redact.Operator{redact.Email: redact.OpHash}, Key: []byte("short")},
		"unknown region":    {PhoneRegions: []string{"XX"}},
		"operator bad type": {Operators: map[redact.EntityType]redact.Operator{"NOPE": redact.OpMask}},
	} {
		if _, err := redact.New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func TestInvalidUTF8(t *testing.T) {
	r := newRedactor(t, redact.Config{})
	if _, err := r.RedactText("bad \xff"); err == nil {
		t.Fatal("RedactText accepted invalid UTF-8")
	}
	if _, _, err := r.RedactTranscript(redact.Transcript{Turns: []redact.Turn{{Text: "ok"}, {Text: "\xfe"}}}); err == nil || !strings.Contains(err.Error(), "1") {
		t.Fatalf("RedactTranscript error %v, want one naming turn 1", err)
	}
}

func TestRedactFields(t *testing.T) {
	r := newRedactor(t, redact.Config{})
	out, counts, err := r.RedactFields("Your card number", "4111 1111 1111 1111 and the cvv: 123")
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != "Your card number" || out[1] != "[CARD_NUMBER] and the cvv: [CARD_CVV]" || counts.Total() != 2 {
		t.Fatalf("RedactFields = %q, %v", out, counts)
	}
}
