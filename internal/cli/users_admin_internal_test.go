package cli

import (
	"testing"
	"time"
)

// FuzzParseUntil: --until accepts a date (end of that day, UTC) or an RFC
// 3339 time and nothing else, without panicking.
func FuzzParseUntil(f *testing.F) {
	for _, s := range []string{"2027-11-30", "2027-11-30T12:00:00Z", "2027-11-30T12:00:00+02:00", "next week", "", "2027-02-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseUntil(s)
		if err != nil {
			return
		}
		if d, derr := time.Parse("2006-01-02", s); derr == nil {
			if want := d.Add(24*time.Hour - time.Second); !got.Equal(want) {
				t.Fatalf("parseUntil(%q) = %v, want %v", s, got, want)
			}
			return
		}
		if _, rerr := time.Parse(time.RFC3339, s); rerr != nil {
			t.Fatalf("parseUntil(%q) accepted a value that is neither a date nor RFC 3339", s)
		}
	})
}
