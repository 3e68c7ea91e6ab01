package httpx

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/identity"
)

// SessionAuthenticator resolves a session cookie presented by a client
// (user agent and address) to a human principal.
type SessionAuthenticator interface {
	AuthenticateSession(ctx context.Context, secret, userAgent string, addr netip.Addr) (identity.Principal, error)
}

// Session cookie names. The __Host- prefix makes browsers insist on
// Secure, Path=/ and no Domain; plain HTTP (--insecure-http) cannot use it.
const (
	SessionCookie         = "__Host-confide_session"
	InsecureSessionCookie = "confide_session"
)

// Cookies sets and reads the session cookie.
type Cookies struct {
	// Insecure drops the Secure attribute and the __Host- prefix; only for
	// --insecure-http on loopback.
	Insecure bool
}

// Name returns the session cookie's name.
func (c Cookies) Name() string {
	if c.Insecure {
		return InsecureSessionCookie
	}
	return SessionCookie
}

// Set sends the session cookie: HttpOnly, SameSite=Strict, Secure (unless
// Insecure), expiring with the session.
func (c Cookies) Set(w http.ResponseWriter, secret string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: c.Name(), Value: secret, Path: "/", Expires: expires,
		MaxAge: max(1, int(time.Until(expires).Seconds())), Secure: !c.Insecure, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// Clear removes the session cookie.
func (c Cookies) Clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: c.Name(), Value: "", Path: "/", MaxAge: -1, Secure: !c.Insecure,
		HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// Get returns the session cookie's value, or "".
func (c Cookies) Get(r *http.Request) string {
	ck, err := r.Cookie(c.Name())
	if err != nil {
		return ""
	}
	return ck.Value
}

// ClientAddr returns the address of the request's peer. Forwarding headers
// are not trusted.
func ClientAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// csrf refuses cross-origin state-changing browser requests (Go's
// CrossOriginProtection: Sec-Fetch-Site, then Origin against Host).
var csrf = http.NewCrossOriginProtection()

// CheckOrigin reports a cross-origin browser request that changes state as
// a Forbidden error, or nil.
func CheckOrigin(r *http.Request) error {
	if err := csrf.Check(r); err != nil {
		return apperr.New(apperr.Forbidden, "cross_origin", "cross-origin request refused").WithCause(err)
	}
	return nil
}

// AuthenticateAny authenticates a request by bearer token (service
// accounts) or, without an Authorization header, by session cookie (human
// users, full sessions only: a password-only half session is refused).
// Cookie-authenticated requests must also pass CheckOrigin. Failures are
// audited and answered 401 (403 for a cross-origin request) without saying
// which check failed.
func AuthenticateAny(tokens Authenticator, sessions SessionAuthenticator, cookies Cookies, aud Auditor, log *slog.Logger) func(http.Handler) http.Handler {
	bearer := Authenticate(tokens, aud, log)
	return func(next http.Handler) http.Handler {
		viaToken := bearer(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			secret := cookies.Get(r)
			if r.Header.Get("Authorization") != "" || secret == "" || sessions == nil {
				viaToken.ServeHTTP(w, r)
				return
			}
			err := CheckOrigin(r)
			var p identity.Principal
			if err == nil {
				p, err = sessions.AuthenticateSession(r.Context(), secret, r.UserAgent(), ClientAddr(r))
				if err != nil && apperr.KindOf(err) != apperr.Internal {
					err = apperr.New(apperr.Unauthenticated, "reauthenticate", "the session has ended; sign in again").WithCause(err)
				}
			}
			if err != nil {
				if aerr := aud.AuditRefused(r.Context(), routeOf(r), apperr.As(err).Code); aerr != nil {
					err = aerr
				}
				WriteError(w, r, log, err)
				return
			}
			if ph, ok := r.Context().Value(patternKey{}).(*patternHolder); ok {
				ph.principal = p.ID
			}
			next.ServeHTTP(w, r.WithContext(identity.WithPrincipal(r.Context(), p)))
		})
	}
}
