package app_test

// Browser tests: the sign-in, enrollment, passkey and timeout flows in a
// real Chromium driven over the DevTools protocol (chromedp), with
// Chromium's virtual authenticator (DevTools WebAuthn domain) standing in
// for a platform authenticator. They skip without a Chromium binary
// (chromium, chromium-browser or google-chrome on PATH, or
// CONFIDE_TEST_CHROMIUM); .ci/run installs Debian's chromium.
//
// The node serves plain HTTP on 127.0.0.1 and the browser visits it as
// http://localhost:PORT: localhost is a secure context, so WebAuthn works
// without a certificate, and "localhost" is the relying party id (an IP
// address cannot be one). Screenshots of every step are saved in the
// test's artifact directory (go test -artifacts keeps them).

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/confide-cc/confide/internal/app"
	"github.com/confide-cc/confide/internal/config"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/users"
)

// chromiumPath finds the browser, or "".
func chromiumPath() string {
	if p := os.Getenv("CONFIDE_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowserEnv starts a node like newEnv, on a port known before the
// node is configured, so that its WebAuthn origin is the URL the browser
// uses: http://localhost:PORT.
func newBrowserEnv(t *testing.T) (*env, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	dir := t.TempDir() + "/data"
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	cfg, _, err := config.Load(fs, []string{"--data", dir, "--insecure-http", "--log-level", "debug", "--webauthn-origins", base},
		func(string) string { return "" })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &syncBuffer{}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &env{t: t, app: a, srv: srv, tokens: map[string]string{}, dataDir: dir, logs: logs}, base
}

// tab is one browser tab in its own browser context (no shared cookies),
// recording what would show in its console.
type tab struct {
	t    *testing.T
	ctx  context.Context
	dir  string
	step int

	mu       sync.Mutex
	problems []string // CSP violations, uncaught exceptions, console errors
}

// cspProbe runs before any page script: it records Content-Security-Policy
// violations where the test can read them.
const cspProbe = `window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
	window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "") + " " + (e.sample || ""));
});`

func newTab(t *testing.T, browser context.Context) *tab {
	t.Helper()
	tb := &tab{t: t, dir: t.ArtifactDir()}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext(), chromedp.WithListener(tb.listen))
	ctx, cancelTimeout := context.WithTimeout(ctx, 45*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
	})
	tb.ctx = ctx
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspProbe}); err != nil {
		t.Fatal(err)
	}
	return tb
}

func (tb *tab) listen(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *cdplog.EventEntryAdded:
		// Network entries are HTTP statuses (the 401 of a wrong password,
		// the favicon's 404), not page problems.
		if (ev.Entry.Level == cdplog.EntryLevelError && ev.Entry.Source != cdplog.EntrySourceNetwork) ||
			strings.Contains(ev.Entry.Text, "Content Security Policy") {
			msg = "console (" + string(ev.Entry.Source) + "): " + ev.Entry.Text
		}
	case *runtime.EventExceptionThrown:
		msg = "exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			msg += " " + ev.ExceptionDetails.Exception.Description
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			msg = "console.error"
		}
	}
	if msg != "" {
		tb.mu.Lock()
		tb.problems = append(tb.problems, msg)
		tb.mu.Unlock()
	}
}

// do runs actions, failing the test with what step failed.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.shot("failed-" + what)
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// submit clicks sel and waits for the page it leads to.
func (tb *tab) submit(what string, sel string) {
	tb.t.Helper()
	if _, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		tb.shot("failed-" + what)
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// text returns the text of the first element matching sel.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// title returns the page's heading.
func (tb *tab) title() string { return tb.text("h1") }

// wantTitle fails unless the page's heading is want.
func (tb *tab) wantTitle(want string) {
	tb.t.Helper()
	if got := tb.title(); got != want {
		tb.shot("unexpected-" + strings.ReplaceAll(strings.ToLower(got), " ", "-"))
		tb.t.Fatalf("page %q, want %q", got, want)
	}
}

// location returns the page's URL.
func (tb *tab) location() string {
	tb.t.Helper()
	u, err := chromedp.Run(tb.ctx, chromedp.Location())
	if err != nil {
		tb.t.Fatal(err)
	}
	return u
}

// shot saves a screenshot of the page as NN-name.png.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return
	}
	tb.step++
	path := filepath.Join(tb.dir, fmt.Sprintf("%02d-%s.png", tb.step, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// clean fails the test if the page reported a CSP violation, an uncaught
// exception or a console error.
func (tb *tab) clean() {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](`window.__csp || []`))
	if err != nil {
		tb.t.Fatal(err)
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, p := range append(v, tb.problems...) {
		tb.t.Errorf("%s: %s", tb.location(), p)
	}
}

// virtualAuthenticator attaches a CTAP2 platform authenticator with
// resident keys and user verification that answers at once.
func (tb *tab) virtualAuthenticator() webauthn.AuthenticatorID {
	tb.t.Helper()
	if _, err := chromedp.Call(tb.ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		tb.t.Fatal(err)
	}
	res, err := chromedp.Call(tb.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{Protocol: webauthn.AuthenticatorProtocolCtap2,
			Ctap2version: webauthn.Ctap2versionCtap21, Transport: webauthn.AuthenticatorTransportInternal,
			HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true}})
	if err != nil {
		tb.t.Fatal(err)
	}
	return res.AuthenticatorID
}

// startBrowser starts headless Chromium for the test, or skips it.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Skip("no Chromium: install Debian's chromium (.ci/run does) or set CONFIDE_TEST_CHROMIUM to a Chromium or Chrome binary")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.DisableGPU,
		chromedp.WindowSize(900, 900), chromedp.UserDataDir(t.TempDir()))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return browser
}

// TestBrowser runs the sign-in flows in Chromium against one node.
func TestBrowser(t *testing.T) {
	browser := startBrowser(t)
	e, base := newBrowserEnv(t)
	t.Log("screenshots of each flow go to its artifact directory (go test -artifacts -outputdir DIR keeps them under DIR/_artifacts)")
	admin := ctxAs(identity.RoleSecurityAdmin)
	const password = "amber falcon rivet meadow"

	// A user who enrolls with TOTP (outside the browser), for the TOTP,
	// wrong-password, recovery-code and timeout flows.
	_, link, err := e.app.Users.Create(admin, users.NewUser{Email: "terry@example.com", Name: "Terry Totp", Roles: []string{identity.RoleAgent}})
	if err != nil {
		t.Fatal(err)
	}
	cl := users.Client{UserAgent: "setup"}
	es, err := e.app.Users.StartEnrollment(context.Background(), link.Token, users.Setup{}, cl)
	if err != nil {
		t.Fatal(err)
	}
	te, err := e.app.Users.SetPassword(context.Background(), es.Secret, password, cl)
	if err != nil {
		t.Fatal(err)
	}
	now, _ := totp.GenerateCode(te.Secret, time.Now())
	recovery, err := e.app.Users.ConfirmTOTP(context.Background(), es.Secret, now, cl)
	if err != nil {
		t.Fatal(err)
	}

	signInPassword := func(tb *tab, email, pw string) {
		tb.t.Helper()
		tb.do("open the sign-in page", chromedp.Navigate(base+"/login"))
		tb.wantTitle("Sign in")
		tb.do("fill in the sign-in form", chromedp.SetValue(chromedp.CSS(`input[name=email]`), email),
			chromedp.SetValue(chromedp.CSS(`input[name=password]`), pw))
		tb.shot("sign-in")
		tb.submit("sign in", `form[action="/login"] button`)
	}
	signInTOTP := func(tb *tab) {
		tb.t.Helper()
		signInPassword(tb, "terry@example.com", password)
		tb.wantTitle("Second factor")
		code, _ := totp.GenerateCode(te.Secret, time.Now().Add(30*time.Second))
		tb.do("enter the code", chromedp.SetValue(chromedp.CSS(`input[name=code]`), code))
		tb.shot("totp-code")
		tb.submit("send the code", `form[action="/login/mfa"] button`)
		tb.wantTitle("Signed in")
	}

	t.Run("PasskeyEnrollmentAndSignIn", func(t *testing.T) {
		tb := newTab(t, browser)
		tb.virtualAuthenticator()
		pat, link, err := e.app.Users.Create(admin, users.NewUser{Email: "pat@example.com", Name: "Pat Passkey", Roles: []string{identity.RoleAgent}})
		if err != nil {
			t.Fatal(err)
		}
		tb.do("open the enrollment link", chromedp.Navigate(base+"/enroll?token="+link.Token))
		tb.wantTitle("Set up your account")
		tb.shot("enroll")
		tb.submit("start enrollment", `form[action="/enroll"] button`)
		tb.wantTitle("Choose a password")
		tb.do("choose a password", chromedp.SetValue(chromedp.CSS(`input[name=password]`), password))
		tb.shot("password")
		tb.submit("set the password", `form[action="/enroll/password"] button`)
		tb.wantTitle("Add a second factor")
		tb.do("name the passkey", chromedp.WaitVisible(chromedp.ID("passkey-register")),
			chromedp.SetValue(chromedp.ID("passkey-name"), "Test laptop"))
		tb.shot("second-factor")
		tb.do("use a passkey", chromedp.Click(chromedp.ID("passkey-register")), chromedp.WaitVisible(chromedp.ID("passkey-done")))
		if s := tb.text("#passkey-status"); !strings.Contains(s, "Test laptop") {
			t.Fatalf("status after registration: %q", s)
		}
		tb.shot("passkey-registered")
		tb.submit("finish setup", `#passkey-done button`)
		tb.wantTitle("Recovery codes")
		tb.shot("recovery-codes")
		tb.clean()

		signInPassword(tb, "pat@example.com", password)
		tb.wantTitle("Second factor")
		tb.do("wait for the passkey button", chromedp.WaitVisible(chromedp.ID("passkey-login")))
		tb.shot("mfa")
		tb.submit("use your passkey", `#passkey-login`)
		tb.wantTitle("Signed in")
		if s := tb.text(".passkeys .name"); s != "Test laptop" {
			t.Fatalf("account page lists %q", s)
		}
		tb.shot("signed-in")
		tb.clean()
		// The only second factor cannot be removed.
		tb.submit("remove the passkey", `form[action="/account/passkeys/remove"] button`)
		if msg := tb.text(".error"); !strings.Contains(msg, "only second factor") {
			t.Fatalf("removing the last passkey: %q", msg)
		}
		tb.shot("last-factor")

		// Ten minutes later, adding a passkey needs a recent sign-in: the
		// page opens "Confirm it's you", and the password and the passkey
		// confirm it.
		backdateSignIn(t, e, pat.ID, 10*time.Minute)
		tb.do("add a passkey too late", chromedp.Click(chromedp.ID("passkey-register")))
		// The refusal is shown and the form opened (a closed <details> does
		// not hide its content from WaitVisible, so poll the page's state).
		if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](`document.getElementById("reauth").open &&
			document.getElementById("passkey-status").textContent.includes("recent sign-in")`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			tb.shot("failed-late-registration")
			t.Fatalf("status after a late registration: %q (%v)", tb.text("#passkey-status"), err)
		}
		tb.shot("confirm-its-you")
		tb.do("enter the password", chromedp.SetValue(chromedp.ID("reauth-password"), password))
		tb.submit("confirm with the passkey", `#passkey-reauth`)
		tb.wantTitle("Signed in")
		if s := tb.text(".notice"); !strings.Contains(s, "Confirmed") {
			t.Fatalf("notice after confirming: %q", s)
		}
		tb.shot("confirmed")
		tb.clean()
		ok := 0
		for _, ev := range e.auditEventsOf("login.webauthn") {
			if ev.Outcome == "success" && ev.Details["user_verified"] == true {
				ok++
			}
		}
		if ok != 1 {
			t.Fatalf("%d successful login.webauthn events with user verification, want 1", ok)
		}
	})

	t.Run("PasswordAndTOTP", func(t *testing.T) {
		tb := newTab(t, browser)
		signInTOTP(tb)
		tb.shot("signed-in")
		tb.submit("sign out", `form[action="/logout"] button`)
		tb.wantTitle("Sign in")
		tb.clean()
	})

	t.Run("WrongPassword", func(t *testing.T) {
		tb := newTab(t, browser)
		signInPassword(tb, "terry@example.com", "not the password at all")
		tb.wantTitle("Sign in")
		if msg := tb.text(".error"); msg != "the sign-in details are not valid" {
			t.Fatalf("error message %q", msg)
		}
		tb.shot("wrong-password")
		tb.clean()
	})

	t.Run("RecoveryCode", func(t *testing.T) {
		tb := newTab(t, browser)
		signInPassword(tb, "terry@example.com", password)
		tb.wantTitle("Second factor")
		tb.do("enter a recovery code", chromedp.SetValue(chromedp.CSS(`input[name=code]`), strings.ToLower(recovery[3])))
		tb.shot("recovery-code")
		tb.submit("send the recovery code", `form[action="/login/mfa"] button`)
		tb.wantTitle("Signed in")
		tb.shot("signed-in")
		tb.clean()
	})

	t.Run("InlineScriptBlocked", func(t *testing.T) {
		tb := newTab(t, browser)
		// An inline script injected into the page is refused, on a page
		// without script (sign-in) and on one that loads its script file
		// (script-src 'self': the second factor).
		probe := func(where string) {
			t.Helper()
			got, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`new Promise(function (resolve) {
				document.addEventListener("securitypolicyviolation", function (e) { resolve(e.violatedDirective); });
				var s = document.createElement("script");
				s.textContent = "window.__inlineRan = true";
				document.body.appendChild(s);
				setTimeout(function () { resolve(window.__inlineRan ? "ran" : "no violation"); }, 3000);
			})`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got, "script-src") {
				t.Fatalf("%s: an inline script gave %q, want a script-src violation", where, got)
			}
			tb.mu.Lock()
			tb.problems = nil // the violation the probe caused
			tb.mu.Unlock()
			tb.do("forget the probe's violation", chromedp.Evaluate[chromedp.Void](`window.__csp = []`))
		}
		tb.do("open the sign-in page", chromedp.Navigate(base+"/login"))
		tb.clean()
		probe("sign-in page")
		signInPassword(tb, "terry@example.com", password)
		tb.wantTitle("Second factor")
		tb.do("the passkey script runs", chromedp.WaitVisible(chromedp.ID("passkey-login")))
		tb.shot("mfa-with-script")
		tb.clean()
		probe("second-factor page")
	})

	t.Run("SessionList", func(t *testing.T) {
		// Two browsers signed in as the same user: the account page of one
		// lists both sessions, ends the other, and that browser is sent
		// back to the sign-in page.
		signIn := func(code string) *tab {
			tb := newTab(t, browser)
			signInPassword(tb, "terry@example.com", password)
			tb.do("enter a recovery code", chromedp.SetValue(chromedp.CSS(`input[name=code]`), code))
			tb.submit("send the recovery code", `form[action="/login/mfa"] button`)
			tb.wantTitle("Signed in")
			return tb
		}
		a, b := signIn(recovery[6]), signIn(recovery[7])
		a.do("reload the account page", chromedp.Navigate(base+"/account"))
		count := func(tb *tab) int {
			n, err := chromedp.Run(tb.ctx, chromedp.Evaluate[int](`document.querySelectorAll(".sessions li").length`))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(a); n < 2 {
			t.Fatalf("the account page lists %d sessions, want both browsers' (at least 2)", n)
		}
		if cur := a.text(".sessions li strong"); cur != "(this session)" {
			t.Fatalf("the current session is not marked: %q", cur)
		}
		a.shot("sessions")
		b.do("open the other browser's account page", chromedp.Navigate(base+"/account"))
		bID, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector(".sessions li:has(strong) input[name=id]").value`))
		if err != nil || !strings.HasPrefix(bID, "ses_") {
			t.Fatalf("the other browser's session id: %q, %v", bID, err)
		}
		before := count(a)
		a.submit("end the other browser's session", `.sessions li:has(input[value="`+bID+`"]) form button`)
		a.wantTitle("Signed in")
		if n := count(a); n != before-1 {
			t.Fatalf("after ending one session the page lists %d, want %d", n, before-1)
		}
		b.do("the other browser comes back", chromedp.Navigate(base+"/account"))
		b.wantTitle("Sign in")
		if !strings.HasSuffix(b.location(), "/login?ended=1") {
			t.Fatalf("the ended browser is at %s", b.location())
		}
		a.submit("end this session", `.sessions li:has(strong) form button`)
		a.wantTitle("Sign in")
		a.clean()
		b.clean()
	})

	// Last: it moves the node's clock.
	t.Run("IdleTimeout", func(t *testing.T) {
		tb := newTab(t, browser)
		// (The TOTP codes of now were used by the flows above.)
		signInPassword(tb, "terry@example.com", password)
		tb.do("enter a recovery code", chromedp.SetValue(chromedp.CSS(`input[name=code]`), recovery[5]))
		tb.submit("send the recovery code", `form[action="/login/mfa"] button`)
		tb.wantTitle("Signed in")
		tb.do("reload the account page", chromedp.Navigate(base+"/account"))
		tb.wantTitle("Signed in")
		start := time.Now()
		app.SetClock(e.app, func() time.Time { return time.Now().Add(16 * time.Minute) })
		t.Cleanup(func() { app.SetClock(e.app, time.Now) })
		tb.do("come back after 16 minutes", chromedp.Navigate(base+"/account"))
		tb.wantTitle("Sign in")
		if !strings.HasSuffix(tb.location(), "/login?ended=1") || tb.text(".notice") != "Your session has ended. Sign in again." {
			t.Fatalf("after the idle timeout: %s, notice %q", tb.location(), tb.text(".notice"))
		}
		tb.shot("idle-timeout")
		tb.clean()
		ended := false
		for _, ev := range e.auditEventsOf("session.end") {
			ended = ended || (ev.Reason == "idle_timeout" && ev.Time.After(start.Add(-time.Second)))
		}
		if !ended {
			t.Fatal("no session.end event for the idle timeout")
		}
	})
}
