package users_test

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/users"
)

func TestEnrollAndSignIn(t *testing.T) {
	f := newFixture(t, users.Options{})
	u := f.enroll("Agent.Smith@Example.com", identity.RoleAgent)
	if len(u.recovery) != users.RecoveryCodes {
		t.Fatalf("%d recovery codes, want %d", len(u.recovery), users.RecoveryCodes)
	}
	u.email = "agent.smith@example.COM" // addresses are case-folded
	full := f.signIn(u, browser)
	p, err := f.svc.Authenticate(t.Context(), full.Secret, browser)
	if err != nil {
		t.Fatal(err)
	}
	want := identity.Principal{ID: u.ID, Kind: identity.KindHuman, Roles: []string{identity.RoleAgent},
		Attributes: map[string]string{"team": "billing", "session": full.ID}}
	if p.ID != want.ID || p.Kind != want.Kind || !slices.Equal(p.Roles, want.Roles) || p.Attributes["team"] != "billing" || p.Attributes["session"] != full.ID {
		t.Fatalf("principal %+v, want %+v", p, want)
	}
	if n := len(f.events("login.mfa")); n != 1 {
		t.Fatalf("%d login.mfa events, want 1", n)
	}
}

// TestNoMFABypass: a password alone never yields a usable session, and an
// account that has not enrolled cannot sign in at all.
func TestNoMFABypass(t *testing.T) {
	f := newFixture(t, users.Options{})
	u := f.enroll("a@example.com", identity.RoleSecurityAdmin)
	half, err := f.svc.Login(t.Context(), u.email, u.password, browser)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Authenticate(t.Context(), half.Secret, browser)
	wantCode(t, "half session used as a session", err, "reauthenticate")

	// A pending user with a password but no confirmed TOTP.
	_, link, err := f.svc.Create(f.admin, users.NewUser{Email: "p@example.com", Name: "P", Roles: []string{identity.RoleAgent}})
	if err != nil {
		t.Fatal(err)
	}
	es, err := f.svc.StartEnrollment(t.Context(), link.Token, users.Setup{}, browser)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetPassword(t.Context(), es.Secret, goodPassword, browser); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Authenticate(t.Context(), es.Secret, browser)
	wantCode(t, "enrollment session used as a session", err, "reauthenticate")
	_, err = f.svc.Login(t.Context(), "p@example.com", goodPassword, browser)
	wantCode(t, "pending user signs in", err, "invalid_credentials")
}

func TestSecondFactor(t *testing.T) {
	f := newFixture(t, users.Options{})
	u := f.enroll("a@example.com", identity.RoleAgent)

	half, err := f.svc.Login(t.Context(), u.email, u.password, browser)
	if err != nil {
		t.Fatal(err)
	}
	code := f.code(u.totp)
	if _, err := f.svc.CompleteMFA(t.Context(), half.Secret, code, browser); err != nil {
		t.Fatal(err)
	}
	// The same code, within its validity, is not accepted twice.
	half, _ = f.svc.Login(t.Context(), u.email, u.password, browser)
	_, err = f.svc.CompleteMFA(t.Context(), half.Secret, code, browser)
	wantCode(t, "replayed TOTP code", err, "invalid_credentials")
	// The previous step's code is accepted (±1 step), two steps back is not.
	f.clock.Advance(90 * time.Second)
	old, _ := totpAt(u.totp, f.clock.Now().Add(-60*time.Second))
	_, err = f.svc.CompleteMFA(t.Context(), half.Secret, old, browser)
	wantCode(t, "code two steps old", err, "invalid_credentials")
	prev, _ := totpAt(u.totp, f.clock.Now().Add(-30*time.Second))
	if _, err := f.svc.CompleteMFA(t.Context(), half.Secret, prev, browser); err != nil {
		t.Fatalf("code one step old: %v", err)
	}

	// A recovery code works once, in any spelling.
	half, _ = f.svc.Login(t.Context(), u.email, u.password, browser)
	rc := strings.ToLower(strings.ReplaceAll(u.recovery[3], "-", " "))
	if _, err := f.svc.CompleteMFA(t.Context(), half.Secret, rc, browser); err != nil {
		t.Fatalf("recovery code: %v", err)
	}
	half, _ = f.svc.Login(t.Context(), u.email, u.password, browser)
	_, err = f.svc.CompleteMFA(t.Context(), half.Secret, u.recovery[3], browser)
	wantCode(t, "reused recovery code", err, "invalid_credentials")
}

// TestLockout: 10 wrong passwords lock the account for 30 minutes; while
// locked the right password fails exactly like a wrong one, and like an
// unknown account.
func TestLockout(t *testing.T) {
	f := newFixture(t, users.Options{ThrottleFailures: 1000})
	u := f.enroll("a@example.com", identity.RoleAgent)
	for i := range 10 {
		_, err := f.svc.Login(t.Context(), u.email, "wrong password "+string(rune('a'+i)), browser)
		wantCode(t, "wrong password", err, "invalid_credentials")
	}
	if n := len(f.events("user.lock")); n != 1 {
		t.Fatalf("%d user.lock events, want 1", n)
	}
	_, locked := f.svc.Login(t.Context(), u.email, u.password, browser)
	_, unknown := f.svc.Login(t.Context(), "nobody@example.com", u.password, browser)
	_, wrong := f.svc.Login(t.Context(), u.email, "another wrong one", browser)
	for _, err := range []error{locked, unknown, wrong} {
		if err != users.ErrInvalidCredentials {
			t.Fatalf("error %v, want the one ErrInvalidCredentials for every failure", err)
		}
	}
	f.clock.Advance(29 * time.Minute)
	_, err := f.svc.Login(t.Context(), u.email, u.password, browser)
	wantCode(t, "still locked after 29 minutes", err, "invalid_credentials")
	f.clock.Advance(time.Minute)
	f.signIn(u, browser)
}

// TestLockoutBySecondFactor: wrong codes count too.
func TestLockoutBySecondFactor(t *testing.T) {
	f := newFixture(t, users.Options{LockoutThreshold: 3, ThrottleFailures: 1000})
	u := f.enroll("a@example.com", identity.RoleAgent)
	half, err := f.svc.Login(t.Context(), u.email, u.password, browser)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_, err = f.svc.CompleteMFA(t.Context(), half.Secret, "000000", browser)
		wantCode(t, "wrong code", err, "invalid_credentials")
	}
	_, err = f.svc.CompleteMFA(t.Context(), half.Secret, f.code(u.totp), browser)
	wantCode(t, "right code while locked", err, "invalid_credentials")
}

func TestThrottle(t *testing.T) {
	f := newFixture(t, users.Options{ThrottleFailures: 3})
	for range 3 {
		_, err := f.svc.Login(t.Context(), "nobody@example.com", "x", browser)
		wantCode(t, "unknown account", err, "invalid_credentials")
	}
	_, err := f.svc.Login(t.Context(), "nobody@example.com", "x", browser)
	wantCode(t, "throttled address", err, "throttled")
	other := users.Client{UserAgent: browser.UserAgent, Addr: netip.MustParseAddr("198.51.100.1")}
	_, err = f.svc.Login(t.Context(), "nobody@example.com", "x", other)
	wantCode(t, "another address", err, "invalid_credentials")
	f.clock.Advance(15 * time.Minute)
	_, err = f.svc.Login(t.Context(), "nobody@example.com", "x", browser)
	wantCode(t, "after the window", err, "invalid_credentials")
}

func TestServiceAccountCannotSignIn(t *testing.T) {
	f := newFixture(t, users.Options{})
	u := f.enroll("a@example.com", identity.RoleAgent)
	ctx := identity.WithPrincipal(t.Context(), identity.Principal{ID: "tok_1", Kind: identity.KindService, Roles: []string{identity.RoleIntegration}})
	_, err := f.svc.Login(ctx, u.email, u.password, browser)
	wantCode(t, "service account", err, "not_a_human")
}
