package tokens_test

import (
	"context"
	"errors"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/tokens"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/store/sqlite"
)

func TestParseNetworks(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want []string
		err  string
	}{
		{nil, nil, ""},
		{[]string{}, nil, ""},
		{[]string{"10.0.0.0/8"}, []string{"10.0.0.0/8"}, ""},
		{[]string{" 10.0.0.0/8 ", "2001:db8::/32"}, []string{"10.0.0.0/8", "2001:db8::/32"}, ""},
		{[]string{"192.0.2.7", "2001:DB8::7"}, []string{"192.0.2.7/32", "2001:db8::7/128"}, ""},
		{[]string{"10.0.0.0/8", "10.0.0.0/8", "10.0.0.0/8"}, []string{"10.0.0.0/8"}, ""},
		{[]string{"0.0.0.0/0", "::/0"}, []string{"0.0.0.0/0", "::/0"}, ""},
		{[]string{"2001:db8:0:0::/64"}, []string{"2001:db8::/64"}, ""},
		{[]string{"10.1.2.3/8"}, nil, `networks[0]: "10.1.2.3/8" has host bits set; did you mean 10.0.0.0/8?`},
		{[]string{"10.0.0.0/8", "2001:db8::1/32"}, nil, `networks[1]: "2001:db8::1/32" has host bits set; did you mean 2001:db8::/32?`},
		{[]string{"10.0.0.0/33"}, nil, `networks[0]: "10.0.0.0/33" is not a CIDR prefix`},
		{[]string{"10.0.0.0/-1"}, nil, `networks[0]: "10.0.0.0/-1" is not a CIDR prefix`},
		{[]string{"010.0.0.0/8"}, nil, `networks[0]: "010.0.0.0/8" is not a CIDR prefix`},
		{[]string{"10.0.0/8"}, nil, `is not a CIDR prefix`},
		{[]string{"host.example"}, nil, `networks[0]: "host.example" is not an IP address or CIDR prefix`},
		{[]string{"  "}, nil, `networks[0]: empty`},
		{[]string{"fe80::1%eth0"}, nil, `networks[0]: "fe80::1%eth0" has a zone`},
		{[]string{"fe80::%eth0/64"}, nil, `is not a CIDR prefix`},
		{[]string{"::ffff:10.0.0.1"}, nil, `is an IPv4-mapped IPv6 prefix`},
		{[]string{"::ffff:10.0.0.0/104"}, nil, `is an IPv4-mapped IPv6 prefix`},
		{[]string{strings.Repeat("a", 65)}, nil, `networks[0]: longer than 64 characters`},
		{slices.Repeat([]string{"10.0.0.0/8"}, 33), nil, `networks: at most 32 prefixes, got 33`},
	} {
		got, err := tokens.ParseNetworks(c.in)
		if c.err != "" {
			if ae := apperr.As(err); err == nil || ae.Kind != apperr.Invalid || ae.Code != "invalid_networks" || !strings.Contains(ae.Message, c.err) {
				t.Errorf("ParseNetworks(%q) = %v, %v; want invalid_networks %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || !slices.Equal(tokens.NetworkStrings(got), c.want) {
			t.Errorf("ParseNetworks(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	if got, err := tokens.ParseNetworks(slices.Repeat([]string{"10.0.0.0/8"}, 32)); err != nil || len(got) != 1 {
		t.Errorf("32 entries: %v, %v", got, err)
	}
}

func TestAllowed(t *testing.T) {
	nets, err := tokens.ParseNetworks([]string{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		networks []netip.Prefix
		addr     string
		want     bool
	}{
		{nil, "203.0.113.1", true},
		{nil, "", true}, // unrestricted tokens work even when the peer is unknown
		{nets, "10.0.0.1", true},
		{nets, "10.255.255.255", true},
		{nets, "11.0.0.1", false},
		{nets, "192.0.2.7", true},
		{nets, "192.0.2.8", false},
		{nets, "::ffff:10.1.2.3", true}, // IPv4-mapped peers match IPv4 networks
		{nets, "2001:db8:1::5", true},
		{nets, "2001:db9::5", false},
		{nets, "::1", false},
		{nets, "", false}, // unknown peer: refused
	} {
		var a netip.Addr
		if c.addr != "" {
			a = netip.MustParseAddr(c.addr)
		}
		if got := tokens.Allowed(c.networks, a); got != c.want {
			t.Errorf("Allowed(%v, %q) = %v, want %v", c.networks, c.addr, got, c.want)
		}
	}
}

// countingStore counts the transactions a service opens.
type countingStore struct {
	store.Store
	views, updates atomic.Int32
}

func (s *countingStore) View(ctx context.Context, fn func(store.Tx) error) error {
	s.views.Add(1)
	return s.Store.View(ctx, fn)
}

func (s *countingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	s.updates.Add(1)
	return s.Store.Update(ctx, fn)
}

// TestAuthenticateNetworks checks the peer address against the token's
// networks: a refusal is an ErrInvalid carrying the token's principal for
// the audit log, and each authentication is one read transaction.
func TestAuthenticateNetworks(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "confide.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cs := &countingStore{Store: st}
	svc := tokens.New(cs)
	admin := identity.WithPrincipal(t.Context(), identity.Principal{ID: "test:admin", Kind: identity.KindSystem, Roles: []string{identity.RoleSecurityAdmin}})
	secret, tok, err := svc.CreateWithNetworks(admin, "ivr", identity.RoleIntegration, []string{"10.0.0.0/8", "2001:db8::/32"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.CreateWithNetworks(admin, "bad", identity.RoleIntegration, []string{"10.0.0.1/8"}); apperr.As(err).Code != "invalid_networks" {
		t.Fatalf("bad networks: %v", err)
	}

	p, err := svc.Authenticate(t.Context(), secret, netip.MustParseAddr("10.9.8.7"))
	if err != nil || p.ID != tok.ID {
		t.Fatalf("from inside: %v, %v", p, err)
	}
	for _, addr := range []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db9::1"), {}} {
		p, err := svc.Authenticate(t.Context(), secret, addr)
		var ne *tokens.NetworkError
		if !errors.Is(err, tokens.ErrInvalid) || !errors.As(err, &ne) || p.ID != "" {
			t.Fatalf("from %v: %v, %v; want a NetworkError", addr, p, err)
		}
		if ne.AuditReason() != tokens.ReasonNetworkRefused || ne.AuditActor().ID != tok.ID || ne.AuditActor().Kind != identity.KindService {
			t.Errorf("from %v: refusal %+v", addr, ne.AuditActor())
		}
	}
	// An unknown token is a plain ErrInvalid, with no principal.
	var ne *tokens.NetworkError
	if _, err := svc.Authenticate(t.Context(), tokens.Prefix+strings.Repeat("x", 43), netip.MustParseAddr("10.0.0.1")); !errors.Is(err, tokens.ErrInvalid) || errors.As(err, &ne) {
		t.Errorf("unknown token: %v", err)
	}

	// One read per authentication (the last-used write is throttled).
	cs.views.Store(0)
	cs.updates.Store(0)
	for range 5 {
		if _, err := svc.Authenticate(t.Context(), secret, netip.MustParseAddr("2001:db8::9")); err != nil {
			t.Fatal(err)
		}
	}
	if v, u := cs.views.Load(), cs.updates.Load(); v != 5 || u != 0 {
		t.Errorf("5 authentications: %d reads and %d writes, want 5 and 0", v, u)
	}
}

// FuzzParseNetworks feeds comma-separated lists (as from --cidr) to the
// parser: it must not panic, must refuse with invalid_networks, and what it
// accepts must be canonical, bounded, duplicate-free and stable.
func FuzzParseNetworks(f *testing.F) {
	for _, s := range []string{"", "10.0.0.0/8", "10.0.0.0/8,2001:db8::/32", "192.0.2.7", "::1", "10.1.2.3/8",
		"fe80::1%eth0", "::ffff:10.0.0.0/104", "0.0.0.0/0,::/0", "1.2.3.4/32,1.2.3.4", " 10.0.0.0/8 ,", "2001:db8::/129"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		entries := strings.Split(list, ",")
		got, err := tokens.ParseNetworks(entries)
		if err != nil {
			if ae := apperr.As(err); ae.Kind != apperr.Invalid || ae.Code != "invalid_networks" || !strings.HasPrefix(ae.Message, "networks") {
				t.Fatalf("error %v is not invalid_networks", err)
			}
			if len(err.Error()) > 300 {
				t.Fatalf("error message of %d bytes", len(err.Error()))
			}
			return
		}
		if len(got) > tokens.MaxNetworks || len(got) > len(entries) {
			t.Fatalf("%d networks from %d entries", len(got), len(entries))
		}
		for i, p := range got {
			if !p.IsValid() || p.Masked() != p || p.Addr().Is4In6() || p.Addr().Zone() != "" {
				t.Fatalf("non-canonical network %v", p)
			}
			if slices.Contains(got[:i], p) {
				t.Fatalf("duplicate network %v", p)
			}
			if !tokens.Allowed(got, p.Addr()) {
				t.Fatalf("%v does not allow its own address", p)
			}
		}
		again, err := tokens.ParseNetworks(tokens.NetworkStrings(got))
		if err != nil || !slices.Equal(again, got) {
			t.Fatalf("reparsing %v: %v, %v", got, again, err)
		}
	})
}
