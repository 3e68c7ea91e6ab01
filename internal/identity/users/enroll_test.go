package users_test

import (
	"bytes"
	"image/png"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/users"
)

// TestTOTPAgainstOathtool checks the TOTP implementation against an
// independent one: Debian's oathtool computes the codes.
func TestTOTPAgainstOathtool(t *testing.T) {
	oathtool, err := exec.LookPath("oathtool")
	if err != nil {
		t.Skip("oathtool is not installed (apt-get install oathtool); skipping the independent TOTP check")
	}
	f := newFixture(t, users.Options{})
	_, link, err := f.svc.Create(f.admin, users.NewUser{Email: "a@example.com", Name: "A", Roles: []string{identity.RoleAgent}})
	if err != nil {
		t.Fatal(err)
	}
	es, err := f.svc.StartEnrollment(t.Context(), link.Token, users.Setup{}, browser)
	if err != nil {
		t.Fatal(err)
	}
	te, err := f.svc.SetPassword(t.Context(), es.Secret, goodPassword, browser)
	if err != nil {
		t.Fatal(err)
	}
	oath := func(at time.Time) string {
		t.Helper()
		out, err := exec.Command(oathtool, "--totp", "--base32", "--now", at.UTC().Format("2006-01-02 15:04:05 UTC"), te.Secret).Output()
		if err != nil {
			t.Fatalf("oathtool: %v", err)
		}
		return strings.TrimSpace(string(out))
	}
	if _, err := f.svc.ConfirmTOTP(t.Context(), es.Secret, oath(f.clock.Now()), browser); err != nil {
		t.Fatalf("oathtool's code refused at enrollment: %v", err)
	}
	u := enrolled{email: "a@example.com", password: goodPassword}
	for _, step := range []time.Duration{30 * time.Second, 17 * time.Hour, 31 * 24 * time.Hour} {
		f.clock.Advance(step)
		half, err := f.svc.Login(t.Context(), u.email, u.password, browser)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CompleteMFA(t.Context(), half.Secret, oath(f.clock.Now()), browser); err != nil {
			t.Fatalf("oathtool's code refused at %v: %v", f.clock.Now(), err)
		}
	}
}

func TestPasswordRules(t *testing.T) {
	tests := []struct {
		password, code string
	}{
		{"short pass", "password_too_short"},
		{"elevenchars", "password_too_short"},
		{"passwordpassword", "password_too_common"},
		{"Baseball1234567!", "password_too_common"},
		{"iloveyouiloveyou", "password_too_common"},
		{"qwertyuiopasdfgh" + strings.Repeat("x", 1100), "password_too_long"},
		{"valid \xff utf8 no", "invalid_password"},
		{"tangerine harbour lamp", ""},
		{"ünïcödé-wörds-ok", ""},
	}
	f := newFixture(t, users.Options{})
	for _, tc := range tests {
		_, link, err := f.svc.Create(f.admin, users.NewUser{Email: "u" + time.Now().Format("150405.000000000") + "@example.com", Name: "U", Roles: []string{identity.RoleAgent}})
		if err != nil {
			t.Fatal(err)
		}
		es, err := f.svc.StartEnrollment(t.Context(), link.Token, users.Setup{}, browser)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.SetPassword(t.Context(), es.Secret, tc.password, browser)
		if tc.code == "" {
			if err != nil {
				t.Errorf("password %q refused: %v", tc.password, err)
			}
			continue
		}
		wantCode(t, "password "+tc.password, err, tc.code)
	}
}

func TestPasswordHistory(t *testing.T) {
	f := newFixture(t, users.Options{})
	_, link, err := f.svc.Create(f.admin, users.NewUser{Email: "a@example.com", Name: "A", Roles: []string{identity.RoleAgent}})
	if err != nil {
		t.Fatal(err)
	}
	es, err := f.svc.StartEnrollment(t.Context(), link.Token, users.Setup{}, browser)
	if err != nil {
		t.Fatal(err)
	}
	pw := []string{"first long password", "second long password", "third long password", "fourth long password", "fifth long password"}
	for i, p := range pw[:4] {
		if _, err := f.svc.SetPassword(t.Context(), es.Secret, p, browser); err != nil {
			t.Fatalf("password %d: %v", i, err)
		}
		f.clock.Advance(time.Second)
	}
	for _, p := range pw[:4] {
		_, err := f.svc.SetPassword(t.Context(), es.Secret, p, browser)
		wantCode(t, "one of the last 4 passwords", err, "password_reused")
	}
	if _, err := f.svc.SetPassword(t.Context(), es.Secret, pw[4], browser); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Second)
	// pw[0] is now the fifth newest: allowed again.
	if _, err := f.svc.SetPassword(t.Context(), es.Secret, pw[0], browser); err != nil {
		t.Fatalf("fifth-newest password: %v", err)
	}
}

func TestLinks(t *testing.T) {
	f := newFixture(t, users.Options{})
	_, link, err := f.svc.Create(f.admin, users.NewUser{Email: "a@example.com", Name: "A", Roles: []string{identity.RoleAgent}})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.Create(f.admin, users.NewUser{Email: "A@EXAMPLE.COM", Name: "B", Roles: []string{identity.RoleAgent}})
	wantCode(t, "same address twice", err, "email_taken")

	f.clock.Advance(24 * time.Hour)
	_, err = f.svc.StartEnrollment(t.Context(), link.Token, users.Setup{}, browser)
	wantCode(t, "expired link", err, "invalid_link")

	// A new link replaces the old one, and works once.
	list, err := f.svc.List(f.admin)
	if err != nil || len(list) != 1 || list[0].Email != "a@example.com" || list[0].Status != users.StatusPending {
		t.Fatalf("List = %+v, %v", list, err)
	}
	link2, err := f.svc.NewEnrollmentLink(f.admin, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.StartEnrollment(t.Context(), link2.Token, users.Setup{}, browser); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.StartEnrollment(t.Context(), link2.Token, users.Setup{}, browser)
	wantCode(t, "used link", err, "invalid_link")
	_, err = f.svc.StartEnrollment(t.Context(), "cfl_garbage", users.Setup{}, browser)
	wantCode(t, "malformed link", err, "invalid_link")
}

func TestSetupLink(t *testing.T) {
	f := newFixture(t, users.Options{})
	first, ok, err := f.svc.SetupLink(t.Context())
	if err != nil || !ok {
		t.Fatalf("SetupLink = %v, %v", ok, err)
	}
	link, ok, err := f.svc.SetupLink(t.Context())
	if err != nil || !ok {
		t.Fatalf("second SetupLink = %v, %v", ok, err)
	}
	_, err = f.svc.StartEnrollment(t.Context(), first.Token, users.Setup{Email: "sec@example.com", Name: "Sec"}, browser)
	wantCode(t, "superseded setup link", err, "invalid_link")
	_, err = f.svc.StartEnrollment(t.Context(), link.Token, users.Setup{Email: "not an address", Name: "Sec"}, browser)
	wantCode(t, "setup without a valid address", err, "invalid_email")
	es, err := f.svc.StartEnrollment(t.Context(), link.Token, users.Setup{Email: "sec@example.com", Name: "Sec"}, browser)
	if err != nil {
		t.Fatalf("setup link after a refused attempt: %v", err)
	}
	te, err := f.svc.SetPassword(t.Context(), es.Secret, goodPassword, browser)
	if err != nil {
		t.Fatal(err)
	}
	qr, err := f.svc.EnrollmentQR(t.Context(), es.Secret, 256, browser)
	if err != nil {
		t.Fatal(err)
	}
	if img, err := png.Decode(bytes.NewReader(qr)); err != nil || img.Bounds().Dx() != 256 {
		t.Fatalf("QR code: %v", err)
	}
	if !strings.HasPrefix(te.URI, "otpauth://totp/Confide:sec@example.com?") {
		t.Fatalf("URI %q", te.URI)
	}
	if _, err := f.svc.ConfirmTOTP(t.Context(), es.Secret, f.code(te.Secret), browser); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := f.svc.SetupLink(t.Context()); ok || err != nil {
		t.Fatalf("SetupLink with an active security admin = %v, %v; want none", ok, err)
	}
}
