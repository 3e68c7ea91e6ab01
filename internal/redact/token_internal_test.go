package redact

import "testing"

// FuzzScanASCII checks scanASCII, which packs words with eight-byte loads,
// against a byte-at-a-time reference.
func FuzzScanASCII(f *testing.F) {
	for _, s := range []string{"hello world", "Card4111x", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abc", "a\x80b",
		"zz@Z[`{/:09", "I’m", "twentytwentysixnineteeneightyfour", "x"} {
		f.Add(s, 0, len(s))
	}
	f.Fuzz(func(t *testing.T, s string, i, end int) {
		if end < 0 || end > len(s) || i < 0 || i >= end || charClass[s[i]]&cAlnum == 0 {
			return
		}
		var key, wkey lexKey
		j, seen := scanASCII(s, i, end, &key)
		wj, wseen := scanASCIIBytes(s, i, end, &wkey)
		if j != wj || seen != wseen || key != wkey {
			t.Fatalf("scanASCII(%q, %d, %d) = %d, %b, %x; byte by byte %d, %b, %x", s, i, end, j, seen, key, wj, wseen, wkey)
		}
	})
}

// scanASCIIBytes is what scanASCII computes, one byte at a time.
func scanASCIIBytes(text string, i, end int, key *lexKey) (int, uint8) {
	var seen uint8
	j := i
	for j < end {
		cl := charClass[text[j]]
		if cl&cAlnum == 0 {
			break
		}
		seen |= cl
		if n := j - i; n < maxLookup {
			key[n>>3] |= uint64(text[j]|0x20) << (8 * (n & 7))
		}
		j++
	}
	if j-i > maxLookup {
		*key = lexKey{}
	}
	return j, seen
}
