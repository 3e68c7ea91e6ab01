package tokens

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/identity"
)

// MaxNetworks bounds the networks one token may be limited to.
const MaxNetworks = 32

// maxNetworkLen bounds one entry; the longest valid one, an IPv6 prefix in
// full form, has 43 characters.
const maxNetworkLen = 64

// ReasonNetworkRefused is the audit reason of a request whose token was
// valid but used from an address outside the token's networks.
const ReasonNetworkRefused = "token_network_refused"

// ParseNetworks validates a token's allowed networks and returns them in
// canonical form, in the given order, duplicates dropped. Each entry is a
// CIDR prefix ("10.0.0.0/8", "2001:db8::/32") or a single address, taken
// as a /32 (IPv4) or /128 (IPv6). Host bits must be zero ("10.1.2.3/8" is
// refused, naming the intended "10.0.0.0/8"), so that a typo never widens
// a restriction silently. IPv4-mapped IPv6 prefixes and zones are refused:
// clients are matched by their plain IPv4 or IPv6 address. An empty list
// means "any address". Errors are apperr.Invalid with a message naming the
// offending entry.
func ParseNetworks(entries []string) ([]netip.Prefix, error) {
	if len(entries) > MaxNetworks {
		return nil, invalidNetworks("networks: at most %d prefixes, got %d", MaxNetworks, len(entries))
	}
	var out []netip.Prefix
	for i, e := range entries {
		p, err := parseNetwork(e)
		if err != nil {
			return nil, invalidNetworks("networks[%d]: %s", i, err)
		}
		if !containsPrefix(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

func containsPrefix(ps []netip.Prefix, p netip.Prefix) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

func invalidNetworks(format string, args ...any) error {
	return apperr.New(apperr.Invalid, "invalid_networks", format, args...)
}

// parseNetwork parses one entry; its error message is for the client.
func parseNetwork(e string) (netip.Prefix, error) {
	s := strings.TrimSpace(e)
	switch {
	case s == "":
		return netip.Prefix{}, errors.New("empty; give a CIDR prefix such as 10.0.0.0/8 or an address")
	case len(s) > maxNetworkLen:
		return netip.Prefix{}, fmt.Errorf("longer than %d characters", maxNetworkLen)
	}
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a CIDR prefix (want e.g. 10.0.0.0/8 or 2001:db8::/32)", s)
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR prefix", s)
		}
		if a.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("%q has a zone; zones are not allowed", s)
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if p.Addr().Is4In6() {
		return netip.Prefix{}, fmt.Errorf("%q is an IPv4-mapped IPv6 prefix; write the IPv4 network in dotted form", s)
	}
	if m := p.Masked(); m != p {
		return netip.Prefix{}, fmt.Errorf("%q has host bits set; did you mean %s?", s, m)
	}
	return p, nil
}

// Allowed reports whether addr may use a token limited to networks: any
// address if networks is empty, otherwise only a valid address inside one
// of them (an unknown address is refused).
func Allowed(networks []netip.Prefix, addr netip.Addr) bool {
	if len(networks) == 0 {
		return true
	}
	addr = addr.Unmap()
	if !addr.IsValid() {
		return false
	}
	for _, p := range networks {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// NetworkError is the error of a valid token used from outside its
// networks. It is ErrInvalid to callers (errors.Is), so the client learns
// no more than for an unknown token; the audit log gets its reason and the
// token's principal.
type NetworkError struct {
	Principal identity.Principal
}

func (e *NetworkError) Error() string { return "token used from outside its allowed networks" }

// Unwrap makes a NetworkError an ErrInvalid.
func (e *NetworkError) Unwrap() error { return ErrInvalid }

// AuditReason returns ReasonNetworkRefused.
func (e *NetworkError) AuditReason() string { return ReasonNetworkRefused }

// AuditActor returns the principal the token would have had.
func (e *NetworkError) AuditActor() identity.Principal { return e.Principal }

// NetworkStrings returns networks in their canonical text form (nil for
// none).
func NetworkStrings(networks []netip.Prefix) []string {
	if len(networks) == 0 {
		return nil
	}
	out := make([]string, len(networks))
	for i, p := range networks {
		out[i] = p.String()
	}
	return out
}
