package records

import (
	"strings"
	"testing"
)

func kbaProfile() Profile {
	return Profile{Name: "Jane Smith", DateOfBirth: "1984-07-28", Address: &Address{Lines: []string{"1 A St"}, PostalCode: "SW1A 1AA"},
		AccountNumbers: []string{"ACC12345678", "gb29nwbk60161331926819"}}
}

func TestKBAMatching(t *testing.T) {
	p := kbaProfile()
	for _, tc := range []struct {
		name string
		a    KBAAnswers
		want bool
	}{
		{"date and postcode", KBAAnswers{DateOfBirth: "1984-07-28", Postcode: "SW1A 1AA"}, true},
		{"forms", KBAAnswers{DateOfBirth: "1984.7.28", Postcode: "sw1a-1aa"}, true},
		{"compact date, second account", KBAAnswers{DateOfBirth: "19840728", AccountLast4: "6819"}, true},
		{"account case", KBAAnswers{Postcode: " sw1a1aa ", AccountLast4: "5678"}, true},
		{"all three", KBAAnswers{DateOfBirth: "1984-07-28", Postcode: "SW1A1AA", AccountLast4: "5678"}, true},
		{"one wrong of three", KBAAnswers{DateOfBirth: "1984-07-28", Postcode: "SW1A1AB", AccountLast4: "5678"}, false},
		{"wrong date", KBAAnswers{DateOfBirth: "1984-07-27", Postcode: "SW1A 1AA"}, false},
		{"middle of an account", KBAAnswers{DateOfBirth: "1984-07-28", AccountLast4: "1234"}, false},
	} {
		n, err := NormalizeKBA(tc.a)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := matchKBA(p, n); got != tc.want {
			t.Errorf("%s: match = %v, want %v", tc.name, got, tc.want)
		}
	}
	// Facts not on file never match.
	n, _ := NormalizeKBA(KBAAnswers{DateOfBirth: "1984-07-28", Postcode: "SW1A 1AA"})
	if matchKBA(Profile{}, n) {
		t.Error("an empty profile matched")
	}
	if matchKBA(Profile{DateOfBirth: "1984-07-28"}, n) {
		t.Error("a profile without a postcode matched a postcode")
	}
	for _, bad := range []KBAAnswers{
		{}, {DateOfBirth: "1984-07-28"}, {DateOfBirth: "28/07/1984", Postcode: "X1"}, {DateOfBirth: "1899-01-01", Postcode: "X1"},
		{Postcode: "X1", AccountLast4: "123"}, {Postcode: "X1", AccountLast4: "12_4"}, {Postcode: "!!", AccountLast4: "1234"},
		{Postcode: strings.Repeat("1", 65), AccountLast4: "1234"}, {Postcode: "\xff", AccountLast4: "1234"},
	} {
		if _, err := NormalizeKBA(bad); err == nil {
			t.Errorf("NormalizeKBA(%+v) accepted", bad)
		}
	}
}

// FuzzKBA feeds arbitrary answers to the normalizer and the comparison: no
// panic, normalization is idempotent, an error never quotes the input, and
// a profile built from accepted answers matches them.
func FuzzKBA(f *testing.F) {
	for _, s := range [][3]string{
		{"1984-07-28", "SW1A 1AA", "5678"}, {"1984/7/28", "62701", ""}, {"", "62-701", " 12 34 "}, {"19840728", "", "abcd"},
		{"2024-02-30", "x", "1"}, {"0000-00-00", "\x00", "ééé"}, {"1984-07-28T00:00:00Z", "\t", "12345"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	// Every error message is one of these, whatever the input.
	known := map[string]bool{}
	for _, bad := range []KBAAnswers{{}, {DateOfBirth: "x", Postcode: "1"}, {Postcode: "!", AccountLast4: "1234"},
		{Postcode: "1", AccountLast4: "1"}, {DateOfBirth: "\xff"}, {Postcode: "\xff"}, {AccountLast4: "\xff"}} {
		_, err := NormalizeKBA(bad)
		known[err.Error()] = true
	}
	f.Fuzz(func(t *testing.T, dob, postcode, last4 string) {
		a := KBAAnswers{DateOfBirth: dob, Postcode: postcode, AccountLast4: last4}
		n, err := NormalizeKBA(a)
		if err != nil {
			if !known[err.Error()] {
				t.Fatalf("error %q is not one of the fixed messages (it may quote the input)", err)
			}
			return
		}
		again, err := NormalizeKBA(n)
		if err != nil || again != n {
			t.Fatalf("normalizing %+v again gave %+v, %v", n, again, err)
		}
		p := Profile{DateOfBirth: n.DateOfBirth}
		if n.Postcode != "" {
			p.Address = &Address{PostalCode: n.Postcode}
		}
		if n.AccountLast4 != "" {
			p.AccountNumbers = []string{"XX" + n.AccountLast4}
		}
		if !matchKBA(p, n) {
			t.Fatalf("a profile made of the answers %+v does not match them", n)
		}
		if n.DateOfBirth != "" && matchKBA(Profile{AccountNumbers: p.AccountNumbers, Address: p.Address}, n) {
			t.Fatalf("matched without a date of birth on file: %+v", n)
		}
	})
}
