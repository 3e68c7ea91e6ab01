// Package web serves Confide's server-rendered pages: for now the front
// door of the console — sign-in, the MFA challenge (TOTP, recovery code or
// passkey), enrollment (password, TOTP QR code or passkey, recovery codes)
// and the signed-in user's account page. Pages use html/template, a strict
// Content-Security-Policy and no framing; the only script is the
// self-hosted webauthn.js, allowed (script-src 'self') on the pages that
// run passkey ceremonies. Every form POST passes Go's cross-origin
// protection, and the session cookie is SameSite=Strict.
package web

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/httpx"
	"github.com/confide-cc/confide/internal/identity/users"
)

//go:embed templates
var files embed.FS

var pages = template.Must(template.ParseFS(files, "templates/pages.html"))

// CSP allows the page's own stylesheet, images and form targets, nothing
// else: no script at all.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// ScriptCSP is CSP for the pages that run passkey ceremonies: it adds the
// self-hosted script file and requests to this origin, and still no inline
// script, eval or third-party source.
const ScriptCSP = CSP + "; script-src 'self'; connect-src 'self'"

// Pages serves the sign-in and enrollment pages.
type Pages struct {
	users   *users.Service
	cookies httpx.Cookies
	log     *slog.Logger
}

// New returns the pages over u.
func New(u *users.Service, cookies httpx.Cookies, log *slog.Logger) *Pages {
	return &Pages{users: u, cookies: cookies, log: log}
}

// Register adds the pages to mux.
func (p *Pages) Register(mux *http.ServeMux) {
	mux.Handle("GET /assets/confide.css", httpx.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		http.ServeFileFS(w, r, files, "templates/confide.css")
	})))
	page := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, httpx.Route(p.guard(h))) }
	page("GET /login", func(w http.ResponseWriter, r *http.Request) {
		v := view{Title: "Sign in"}
		if r.URL.Query().Get("ended") != "" {
			v.Notice = "Your session has ended. Sign in again."
		}
		p.render(w, http.StatusOK, "login", v)
	})
	page("POST /login", p.login)
	page("POST /login/mfa", p.mfa)
	page("POST /logout", p.logout)
	page("GET /enroll", func(w http.ResponseWriter, r *http.Request) {
		p.render(w, http.StatusOK, "enroll", view{Title: "Set up your account", Token: r.URL.Query().Get("token")})
	})
	page("POST /enroll", p.startEnrollment)
	page("POST /enroll/password", p.setPassword)
	page("POST /enroll/totp", p.confirmTOTP)
	p.registerPasskeys(mux, page)
}

// view is the data of every page.
type view struct {
	Title  string
	Error  string
	Token  string
	Secret string
	Codes  []string
	// Script loads webauthn.js and relaxes the CSP to ScriptCSP.
	Script   bool
	Notice   string
	Passkeys []users.Passkey
	Sessions []users.SessionInfo
	// IdleMinutes is the configured idle timeout, for the account page.
	IdleMinutes int
	// ReauthMinutes is the re-authentication window; Reauth opens the
	// account page's "Confirm it's you" form.
	ReauthMinutes int
	Reauth        bool
}

// guard sets the pages' headers and, for POST, applies the cross-origin
// check and a small body limit.
func (p *Pages) guard(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", CSP)
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Cache-Control", "no-store")
		if r.Method == http.MethodPost {
			if err := httpx.CheckOrigin(r); err != nil {
				p.render(w, http.StatusForbidden, "login", view{Title: "Sign in", Error: "Cross-origin request refused."})
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		}
		h(w, r)
	})
}

// render writes a page.
func (p *Pages) render(w http.ResponseWriter, status int, name string, v view) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if v.Script {
		w.Header().Set("Content-Security-Policy", ScriptCSP)
	}
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, v); err != nil {
		p.log.Warn("rendering a page failed", "page", name, "err", err)
	}
}

// fail re-renders page with err's user-safe message.
func (p *Pages) fail(w http.ResponseWriter, page string, v view, err error) {
	ae := apperr.As(err)
	v.Error = ae.Message
	if ae.Kind == apperr.Internal {
		v.Error = "Something went wrong; try again or ask your administrator."
	}
	p.render(w, httpx.Status(ae.Kind), page, v)
}

func client(r *http.Request) users.Client {
	return users.Client{UserAgent: r.UserAgent(), Addr: httpx.ClientAddr(r)}
}

func (p *Pages) login(w http.ResponseWriter, r *http.Request) {
	half, err := p.users.Login(r.Context(), r.PostFormValue("email"), r.PostFormValue("password"), client(r))
	if err != nil {
		p.fail(w, "login", view{Title: "Sign in"}, err)
		return
	}
	p.cookies.Set(w, half.Secret, half.ExpiresAt)
	p.render(w, http.StatusOK, "mfa", view{Title: "Second factor", Script: true})
}

func (p *Pages) mfa(w http.ResponseWriter, r *http.Request) {
	full, err := p.users.CompleteMFA(r.Context(), p.cookies.Get(r), r.PostFormValue("code"), client(r))
	if err != nil {
		if apperr.As(err) == users.ErrNoSession {
			p.fail(w, "login", view{Title: "Sign in"}, err)
			return
		}
		p.fail(w, "mfa", view{Title: "Second factor", Script: true}, err)
		return
	}
	p.cookies.Set(w, full.Secret, full.ExpiresAt)
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (p *Pages) logout(w http.ResponseWriter, r *http.Request) {
	if err := p.users.Logout(r.Context(), p.cookies.Get(r)); err != nil {
		p.fail(w, "login", view{Title: "Sign in"}, err)
		return
	}
	p.cookies.Clear(w)
	p.render(w, http.StatusOK, "login", view{Title: "Sign in"})
}

func (p *Pages) startEnrollment(w http.ResponseWriter, r *http.Request) {
	token := r.PostFormValue("token")
	es, err := p.users.StartEnrollment(r.Context(), token,
		users.Setup{Email: r.PostFormValue("email"), Name: r.PostFormValue("name")}, client(r))
	if err != nil {
		p.fail(w, "enroll", view{Title: "Set up your account", Token: token}, err)
		return
	}
	p.cookies.Set(w, es.Secret, es.ExpiresAt)
	p.render(w, http.StatusOK, "password", view{Title: "Choose a password"})
}

func (p *Pages) setPassword(w http.ResponseWriter, r *http.Request) {
	te, err := p.users.SetPassword(r.Context(), p.cookies.Get(r), r.PostFormValue("password"), client(r))
	if err != nil {
		p.fail(w, "password", view{Title: "Choose a password"}, err)
		return
	}
	p.render(w, http.StatusOK, "totp", view{Title: "Add a second factor", Secret: te.Secret, Script: true})
}

func (p *Pages) confirmTOTP(w http.ResponseWriter, r *http.Request) {
	codes, err := p.users.ConfirmTOTP(r.Context(), p.cookies.Get(r), r.PostFormValue("code"), client(r))
	if err != nil {
		p.fail(w, "totp", view{Title: "Add a second factor", Script: true}, err)
		return
	}
	p.render(w, http.StatusOK, "recovery", view{Title: "Recovery codes", Codes: codes})
}
