package web

import (
	"fmt"
	"net/http"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/httpx"
	"github.com/confide-cc/confide/internal/identity"
)

// registerPasskeys adds the passkey script, the account page (who is
// signed in, their passkeys) and the passkey steps that are forms.
func (p *Pages) registerPasskeys(mux *http.ServeMux, page func(string, http.HandlerFunc)) {
	mux.Handle("GET /assets/webauthn.js", httpx.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, files, "templates/webauthn.js")
	})))
	page("GET /account", p.account)
	page("POST /account/passkeys/remove", p.removePasskey)
	page("POST /account/reauth", p.reauth)
	page("POST /account/sessions/end", p.endSession)
	page("POST /enroll/complete", p.completeEnrollment)
}

// signedIn returns the request's context with the principal of its full
// session, or, if there is none (never signed in, idle or absolute timeout,
// another client), sends the browser to the sign-in page and returns false.
func (p *Pages) signedIn(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	pr, err := p.users.Authenticate(r.Context(), p.cookies.Get(r), client(r))
	if err != nil {
		if p.cookies.Get(r) != "" {
			p.cookies.Clear(w)
			http.Redirect(w, r, "/login?ended=1", http.StatusSeeOther)
		} else {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
		}
		return r, false
	}
	return r.WithContext(identity.WithPrincipal(r.Context(), pr)), true
}

// account shows the signed-in user's page: their passkeys, a button to
// add one, and sign-out.
func (p *Pages) account(w http.ResponseWriter, r *http.Request) {
	r, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	v, err := p.accountView(r)
	if err != nil {
		p.fail(w, "signedin", v, err)
		return
	}
	if r.URL.Query().Get("confirmed") == "1" {
		v.Notice = fmt.Sprintf("Confirmed: you can add or remove passkeys for the next %d minutes.", v.ReauthMinutes)
	}
	p.render(w, http.StatusOK, "signedin", v)
}

// accountFail re-renders the account page with err. The "Confirm it's
// you" form is open if confirming failed (reauth) or a change was refused
// for want of a recent sign-in.
func (p *Pages) accountFail(w http.ResponseWriter, r *http.Request, err error, reauth bool) {
	v, _ := p.accountView(r)
	v.Reauth = reauth || apperr.As(err).Code == "reauth_required"
	p.fail(w, "signedin", v, err)
}

// reauth re-authenticates the signed-in user with their password and a
// TOTP or recovery code, for the account page's sensitive changes.
func (p *Pages) reauth(w http.ResponseWriter, r *http.Request) {
	r, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	if _, err := p.users.Reauthenticate(r.Context(), r.PostFormValue("password"), r.PostFormValue("code"), client(r)); err != nil {
		p.accountFail(w, r, err, true)
		return
	}
	http.Redirect(w, r, "/account?confirmed=1", http.StatusSeeOther)
}

// accountView gathers what the account page shows: passkeys and sessions.
func (p *Pages) accountView(r *http.Request) (view, error) {
	v := view{Title: "Signed in", Script: true, IdleMinutes: int(p.users.IdleTimeout().Minutes()),
		ReauthMinutes: int(p.users.ReauthWindow().Minutes())}
	var err error
	if v.Passkeys, err = p.users.ListPasskeys(r.Context()); err != nil {
		return v, err
	}
	v.Sessions, err = p.users.ListSessions(r.Context())
	return v, err
}

// endSession ends one of the user's own sessions from the account page;
// ending the current one signs out.
func (p *Pages) endSession(w http.ResponseWriter, r *http.Request) {
	r, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	id := r.PostFormValue("id")
	if err := p.users.RevokeSession(r.Context(), id); err != nil {
		p.accountFail(w, r, err, false)
		return
	}
	if pr, ok := identity.FromContext(r.Context()); ok && pr.Attributes["session"] == id {
		p.cookies.Clear(w)
		http.Redirect(w, r, "/login?ended=1", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (p *Pages) removePasskey(w http.ResponseWriter, r *http.Request) {
	r, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	if err := p.users.RemovePasskey(r.Context(), r.PostFormValue("id")); err != nil {
		p.accountFail(w, r, err, false)
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

// completeEnrollment finishes enrollment with the passkey registered on
// the second-factor page.
func (p *Pages) completeEnrollment(w http.ResponseWriter, r *http.Request) {
	codes, err := p.users.CompleteEnrollment(r.Context(), p.cookies.Get(r), client(r))
	if err != nil {
		p.fail(w, "totp", view{Title: "Add a second factor", Script: true}, err)
		return
	}
	p.render(w, http.StatusOK, "recovery", view{Title: "Recovery codes", Codes: codes})
}
