package users

import (
	"strings"
	"testing"
)

func TestHashRoundTrip(t *testing.T) {
	p := Params{MemoryKiB: 64, Time: 1, Threads: 1}
	h := hashPassword("correct horse battery staple", p)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	for _, tc := range []struct {
		password  string
		want      Params
		ok, stale bool
	}{
		{"correct horse battery staple", p, true, false},
		{"correct horse battery stapl", p, false, false},
		{"correct horse battery staple", DefaultParams, true, true},
	} {
		ok, stale, err := verifyPassword(h, tc.password, tc.want)
		if err != nil || ok != tc.ok || stale != tc.stale {
			t.Errorf("verify(%q, %+v) = %v, %v, %v; want %v, %v", tc.password, tc.want, ok, stale, err, tc.ok, tc.stale)
		}
	}
}

// FuzzParseHash: stored hashes come from the database, which is untrusted;
// parsing never panics and accepts only bounded parameters.
func FuzzParseHash(f *testing.F) {
	f.Add(hashPassword("x", Params{MemoryKiB: 64, Time: 1, Threads: 1}))
	f.Add("$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseHash(s)
		if err != nil {
			return
		}
		if h.params.MemoryKiB > maxMemoryKiB || h.params.Time > maxTime || h.params.Threads == 0 || len(h.salt) < 8 || len(h.key) < 16 {
			t.Fatalf("accepted out-of-range hash %q: %+v", s, h.params)
		}
	})
}

// FuzzNormalizeRecoveryCode: any input gives "" or a 16-symbol code.
func FuzzNormalizeRecoveryCode(f *testing.F) {
	codes, _ := newRecoveryCodes()
	f.Add(codes[0])
	f.Add("abcd efgh-jkmn pqrs")
	f.Add("ILOU-ILOU-ILOU-ILOU")
	f.Fuzz(func(t *testing.T, s string) {
		n := normalizeRecoveryCode(s)
		if n != "" && (len(n) != 16 || strings.Trim(n, recoveryAlphabet) != "") {
			t.Fatalf("normalizeRecoveryCode(%q) = %q", s, n)
		}
	})
}

// BenchmarkHashPassword measures the per-login cost of DefaultParams.
func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		hashPassword("violet staple quantum orbit", DefaultParams)
	}
}
