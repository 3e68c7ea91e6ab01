package config_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/config"
)

func TestWebAuthnDefaults(t *testing.T) {
	for _, tc := range []struct {
		addr     string
		insecure bool
		rpID     string
		origins  []string
	}{
		{"127.0.0.1:8443", false, "localhost", []string{"https://localhost:8443"}},
		{"[::1]:8080", true, "localhost", []string{"http://localhost:8080"}},
		{":443", false, "localhost", []string{"https://localhost"}},
		{"Confide.Example.com:8443", false, "confide.example.com", []string{"https://confide.example.com:8443"}},
		{"10.0.0.5:8443", false, "localhost", []string{"https://localhost:8443"}},
	} {
		c := validConfig(t)
		c.Addr, c.InsecureHTTP = tc.addr, tc.insecure
		if got := c.WebAuthnRPID(); got != tc.rpID {
			t.Errorf("%s: rp id %q, want %q", tc.addr, got, tc.rpID)
		}
		if got := c.WebAuthnOrigins(); !slices.Equal(got, tc.origins) {
			t.Errorf("%s: origins %q, want %q", tc.addr, got, tc.origins)
		}
	}
	c := mustLoad(t, "", nil, "--data", t.TempDir(), "--webauthn-rp-id", "example.com", "--webauthn-origins", "https://confide.example.com/, https://example.com:8443")
	if got := c.WebAuthnOrigins(); !slices.Equal(got, []string{"https://confide.example.com", "https://example.com:8443"}) {
		t.Errorf("configured origins %q", got)
	}
}

func TestWebAuthnValidation(t *testing.T) {
	for _, tc := range []struct {
		rpID, origins, want string
	}{
		{"10.0.0.5", "", "webauthn_rp_id"},
		{"exa mple.com", "", "webauthn_rp_id"},
		{"-bad.example", "", "webauthn_rp_id"},
		{"example.com", "https://evil.com", "not example.com or one of its subdomains"},
		{"example.com", "https://notexample.com", "not example.com or one of its subdomains"},
		{"example.com", "http://confide.example.com", "plain http"},
		{"example.com", "https://example.com/login", "not an origin"},
		{"example.com", "ftp://example.com", "not an origin"},
		{"example.com", "https://user@example.com", "not an origin"},
		{"example.com", "https://confide.example.com,https://example.com:8443", ""},
		{"localhost", "http://localhost:8080", ""},
	} {
		c := validConfig(t)
		c.WebAuthn = config.WebAuthnConfig{RPID: tc.rpID, Origins: tc.origins}
		err := c.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q %q: %v", tc.rpID, tc.origins, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q %q: %v, want an error about %s", tc.rpID, tc.origins, err, tc.want)
		}
	}
}

// FuzzWebAuthnSettings: any relying party id and origins either fail
// validation or give origins on the relying party's domain.
func FuzzWebAuthnSettings(f *testing.F) {
	f.Add("example.com", "https://confide.example.com,https://example.com:8443", "127.0.0.1:8443")
	f.Add("", "", ":8443")
	f.Add("localhost", "http://localhost:1", "[::1]:80")
	f.Add("xn--bcher-kva.example", "https://a.xn--bcher-kva.example/", "host:443")
	f.Add("example.com", "https://example.com.evil.com", "0.0.0.0:1")
	f.Fuzz(func(t *testing.T, rpID, origins, addr string) {
		c := config.Config{Addr: addr, WebAuthn: config.WebAuthnConfig{RPID: rpID, Origins: origins}}
		var errs []string
		c.WebAuthn.ValidateForTest(c, func(key, format string, args ...any) { errs = append(errs, key) })
		if len(errs) > 0 {
			return
		}
		id := c.WebAuthnRPID()
		for _, o := range c.WebAuthnOrigins() {
			u, err := url.Parse(o)
			if err != nil || (u.Hostname() != id && !strings.HasSuffix(u.Hostname(), "."+id)) {
				t.Fatalf("rp id %q accepted origin %q", id, o)
			}
		}
	})
}
