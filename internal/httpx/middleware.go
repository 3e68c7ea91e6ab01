package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
)

// Authenticator resolves a bearer token, presented by a client at addr
// (the TCP peer, see ClientAddr), to a principal.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string, addr netip.Addr) (identity.Principal, error)
}

// auditedRefusal is implemented by authentication errors that tell the
// audit log more than the client learns: a specific reason, and the
// principal whose credential was presented (e.g. a valid token used from
// outside its networks).
type auditedRefusal interface {
	AuditReason() string
	AuditActor() identity.Principal
}

// Auditor records requests refused before they reach an action.
type Auditor interface {
	AuditRefused(ctx context.Context, route string, reason string) error
}

// RequestID assigns each request a random id (returned in X-Request-Id)
// and records the client origin for audit events.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [12]byte
		rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		w.Header().Set("X-Request-Id", id)
		origin := r.RemoteAddr
		if a := ClientAddr(r); a.IsValid() {
			origin = a.String()
		}
		ctx := audit.WithRequest(r.Context(), audit.RequestInfo{ID: id, Origin: origin})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// SecureHeaders sets headers that make browsers treat API responses as
// inert data.
func SecureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// Recover turns a panic into a 500 without leaking its value to the client;
// the stack goes to the log (it holds no request data).
func Recover(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					log.Error("panic serving request", "request_id", audit.RequestFrom(r.Context()).ID, "stack", string(debug.Stack()))
					WriteError(w, r, log, apperr.New(apperr.Internal, "internal", "internal error"))
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// Authenticate requires a valid bearer token and puts its principal in the
// request context. Failures are audited and answered 401 without saying
// whether the token exists.
func Authenticate(auth Authenticator, aud Auditor, log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := r.Header.Get("Authorization")
			scheme, secret, ok := strings.Cut(h, " ")
			var p identity.Principal
			var err error
			if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
				err = apperr.New(apperr.Unauthenticated, "unauthenticated", "a bearer token is required")
			} else if p, err = auth.Authenticate(r.Context(), strings.TrimSpace(secret), ClientAddr(r)); err != nil {
				err = apperr.New(apperr.Unauthenticated, "unauthenticated", "the bearer token is not valid").WithCause(err)
			}
			if err != nil {
				actx, reason := r.Context(), "unauthenticated"
				var ar auditedRefusal
				if errors.As(err, &ar) {
					actx, reason = identity.WithPrincipal(actx, ar.AuditActor()), ar.AuditReason()
				}
				if aerr := aud.AuditRefused(actx, routeOf(r), reason); aerr != nil {
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

// routeOf returns a low-cardinality description of the request's route
// (method and pattern), never the raw URL, whose query may hold personal
// data.
func routeOf(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return r.Method + " (unmatched)"
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Observe logs each request (route pattern, status, duration, request id,
// principal id; never the URL query or bodies) and records metrics.
func Observe(log *slog.Logger, m *Metrics) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w}
			// The mux fills r.Pattern on the request it passes down; share
			// a pointer so we can read it afterwards.
			holder := &patternHolder{}
			next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), patternKey{}, holder)))
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			route := holder.pattern
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			if m != nil {
				m.observe(route, r.Method, sw.status, d)
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method), slog.String("route", route), slog.Int("status", sw.status),
				slog.Int64("bytes", sw.bytes), slog.Duration("duration", d),
				slog.String("request_id", audit.RequestFrom(r.Context()).ID),
			}
			if holder.principal != "" {
				attrs = append(attrs, slog.String("principal", holder.principal))
			}
			log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		})
	}
}

type patternKey struct{}

type patternHolder struct {
	pattern   string
	principal string
}

// Route wraps a handler registered on the mux so that Observe learns the
// matched pattern and the authenticated principal.
func Route(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ph, ok := r.Context().Value(patternKey{}).(*patternHolder); ok {
			ph.pattern = r.Pattern
		}
		h.ServeHTTP(w, r)
	})
}
