package users_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/users"
)

func totpAt(secret string, t time.Time) (string, error) { return totp.GenerateCode(secret, t) }

func TestIdleTimeout(t *testing.T) {
	f := newFixture(t, users.Options{})
	u := f.enroll("a@example.com", identity.RoleAgent)
	s := f.signIn(u, browser)
	// Activity every 14 minutes keeps the session alive...
	for range 4 {
		f.clock.Advance(14 * time.Minute)
		if _, err := f.svc.Authenticate(t.Context(), s.Secret, browser); err != nil {
			t.Fatalf("after 14 idle minutes: %v", err)
		}
	}
	// ...15 minutes without ends it, for good.
	f.clock.Advance(15 * time.Minute)
	_, err := f.svc.Authenticate(t.Context(), s.Secret, browser)
	wantCode(t, "after 15 idle minutes", err, "reauthenticate")
	f.clock.Advance(-10 * time.Minute)
	_, err = f.svc.Authenticate(t.Context(), s.Secret, browser)
	wantCode(t, "ended session", err, "reauthenticate")
	if evs := f.events("session.end"); len(evs) != 1 || evs[0].Reason != "idle_timeout" {
		t.Fatalf("session.end events %+v, want one idle_timeout", evs)
	}
}

func TestAbsoluteTimeout(t *testing.T) {
	f := newFixture(t, users.Options{SessionLifetime: 2 * time.Hour})
	u := f.enroll("a@example.com", identity.RoleAgent)
	s := f.signIn(u, browser)
	for elapsed := time.Duration(0); elapsed < 2*time.Hour-10*time.Minute; elapsed += 10 * time.Minute {
		f.clock.Advance(10 * time.Minute)
		if _, err := f.svc.Authenticate(t.Context(), s.Secret, browser); err != nil {
			t.Fatalf("active session at %v: %v", elapsed, err)
		}
	}
	f.clock.Advance(10 * time.Minute)
	_, err := f.svc.Authenticate(t.Context(), s.Secret, browser)
	wantCode(t, "after the lifetime", err, "reauthenticate")
}

func TestLongSessionsNeedExplicitFlag(t *testing.T) {
	tests := []users.Options{
		{IdleTimeout: 16 * time.Minute},
		{SessionLifetime: 13 * time.Hour},
		{LockoutThreshold: 11},
		{LockoutDuration: 29 * time.Minute},
	}
	f := newFixture(t, users.Options{})
	for _, opt := range tests {
		if _, err := users.New(f.st, nil, opt); err == nil {
			t.Errorf("New(%+v) accepted", opt)
		}
	}
	// With the flag, the same settings are accepted.
	long := users.Options{IdleTimeout: time.Hour, SessionLifetime: 24 * time.Hour, AllowLongSessions: true}
	if _, err := users.New(f.st, nil, long); err != nil {
		t.Errorf("New(%+v): %v", long, err)
	}
}

func TestSessionBinding(t *testing.T) {
	tests := []struct {
		name   string
		client users.Client
		ok     bool
	}{
		{"same client", browser, true},
		{"same /24", sameNet, true},
		{"other network", users.Client{UserAgent: browser.UserAgent, Addr: netip.MustParseAddr("192.0.3.10")}, false},
		{"other user agent", users.Client{UserAgent: "curl/8.0", Addr: browser.Addr}, false},
		{"IPv4-mapped IPv6 of the same address", users.Client{UserAgent: browser.UserAgent, Addr: netip.MustParseAddr("::ffff:192.0.2.10")}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, users.Options{})
			u := f.enroll("a@example.com", identity.RoleAgent)
			s := f.signIn(u, browser)
			_, err := f.svc.Authenticate(t.Context(), s.Secret, tc.client)
			if tc.ok != (err == nil) {
				t.Fatalf("Authenticate from %s: %v", tc.name, err)
			}
			if !tc.ok {
				// The session is over, also for the original client.
				_, err := f.svc.Authenticate(t.Context(), s.Secret, browser)
				wantCode(t, "original client after a change", err, "reauthenticate")
			}
		})
	}
}

func TestSessionListAndRevoke(t *testing.T) {
	f := newFixture(t, users.Options{})
	a := f.enroll("a@example.com", identity.RoleAgent)
	b := f.enroll("b@example.com", identity.RoleAgent)
	s1 := f.signIn(a, browser)
	s2 := f.signIn(a, browser)
	sb := f.signIn(b, browser)
	pa, err := f.svc.Authenticate(t.Context(), s1.Secret, browser)
	if err != nil {
		t.Fatal(err)
	}
	ctxA := identity.WithPrincipal(t.Context(), pa)
	list, err := f.svc.ListSessions(ctxA)
	if err != nil || len(list) != 2 || !list[0].Current || list[1].Current {
		t.Fatalf("ListSessions = %+v, %v; want 2, the first current", list, err)
	}
	// a cannot see or revoke b's session.
	wantCode(t, "revoke another user's session", f.svc.RevokeSession(ctxA, sb.ID), "not_found")
	if err := f.svc.RevokeSession(ctxA, s2.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Authenticate(t.Context(), s2.Secret, browser)
	wantCode(t, "revoked session", err, "reauthenticate")
	// A security admin revokes anyone's.
	if err := f.svc.RevokeSession(f.admin, sb.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Authenticate(t.Context(), sb.Secret, browser)
	wantCode(t, "session revoked by an admin", err, "reauthenticate")
}

func TestDisableEndsSessions(t *testing.T) {
	f := newFixture(t, users.Options{})
	u := f.enroll("a@example.com", identity.RoleAgent)
	s := f.signIn(u, browser)
	agent := identity.WithPrincipal(t.Context(), identity.Principal{ID: u.ID, Kind: identity.KindHuman, Roles: []string{identity.RoleAgent}})
	wantCode(t, "agent disables", f.svc.Disable(agent, u.ID), "forbidden")
	if err := f.svc.Disable(f.admin, u.ID); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Authenticate(t.Context(), s.Secret, browser)
	wantCode(t, "session of a disabled user", err, "reauthenticate")
	_, err = f.svc.Login(t.Context(), u.email, u.password, browser)
	wantCode(t, "disabled user signs in", err, "invalid_credentials")
}

func TestDormantAccountsDisabled(t *testing.T) {
	f := newFixture(t, users.Options{DormantAfter: 90 * 24 * time.Hour})
	active := f.enroll("active@example.com", identity.RoleAgent)
	dormant := f.enroll("dormant@example.com", identity.RoleAgent)
	f.signIn(dormant, browser)
	f.clock.Advance(60 * 24 * time.Hour)
	f.signIn(active, browser)
	f.clock.Advance(30 * 24 * time.Hour)
	n, err := f.svc.DisableDormant(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("DisableDormant = %d, %v; want 1", n, err)
	}
	_, err = f.svc.Login(t.Context(), dormant.email, dormant.password, browser)
	wantCode(t, "dormant user", err, "invalid_credentials")
	f.signIn(active, browser)
	if evs := f.events("user.disable"); len(evs) != 1 || evs[0].Reason != "dormant" || evs[0].Resource != "user/"+dormant.ID {
		t.Fatalf("user.disable events %+v", evs)
	}
}
