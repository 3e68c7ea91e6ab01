package users_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/users"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/store/sqlite"
	"github.com/confide-cc/confide/internal/vault"
)

// clock is a settable clock for timeouts and TOTP steps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a Service over a real SQLite store and vault.
type fixture struct {
	t     testing.TB
	st    store.Store
	svc   *users.Service
	clock *clock
	admin context.Context // a security admin's context
}

// testParams make password hashing cheap in tests (BenchmarkHashPassword
// measures the real parameters).
var testParams = users.Params{MemoryKiB: 64, Time: 1, Threads: 1}

func newFixture(t testing.TB, opt users.Options) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "confide.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keyFile := filepath.Join(dir, "root.key")
	if _, err := vault.EnsureRootKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(t.Context(), vault.FileKeySource(keyFile), keysets{st})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)}
	opt.Now = c.Now
	if opt.Argon2 == (users.Params{}) {
		opt.Argon2 = testParams
	}
	svc, err := users.New(st, v, opt)
	if err != nil {
		t.Fatal(err)
	}
	// The admin signed in when the clock starts: sensitive actions need
	// a recent authentication (reauth.go).
	admin := identity.WithPrincipal(t.Context(), identity.Principal{ID: "usr_admin", Kind: identity.KindHuman,
		Roles: []string{identity.RoleSecurityAdmin}, Attributes: map[string]string{"auth_time": c.t.Format(time.RFC3339)}})
	return &fixture{t: t, st: st, svc: svc, clock: c, admin: admin}
}

// keysets adapts the store to the vault's keyset persistence.
type keysets struct{ st store.Store }

func (k keysets) LoadSystemKeyset(ctx context.Context, name string) ([]byte, error) {
	var out []byte
	err := k.st.View(ctx, func(tx store.Tx) error {
		ks, err := tx.GetSystemKeyset(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		out = ks.Wrapped
		return err
	})
	return out, err
}

func (k keysets) CreateSystemKeyset(ctx context.Context, name string, wrapped []byte) ([]byte, error) {
	var out []byte
	err := k.st.Update(ctx, func(tx store.Tx) error {
		ks, err := tx.CreateSystemKeyset(ctx, store.SystemKeyset{Name: name, Wrapped: wrapped, UpdatedAt: time.Now().UTC()})
		out = ks.Wrapped
		return err
	})
	return out, err
}

func (k keysets) SwapSystemKeyset(ctx context.Context, name string, old, new []byte) error {
	return k.st.Update(ctx, func(tx store.Tx) error { return tx.UpdateSystemKeyset(ctx, name, old, new) })
}

func (k keysets) DeleteSystemKeyset(ctx context.Context, name string, old []byte) error {
	return k.st.Update(ctx, func(tx store.Tx) error { return tx.DeleteSystemKeyset(ctx, name, old) })
}

var (
	browser = users.Client{UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", Addr: netip.MustParseAddr("192.0.2.10")}
	// sameNet is the same browser at another address of its /24.
	sameNet = users.Client{UserAgent: browser.UserAgent, Addr: netip.MustParseAddr("192.0.2.77")}
)

const goodPassword = "violet staple quantum orbit"

// enrolled is an active user with its TOTP secret and recovery codes.
type enrolled struct {
	users.User
	email    string
	password string
	totp     string
	recovery []string
}

// enroll creates and fully enrolls a user with role.
func (f *fixture) enroll(email, role string) enrolled {
	f.t.Helper()
	u, link, err := f.svc.Create(f.admin, users.NewUser{Email: email, Name: "Test User", Roles: []string{role}, Team: "billing"})
	if err != nil {
		f.t.Fatalf("Create: %v", err)
	}
	es, err := f.svc.StartEnrollment(f.t.Context(), link.Token, users.Setup{}, browser)
	if err != nil {
		f.t.Fatalf("StartEnrollment: %v", err)
	}
	te, err := f.svc.SetPassword(f.t.Context(), es.Secret, goodPassword, browser)
	if err != nil {
		f.t.Fatalf("SetPassword: %v", err)
	}
	codes, err := f.svc.ConfirmTOTP(f.t.Context(), es.Secret, f.code(te.Secret), browser)
	if err != nil {
		f.t.Fatalf("ConfirmTOTP: %v", err)
	}
	f.clock.Advance(30 * time.Second) // the next sign-in needs a fresh code
	return enrolled{User: u, email: email, password: goodPassword, totp: te.Secret, recovery: codes}
}

// code is the TOTP code of secret now.
func (f *fixture) code(secret string) string {
	f.t.Helper()
	c, err := totp.GenerateCode(secret, f.clock.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// signIn runs both factors and returns the full session.
func (f *fixture) signIn(u enrolled, c users.Client) users.Issued {
	f.t.Helper()
	half, err := f.svc.Login(f.t.Context(), u.email, u.password, c)
	if err != nil {
		f.t.Fatalf("Login: %v", err)
	}
	full, err := f.svc.CompleteMFA(f.t.Context(), half.Secret, f.code(u.totp), c)
	if err != nil {
		f.t.Fatalf("CompleteMFA: %v", err)
	}
	f.clock.Advance(30 * time.Second)
	return full
}

// wantCode fails unless err is an apperr with code.
func wantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: succeeded, want error %q", what, code)
	}
	if got := apperr.As(err).Code; got != code {
		t.Fatalf("%s: error %q (%v), want %q", what, got, err, code)
	}
}

// events returns the audit events with action, in order.
func (f *fixture) events(action string) []audit.Event {
	f.t.Helper()
	var out []audit.Event
	err := f.st.View(f.t.Context(), func(tx store.Tx) error {
		recs, err := tx.SearchAudit(f.t.Context(), store.AuditQuery{Action: action, Limit: 1000})
		for _, r := range recs {
			ev, derr := decodeEvent(r.Body)
			if derr != nil {
				return derr
			}
			out = append(out, ev)
		}
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func decodeEvent(body []byte) (audit.Event, error) {
	var ev audit.Event
	return ev, json.Unmarshal(body, &ev)
}
