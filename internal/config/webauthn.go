package config

import (
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// WebAuthnConfig names the relying party of passkeys (docs/IDENTITY.md):
// the domain that credentials are scoped to and the origins the browser
// pages are served from. Empty values are derived from addr.
type WebAuthnConfig struct {
	RPID    string // relying party id: a domain such as confide.example.com
	Origins string // comma-separated origins (scheme://host[:port]) allowed in ceremonies
}

// WebAuthnRPID returns the relying party id: the configured one, else the
// host of addr if it is a name, else "localhost" (an IP address cannot be
// a relying party id).
func (c Config) WebAuthnRPID() string {
	if c.WebAuthn.RPID != "" {
		return strings.ToLower(c.WebAuthn.RPID)
	}
	host, _, _ := net.SplitHostPort(c.Addr)
	if host == "" || strings.EqualFold(host, "localhost") {
		return "localhost"
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return "localhost"
	}
	return strings.ToLower(host)
}

// WebAuthnOrigins returns the origins allowed in WebAuthn ceremonies: the
// configured ones, else the relying party id with the scheme and port the
// node serves (https, or http under insecure_http).
func (c Config) WebAuthnOrigins() []string {
	var out []string
	for _, o := range strings.Split(c.WebAuthn.Origins, ",") {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			out = append(out, o)
		}
	}
	if len(out) > 0 {
		return out
	}
	scheme, port := "https", ""
	if c.InsecureHTTP {
		scheme = "http"
	}
	if _, p, err := net.SplitHostPort(c.Addr); err == nil && p != "" && !(scheme == "https" && p == "443") && !(scheme == "http" && p == "80") {
		if _, err := strconv.ParseUint(p, 10, 16); err == nil {
			port = ":" + p
		}
	}
	return []string{scheme + "://" + c.WebAuthnRPID() + port}
}

// webauthnSettings are the passkey settings, in the order Effective
// reports them.
func webauthnSettings() []*setting {
	return []*setting{
		newSetting("webauthn_rp_id", "WebAuthn relying party `domain` that passkeys are bound to (default: the host of addr, or localhost)",
			func(c *Config) any { return &c.WebAuthn.RPID }).withImplicit(func(c *Config) string { return c.WebAuthnRPID() }),
		newSetting("webauthn_origins", "comma-separated `origins` of the sign-in pages allowed in WebAuthn ceremonies (default: derived from webauthn_rp_id and addr)",
			func(c *Config) any { return &c.WebAuthn.Origins }).withImplicit(func(c *Config) string {
			return strings.Join(c.WebAuthnOrigins(), ",")
		}),
	}
}

// validate reports the invalid passkey settings through fail.
func (w WebAuthnConfig) validate(c Config, fail func(key, format string, args ...any)) {
	rpID := c.WebAuthnRPID()
	if w.RPID != "" && !validDomain(rpID) {
		fail("webauthn_rp_id", "%q is not a domain name (an IP address cannot be a relying party id)", w.RPID)
		return
	}
	for _, o := range c.WebAuthnOrigins() {
		u, err := url.Parse(o)
		switch {
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil:
			fail("webauthn_origins", "%q is not an origin such as https://confide.example.com", o)
		case u.Scheme == "http" && u.Hostname() != "localhost":
			fail("webauthn_origins", "%q: plain http is a secure context only for localhost", o)
		case u.Hostname() != rpID && !strings.HasSuffix(u.Hostname(), "."+rpID):
			fail("webauthn_origins", "%q is not %s or one of its subdomains (webauthn_rp_id)", o, rpID)
		}
	}
}

// validDomain reports whether s is a plausible DNS name (not an IP
// address).
func validDomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// The passkey settings follow the SIEM ones.
func init() { settings = append(settings, webauthnSettings()...) }
