package users_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/users"
	"github.com/confide-cc/confide/internal/identity/users/passkeytest"
	"github.com/confide-cc/confide/internal/store"
)

const (
	testRPID   = "localhost"
	testOrigin = "https://localhost:8443"
)

// newPasskeyFixture is a fixture with passkeys on for testRPID and
// testOrigin.
func newPasskeyFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, users.Options{})
	if err := f.svc.EnableWebAuthn(users.WebAuthnConfig{RPID: testRPID, Origins: []string{testOrigin}}); err != nil {
		t.Fatal(err)
	}
	return f
}

// signedInWithPasskey enrolls a passkey-only user and signs them in.
func (f *fixture) signedInWithPasskey(email string) (passkeyUser, users.Issued) {
	f.t.Helper()
	u := f.enrollWithPasskey(email)
	full, err := f.passkeySignIn(u)
	if err != nil {
		f.t.Fatal(err)
	}
	return u, full
}

// agent returns ctx with agent id signed in, authenticated just now.
func (f *fixture) agent(ctx context.Context, id string) context.Context {
	return identity.WithPrincipal(ctx, identity.Principal{ID: id, Kind: identity.KindHuman, Roles: []string{identity.RoleAgent},
		Attributes: map[string]string{"auth_time": f.clock.Now().Format(time.RFC3339)}})
}

// passkeyUser is a user enrolled with a passkey only.
type passkeyUser struct {
	users.User
	email string
	auth  *passkeytest.Authenticator
}

// enrollWithPasskey creates a user and enrolls them with a passkey of a
// new authenticator, without confirming TOTP.
func (f *fixture) enrollWithPasskey(email string) passkeyUser {
	f.t.Helper()
	ctx := f.t.Context()
	u, link, err := f.svc.Create(f.admin, users.NewUser{Email: email, Name: "Pat Passkey", Roles: []string{identity.RoleAgent}})
	if err != nil {
		f.t.Fatal(err)
	}
	es, err := f.svc.StartEnrollment(ctx, link.Token, users.Setup{}, browser)
	if err != nil {
		f.t.Fatal(err)
	}
	_, err = f.svc.BeginPasskeyRegistration(ctx, es.Secret, browser)
	wantCode(f.t, "registration before the password", err, "no_password")
	if _, err := f.svc.SetPassword(ctx, es.Secret, goodPassword, browser); err != nil {
		f.t.Fatal(err)
	}
	_, err = f.svc.CompleteEnrollment(ctx, es.Secret, browser)
	wantCode(f.t, "completion without a second factor", err, "no_second_factor")
	auth := passkeytest.New(testRPID, testOrigin)
	opts, err := f.svc.BeginPasskeyRegistration(ctx, es.Secret, browser)
	if err != nil {
		f.t.Fatalf("BeginPasskeyRegistration: %v", err)
	}
	resp, err := auth.Create(opts)
	if err != nil {
		f.t.Fatal(err)
	}
	pk, err := f.svc.FinishPasskeyRegistration(ctx, es.Secret, "Laptop", resp, browser)
	if err != nil {
		f.t.Fatalf("FinishPasskeyRegistration: %v", err)
	}
	if pk.Name != "Laptop" || pk.AAGUID != "c0f1de00-0000-0000-0000-000000000000" || pk.CreatedAt.IsZero() || len(pk.Transports) != 1 {
		f.t.Fatalf("passkey %+v", pk)
	}
	codes, err := f.svc.CompleteEnrollment(ctx, es.Secret, browser)
	if err != nil || len(codes) != users.RecoveryCodes {
		f.t.Fatalf("CompleteEnrollment = %d codes, %v", len(codes), err)
	}
	return passkeyUser{User: u, email: email, auth: auth}
}

// passkeySignIn signs in with the password and the passkey.
func (f *fixture) passkeySignIn(u passkeyUser) (users.Issued, error) {
	f.t.Helper()
	ctx := f.t.Context()
	half, err := f.svc.Login(ctx, u.email, goodPassword, browser)
	if err != nil {
		f.t.Fatalf("Login: %v", err)
	}
	opts, err := f.svc.BeginPasskeyLogin(ctx, half.Secret, browser)
	if err != nil {
		f.t.Fatalf("BeginPasskeyLogin: %v", err)
	}
	resp, err := u.auth.Get(opts)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.svc.FinishPasskeyLogin(ctx, half.Secret, resp, browser)
}

func TestPasskeyEnrollmentAndSignIn(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := t.Context()
	u := f.enrollWithPasskey("pat@example.com")
	full, err := f.passkeySignIn(u)
	if err != nil {
		t.Fatalf("passkey sign-in: %v", err)
	}
	p, err := f.svc.Authenticate(ctx, full.Secret, browser)
	if err != nil || p.ID != u.ID {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}

	// The TOTP secret shown during enrollment was never confirmed: no code
	// is a second factor for this account.
	half, err := f.svc.Login(ctx, u.email, goodPassword, browser)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"000000", "123456"} {
		_, err := f.svc.CompleteMFA(ctx, half.Secret, code, browser)
		wantCode(t, "TOTP code without TOTP", err, "invalid_credentials")
	}

	// Audit: registration, completion by passkey, sign-in by passkey.
	reg := f.events("webauthn.register")
	if len(reg) != 1 || reg[0].Outcome != "success" || reg[0].ActorID != u.ID || reg[0].Details["during_enrollment"] != true {
		t.Fatalf("webauthn.register events %+v", reg)
	}
	done := f.events("enrollment.complete")
	if len(done) != 2 || done[1].Outcome != "success" || !strings.Contains(jsonOf(done[1].Details["methods"]), "webauthn") {
		t.Fatalf("enrollment.complete events %+v", done)
	}
	logins := f.events("login.webauthn")
	if len(logins) != 1 || logins[0].Outcome != "success" || logins[0].Details["session"] != full.ID {
		t.Fatalf("login.webauthn events %+v", logins)
	}
	for _, ev := range f.events("") {
		if strings.Contains(strings.ToLower(jsonOf(ev)), "pat@example.com") {
			t.Fatalf("an audit event names the user's address: %+v", ev)
		}
	}

	// The stored public key is sealed: its coordinates are not in the row.
	pub, err := u.auth.Credentials()[0].Key.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	err = f.st.View(ctx, func(tx store.Tx) error {
		rows, err := tx.ListWebAuthnCredentials(ctx, u.ID)
		if err != nil || len(rows) != 1 {
			t.Fatalf("stored credentials %d, %v", len(rows), err)
		}
		if bytes.Contains(rows[0].PublicKey, pub[1:33]) || bytes.Contains(rows[0].PublicKey, pub[33:]) {
			t.Fatal("the public key is stored in clear")
		}
		if rows[0].SignCount != 1 || rows[0].LastUsedAt.IsZero() || !bytes.Equal(rows[0].CredentialID, u.auth.Credentials()[0].ID) {
			t.Fatalf("stored credential %+v", rows[0])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestPasskeyChallenges: a challenge belongs to one half session, is used
// once, and expires after two minutes.
func TestPasskeyChallenges(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := t.Context()
	u := f.enrollWithPasskey("pat@example.com")
	half, err := f.svc.Login(ctx, u.email, goodPassword, browser)
	if err != nil {
		t.Fatal(err)
	}

	// No challenge yet.
	opts, err := f.svc.BeginPasskeyLogin(ctx, half.Secret, browser)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := u.auth.Get(opts)
	if err != nil {
		t.Fatal(err)
	}
	// Another user's half session cannot use this challenge.
	other := f.enrollWithPasskey("other@example.com")
	otherHalf, err := f.svc.Login(ctx, other.email, goodPassword, browser)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.FinishPasskeyLogin(ctx, otherHalf.Secret, resp, browser)
	wantCode(t, "assertion in another half session", err, "invalid_credentials")

	// Expired.
	f.clock.Advance(2*time.Minute + time.Second)
	_, err = f.svc.FinishPasskeyLogin(ctx, half.Secret, resp, browser)
	wantCode(t, "expired challenge", err, "invalid_credentials")
	// Spent, even though it failed.
	_, err = f.svc.FinishPasskeyLogin(ctx, half.Secret, resp, browser)
	wantCode(t, "spent challenge", err, "invalid_credentials")

	// A fresh challenge: an assertion over the old one fails and spends it.
	if _, err := f.svc.BeginPasskeyLogin(ctx, half.Secret, browser); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.FinishPasskeyLogin(ctx, half.Secret, resp, browser)
	wantCode(t, "assertion over an older challenge", err, "invalid_credentials")

	reasons := []string{}
	for _, ev := range f.events("login.webauthn") {
		reasons = append(reasons, ev.Reason)
	}
	want := []string{"no_challenge", "challenge_expired", "no_challenge", "verification_failed"}
	if strings.Join(reasons, ",") != strings.Join(want, ",") {
		t.Fatalf("login.webauthn reasons %v, want %v", reasons, want)
	}

	// Only a half session may begin: not a full one, not an enrollment one.
	full, err := f.passkeySignIn(u)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.BeginPasskeyLogin(ctx, full.Secret, browser)
	wantCode(t, "begin with a full session", err, "reauthenticate")
	_, err = f.svc.BeginPasskeyLogin(ctx, half.Secret, users.Client{UserAgent: "curl/8", Addr: browser.Addr})
	wantCode(t, "begin from another client", err, "reauthenticate")
}

// TestPasskeySignCountRegression: an assertion whose counter did not
// advance (a cloned authenticator) is refused and audited.
func TestPasskeySignCountRegression(t *testing.T) {
	f := newPasskeyFixture(t)
	u := f.enrollWithPasskey("pat@example.com")
	if _, err := f.passkeySignIn(u); err != nil { // counter 1
		t.Fatal(err)
	}
	if _, err := f.passkeySignIn(u); err != nil { // counter 2
		t.Fatal(err)
	}
	u.auth.Credentials()[0].SignCount = 2 // the clone is one behind
	_, err := f.passkeySignIn(u)
	wantCode(t, "regressed counter", err, "invalid_credentials")
	evs := f.events("login.webauthn")
	last := evs[len(evs)-1]
	if last.Outcome != "denied" || last.Reason != "sign_count_regression" || last.Details["sign_count"] != float64(2) ||
		last.Details["stored_sign_count"] != float64(2) || last.Details["passkey"] == "" {
		t.Fatalf("last login.webauthn event %+v", last)
	}
	// The stored counter did not move: the original, now at 3, still works.
	if _, err := f.passkeySignIn(u); err != nil {
		t.Fatalf("the original authenticator after the clone was refused: %v", err)
	}
}

// TestPasskeyOriginAndRelyingParty: an assertion made for another origin
// or relying party (a phishing site) is refused.
func TestPasskeyOriginAndRelyingParty(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := t.Context()
	u := f.enrollWithPasskey("pat@example.com")
	for _, tc := range []struct{ rpID, origin string }{
		{testRPID, "https://evil.example"},
		{testRPID, "https://localhost:9999"},
		{"evil.example", testOrigin},
	} {
		half, err := f.svc.Login(ctx, u.email, goodPassword, browser)
		if err != nil {
			t.Fatal(err)
		}
		opts, err := f.svc.BeginPasskeyLogin(ctx, half.Secret, browser)
		if err != nil {
			t.Fatal(err)
		}
		phish := *u.auth.Credentials()[0]
		a := passkeytest.New(tc.rpID, tc.origin)
		resp, err := a.Assert(&phish, opts)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.FinishPasskeyLogin(ctx, half.Secret, resp, browser)
		wantCode(t, tc.rpID+" "+tc.origin, err, "invalid_credentials")
	}
	// A key the user never registered.
	half, _ := f.svc.Login(ctx, u.email, goodPassword, browser)
	opts, _ := f.svc.BeginPasskeyLogin(ctx, half.Secret, browser)
	stranger := passkeytest.New(testRPID, testOrigin)
	regOpts := []byte(`{"publicKey":{"challenge":"AAAA","rp":{"id":"localhost"},"user":{"id":"dXNy"}}}`)
	if _, err := stranger.Create(regOpts); err != nil {
		t.Fatal(err)
	}
	resp, _ := stranger.Assert(stranger.Credentials()[0], opts)
	_, err := f.svc.FinishPasskeyLogin(ctx, half.Secret, resp, browser)
	wantCode(t, "unregistered key", err, "invalid_credentials")
	for _, bad := range [][]byte{nil, []byte(`{}`), []byte(`{"id":"x","type":"public-key"}`), []byte(`not json`)} {
		if _, err := f.svc.BeginPasskeyLogin(ctx, half.Secret, browser); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.FinishPasskeyLogin(ctx, half.Secret, bad, browser)
		wantCode(t, "malformed "+string(bad), err, "invalid_credentials")
	}
	reasons := map[string]int{}
	for _, ev := range f.events("login.webauthn") {
		reasons[ev.Reason]++
	}
	if reasons["verification_failed"] != 3 || reasons["unknown_credential"] != 1 || reasons["malformed_response"] != 4 {
		t.Fatalf("failure reasons %v", reasons)
	}
}

// TestPasskeyFailuresLock: wrong assertions count towards the lockout like
// wrong codes.
func TestPasskeyFailuresLock(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := t.Context()
	u := f.enrollWithPasskey("pat@example.com")
	half, err := f.svc.Login(ctx, u.email, goodPassword, browser)
	if err != nil {
		t.Fatal(err)
	}
	for range users.MaxLockoutThreshold {
		if _, err := f.svc.BeginPasskeyLogin(ctx, half.Secret, browser); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.FinishPasskeyLogin(ctx, half.Secret, []byte(`{}`), browser)
		wantCode(t, "bad assertion", err, "invalid_credentials")
	}
	if n := len(f.events("user.lock")); n != 1 {
		t.Fatalf("%d user.lock events, want 1", n)
	}
	_, err = f.svc.Login(ctx, u.email, goodPassword, browser)
	wantCode(t, "locked account", err, "invalid_credentials")
}

// TestPasskeyRegistrationGuards: only an enrollment session after the
// password, or a full session, registers a passkey; never a half session.
func TestPasskeyRegistrationGuards(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := t.Context()
	u := f.enroll("totp@example.com", identity.RoleAgent)
	half, err := f.svc.Login(ctx, u.email, u.password, browser)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.BeginPasskeyRegistration(ctx, half.Secret, browser)
	wantCode(t, "registration with a half session", err, "reauthenticate")
	_, err = f.svc.FinishPasskeyRegistration(ctx, half.Secret, "x", []byte(`{}`), browser)
	wantCode(t, "registration finish with a half session", err, "reauthenticate")
	_, err = f.svc.BeginPasskeyRegistration(ctx, "cfs_nonsense", browser)
	wantCode(t, "registration without a session", err, "reauthenticate")

	// Signed in with TOTP, the user adds passkeys.
	full := f.signIn(u, browser)
	auth := passkeytest.New(testRPID, testOrigin)
	add := func(name string) (users.Passkey, error) {
		opts, err := f.svc.BeginPasskeyRegistration(ctx, full.Secret, browser)
		if err != nil {
			return users.Passkey{}, err
		}
		resp, err := auth.Create(opts)
		if err != nil {
			return users.Passkey{}, err
		}
		return f.svc.FinishPasskeyRegistration(ctx, full.Secret, name, resp, browser)
	}
	pk, err := add("  Security key  ")
	if err != nil || pk.Name != "Security key" {
		t.Fatalf("add a passkey: %+v, %v", pk, err)
	}
	// The authenticator refuses to register twice (excludeCredentials);
	// a forged second registration of the same credential is refused.
	if _, err := add("again"); err == nil || !strings.Contains(err.Error(), "excluded") {
		t.Fatalf("second registration on one authenticator: %v", err)
	}
	opts, err := f.svc.BeginPasskeyRegistration(ctx, full.Secret, browser)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := auth.Attest(auth.Credentials()[0], opts)
	_, err = f.svc.FinishPasskeyRegistration(ctx, full.Secret, "dup", resp, browser)
	wantCode(t, "duplicate credential", err, "credential_exists")
	// Names are bounded; bad responses are refused.
	_, err = f.svc.FinishPasskeyRegistration(ctx, full.Secret, strings.Repeat("n", 65), resp, browser)
	wantCode(t, "long name", err, "invalid_name")
	_, err = f.svc.FinishPasskeyRegistration(ctx, full.Secret, "ok", []byte(`{"type":"public-key"}`), browser)
	wantCode(t, "malformed registration", err, "passkey_refused")
	wrongOrigin := passkeytest.New(testRPID, "https://evil.example")
	opts, _ = f.svc.BeginPasskeyRegistration(ctx, full.Secret, browser)
	resp, _ = wrongOrigin.Create(opts)
	_, err = f.svc.FinishPasskeyRegistration(ctx, full.Secret, "phished", resp, browser)
	wantCode(t, "registration from another origin", err, "passkey_refused")

	// Listing and removing: a TOTP user may remove every passkey.
	self := f.agent(ctx, u.ID)
	list, err := f.svc.ListPasskeys(self)
	if err != nil || len(list) != 1 || list[0].ID != pk.ID {
		t.Fatalf("ListPasskeys = %+v, %v", list, err)
	}
	if err := f.svc.RemovePasskey(self, pk.ID); err != nil {
		t.Fatalf("RemovePasskey: %v", err)
	}
	wantCode(t, "remove twice", f.svc.RemovePasskey(self, pk.ID), "not_found")
}

// TestPasskeyLastFactor: a passkey-only user keeps at least one passkey,
// and cannot remove another user's.
func TestPasskeyLastFactor(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := t.Context()
	u, full := f.signedInWithPasskey("pat@example.com")
	self := f.agent(ctx, u.ID)
	list, err := f.svc.ListPasskeys(self)
	if err != nil || len(list) != 1 || list[0].LastUsedAt.IsZero() {
		t.Fatalf("ListPasskeys = %+v, %v", list, err)
	}
	wantCode(t, "remove the last factor", f.svc.RemovePasskey(self, list[0].ID), "last_factor")

	// A second passkey makes the first removable.
	second := passkeytest.New(testRPID, testOrigin)
	opts, err := f.svc.BeginPasskeyRegistration(ctx, full.Secret, browser)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := second.Create(opts)
	if _, err := f.svc.FinishPasskeyRegistration(ctx, full.Secret, "Phone", resp, browser); err != nil {
		t.Fatal(err)
	}
	other := f.enrollWithPasskey("other@example.com")
	otherSelf := f.agent(ctx, other.ID)
	wantCode(t, "remove another user's passkey", f.svc.RemovePasskey(otherSelf, list[0].ID), "not_found")
	if err := f.svc.RemovePasskey(self, list[0].ID); err != nil {
		t.Fatalf("remove with another left: %v", err)
	}
	// Signing in now takes the second authenticator.
	u.auth = second
	if _, err := f.passkeySignIn(u); err != nil {
		t.Fatalf("sign-in with the remaining passkey: %v", err)
	}
	// A service principal has no passkeys.
	svc := identity.WithPrincipal(ctx, identity.Principal{ID: "tok_1", Kind: identity.KindService, Roles: []string{identity.RoleSecurityAdmin}})
	if _, err := f.svc.ListPasskeys(svc); err == nil {
		t.Fatal("a service token listed passkeys")
	}
}

// TestPasskeyReauth: a passkey-only user re-authenticates with the
// password and a passkey; wrong passwords and replayed assertions fail and
// count towards the lockout.
func TestPasskeyReauth(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := t.Context()
	u, full := f.signedInWithPasskey("pat@example.com")
	f.clock.Advance(10 * time.Minute)
	p, err := f.svc.Authenticate(ctx, full.Secret, browser)
	if err != nil {
		t.Fatal(err)
	}
	self := identity.WithPrincipal(ctx, p)
	opts, err := f.svc.BeginPasskeyReauth(self, browser)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := u.auth.Get(opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.FinishPasskeyReauth(self, "not the password", resp, browser)
	wantCode(t, "wrong password", err, "invalid_credentials")
	_, err = f.svc.FinishPasskeyReauth(self, goodPassword, resp, browser)
	wantCode(t, "spent challenge", err, "invalid_credentials")
	opts, _ = f.svc.BeginPasskeyReauth(self, browser)
	resp, _ = u.auth.Get(opts)
	out, err := f.svc.FinishPasskeyReauth(self, goodPassword, resp, browser)
	if err != nil || !out.AuthTime.Equal(f.clock.Now()) {
		t.Fatalf("FinishPasskeyReauth = %+v, %v", out, err)
	}
	p, err = f.svc.Authenticate(ctx, full.Secret, browser)
	if err != nil || p.Attributes["auth_time"] != f.clock.Now().Format(time.RFC3339) {
		t.Fatalf("auth_time after re-authentication: %v, %v", p.Attributes, err)
	}
	reasons := []string{}
	for _, ev := range f.events("session.reauth") {
		reasons = append(reasons, string(ev.Outcome)+":"+ev.Reason)
	}
	if strings.Join(reasons, ",") != "denied:bad_password,denied:no_challenge,success:" {
		t.Fatalf("session.reauth events %v", reasons)
	}
	// A service token cannot.
	svc := identity.WithPrincipal(ctx, identity.Principal{ID: "tok_1", Kind: identity.KindService, Roles: []string{identity.RoleAgent}})
	if _, err := f.svc.BeginPasskeyReauth(svc, browser); err == nil {
		t.Fatal("a service token began a passkey re-authentication")
	}
}

// TestPasskeyAndTOTPEnrollment: a user registers a passkey and then also
// confirms TOTP; both are second factors afterwards.
func TestPasskeyAndTOTPEnrollment(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := t.Context()
	u, link, err := f.svc.Create(f.admin, users.NewUser{Email: "both@example.com", Name: "Bo Both", Roles: []string{identity.RoleAgent}})
	if err != nil {
		t.Fatal(err)
	}
	es, err := f.svc.StartEnrollment(ctx, link.Token, users.Setup{}, browser)
	if err != nil {
		t.Fatal(err)
	}
	te, err := f.svc.SetPassword(ctx, es.Secret, goodPassword, browser)
	if err != nil {
		t.Fatal(err)
	}
	auth := passkeytest.New(testRPID, testOrigin)
	opts, err := f.svc.BeginPasskeyRegistration(ctx, es.Secret, browser)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := auth.Create(opts)
	if _, err := f.svc.FinishPasskeyRegistration(ctx, es.Secret, "", resp, browser); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ConfirmTOTP(ctx, es.Secret, f.code(te.Secret), browser); err != nil {
		t.Fatal(err)
	}
	done := f.events("enrollment.complete")
	if got := jsonOf(done[len(done)-1].Details["methods"]); got != `["totp","webauthn"]` {
		t.Fatalf("enrollment methods %s", got)
	}
	pu := passkeyUser{User: users.User{ID: u.ID}, email: "both@example.com", auth: auth}
	if _, err := f.passkeySignIn(pu); err != nil {
		t.Fatalf("passkey sign-in: %v", err)
	}
	f.clock.Advance(30 * time.Second)
	f.signIn(enrolled{User: u, email: "both@example.com", password: goodPassword, totp: te.Secret}, browser)
	// With TOTP as well, every passkey may go.
	full, _ := f.passkeySignIn(pu)
	p, _ := f.svc.Authenticate(ctx, full.Secret, browser)
	self := identity.WithPrincipal(ctx, p)
	list, _ := f.svc.ListPasskeys(self)
	if len(list) != 1 || list[0].Name != "Passkey" {
		t.Fatalf("passkeys %+v", list)
	}
	if err := f.svc.RemovePasskey(self, list[0].ID); err != nil {
		t.Fatalf("removing the only passkey of a TOTP user: %v", err)
	}
}

// TestPasskeyChangesNeedRecentSignIn: a signed-in user whose last
// authentication is older than the re-authentication window can neither
// add nor remove a passkey (a stolen session cannot plant its own second
// factor) until they re-authenticate; the refusals are audited.
func TestPasskeyChangesNeedRecentSignIn(t *testing.T) {
	f := newPasskeyFixture(t)
	ctx := t.Context()
	u, full := f.signedInWithPasskey("pat@example.com")
	f.clock.Advance(6 * time.Minute) // past the 5-minute window, within the idle timeout
	p, err := f.svc.Authenticate(ctx, full.Secret, browser)
	if err != nil {
		t.Fatal(err)
	}
	self := identity.WithPrincipal(ctx, p)
	_, err = f.svc.BeginPasskeyRegistration(ctx, full.Secret, browser)
	wantCode(t, "add a passkey", err, "reauth_required")
	_, err = f.svc.FinishPasskeyRegistration(ctx, full.Secret, "planted", []byte(`{}`), browser)
	wantCode(t, "finish adding a passkey", err, "reauth_required")
	list, err := f.svc.ListPasskeys(self)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListPasskeys = %+v, %v", list, err)
	}
	wantCode(t, "remove a passkey", f.svc.RemovePasskey(self, list[0].ID), "reauth_required")
	var refused []string
	for _, action := range []string{"webauthn.register", "webauthn.remove"} {
		for _, ev := range f.events(action) {
			if ev.Outcome == audit.Denied {
				refused = append(refused, action+":"+ev.Reason)
			}
		}
	}
	if got := strings.Join(refused, ","); got != "webauthn.register:reauth_required,webauthn.register:reauth_required,webauthn.remove:reauth_required" {
		t.Fatalf("refusals audited: %s", got)
	}

	// After re-authenticating with the password and the passkey, both work.
	opts, err := f.svc.BeginPasskeyReauth(self, browser)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := u.auth.Get(opts)
	if _, err := f.svc.FinishPasskeyReauth(self, goodPassword, resp, browser); err != nil {
		t.Fatal(err)
	}
	opts, err = f.svc.BeginPasskeyRegistration(ctx, full.Secret, browser)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ = passkeytest.New(testRPID, testOrigin).Create(opts)
	if _, err := f.svc.FinishPasskeyRegistration(ctx, full.Secret, "Phone", resp, browser); err != nil {
		t.Fatalf("add a passkey after re-authenticating: %v", err)
	}
	if p, err = f.svc.Authenticate(ctx, full.Secret, browser); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RemovePasskey(identity.WithPrincipal(ctx, p), list[0].ID); err != nil {
		t.Fatalf("remove a passkey after re-authenticating: %v", err)
	}
}
