package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/httpx"
	"github.com/confide-cc/confide/internal/identity/users"
)

// WithUsers enables the sign-in, enrollment, session and user routes,
// setting session cookies as cookies says.
func (a *API) WithUsers(u *users.Service, cookies httpx.Cookies) *API {
	a.users, a.cookies = u, cookies
	return a
}

// publicRoutes returns how to add a sign-in or enrollment step: a route
// without authentication (the step establishes who the caller is) that
// refuses cross-origin browser requests, auditing the refusal as action.
func (a *API) publicRoutes(mux *http.ServeMux) func(pattern, action string, h func(http.ResponseWriter, *http.Request) error) {
	return func(pattern, action string, h func(http.ResponseWriter, *http.Request) error) {
		mux.Handle(pattern, httpx.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			err := httpx.CheckOrigin(r)
			if err != nil {
				err = a.users.Refuse(r.Context(), action, err)
			} else {
				err = h(w, r)
			}
			if err != nil {
				httpx.WriteError(w, r, a.log, err)
			}
		})))
	}
}

// registerIdentity adds the /api/v1/auth and /api/v1/users routes. The
// sign-in and enrollment steps are public (they establish who the caller
// is); they refuse cross-origin browser requests and bearer tokens.
func (a *API) registerIdentity(mux *http.ServeMux, handle func(string, func(http.ResponseWriter, *http.Request) error)) {
	public := a.publicRoutes(mux)
	public("POST /api/v1/auth/login", "login.password", a.login)
	public("POST /api/v1/auth/mfa", "login.mfa", a.completeMFA)
	public("POST /api/v1/auth/logout", "session.revoke", a.logout)
	public("POST /api/v1/auth/enrollment", "enrollment.start", a.startEnrollment)
	public("POST /api/v1/auth/enrollment/password", "enrollment.password", a.setPassword)
	public("GET /api/v1/auth/enrollment/qr.png", "enrollment.password", a.enrollmentQR)
	public("POST /api/v1/auth/enrollment/totp", "enrollment.complete", a.confirmTOTP)
	handle("GET /api/v1/auth/session", a.currentSession)
	handle("GET /api/v1/auth/sessions", a.listSessions)
	handle("DELETE /api/v1/auth/sessions/{id}", a.revokeSession)
	handle("POST /api/v1/users", a.createUser)
	handle("GET /api/v1/users", a.listUsers)
	handle("POST /api/v1/users/{id}/disable", a.disableUser)
	handle("POST /api/v1/users/{id}/enrollment-link", a.newEnrollmentLink)
	handle("GET /api/v1/users/{id}/sessions", a.listUserSessions)
}

// client describes the caller's browser for session binding.
func client(r *http.Request) users.Client {
	return users.Client{UserAgent: r.UserAgent(), Addr: httpx.ClientAddr(r)}
}

// decodeOrRefuse decodes a JSON body (if v is not nil) and refuses bearer
// tokens, auditing either refusal as action.
func (a *API) decodeOrRefuse(w http.ResponseWriter, r *http.Request, action string, v any) error {
	if v != nil {
		if err := decodeJSON(w, r, a.maxBody, v); err != nil {
			return a.users.Refuse(r.Context(), action, err)
		}
	}
	if r.Header.Get("Authorization") != "" {
		return a.users.Refuse(r.Context(), action,
			apperr.New(apperr.Forbidden, "not_a_human", "bearer tokens (service accounts) cannot open interactive sessions"))
	}
	return nil
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// stepResponse tells the client what the next step is.
type stepResponse struct {
	Next      string    `json:"next"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := a.decodeOrRefuse(w, r, "login.password", &req); err != nil {
		return err
	}
	half, err := a.users.Login(r.Context(), req.Email, req.Password, client(r))
	if err != nil {
		return err
	}
	a.cookies.Set(w, half.Secret, half.ExpiresAt)
	httpx.WriteJSON(w, http.StatusOK, stepResponse{Next: "mfa", ExpiresAt: half.ExpiresAt})
	return nil
}

type codeRequest struct {
	Code string `json:"code"`
}

type sessionResponse struct {
	SessionID string    `json:"session_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (a *API) completeMFA(w http.ResponseWriter, r *http.Request) error {
	var req codeRequest
	if err := a.decodeOrRefuse(w, r, "login.mfa", &req); err != nil {
		return err
	}
	full, err := a.users.CompleteMFA(r.Context(), a.cookies.Get(r), req.Code, client(r))
	if err != nil {
		return err
	}
	a.cookies.Set(w, full.Secret, full.ExpiresAt)
	httpx.WriteJSON(w, http.StatusOK, sessionResponse{SessionID: full.ID, ExpiresAt: full.ExpiresAt})
	return nil
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) error {
	if err := a.decodeOrRefuse(w, r, "session.revoke", nil); err != nil {
		return err
	}
	if err := a.users.Logout(r.Context(), a.cookies.Get(r)); err != nil {
		return err
	}
	a.cookies.Clear(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type enrollmentRequest struct {
	Token string `json:"token"`
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
}

func (a *API) startEnrollment(w http.ResponseWriter, r *http.Request) error {
	var req enrollmentRequest
	if err := a.decodeOrRefuse(w, r, "enrollment.start", &req); err != nil {
		return err
	}
	es, err := a.users.StartEnrollment(r.Context(), req.Token, users.Setup{Email: req.Email, Name: req.Name}, client(r))
	if err != nil {
		return err
	}
	a.cookies.Set(w, es.Secret, es.ExpiresAt)
	httpx.WriteJSON(w, http.StatusOK, stepResponse{Next: "password", ExpiresAt: es.ExpiresAt})
	return nil
}

type passwordRequest struct {
	Password string `json:"password"`
}

type totpResponse struct {
	Secret string `json:"totp_secret"`
	URI    string `json:"otpauth_uri"`
	QRCode string `json:"qr_code"`
}

func (a *API) setPassword(w http.ResponseWriter, r *http.Request) error {
	var req passwordRequest
	if err := a.decodeOrRefuse(w, r, "enrollment.password", &req); err != nil {
		return err
	}
	te, err := a.users.SetPassword(r.Context(), a.cookies.Get(r), req.Password, client(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, totpResponse{Secret: te.Secret, URI: te.URI, QRCode: "/api/v1/auth/enrollment/qr.png"})
	return nil
}

func (a *API) enrollmentQR(w http.ResponseWriter, r *http.Request) error {
	if err := a.decodeOrRefuse(w, r, "enrollment.password", nil); err != nil {
		return err
	}
	size := 256
	if v := r.URL.Query().Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 64 || n > 1024 {
			return a.users.Refuse(r.Context(), "enrollment.password", apperr.New(apperr.Invalid, "invalid_size", "size: 64 to 1024 pixels"))
		}
		size = n
	}
	png, err := a.users.EnrollmentQR(r.Context(), a.cookies.Get(r), size, client(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(png)
	return nil
}

type recoveryResponse struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

func (a *API) confirmTOTP(w http.ResponseWriter, r *http.Request) error {
	var req codeRequest
	if err := a.decodeOrRefuse(w, r, "enrollment.complete", &req); err != nil {
		return err
	}
	codes, err := a.users.ConfirmTOTP(r.Context(), a.cookies.Get(r), req.Code, client(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, recoveryResponse{RecoveryCodes: codes})
	return nil
}

type whoamiResponse struct {
	ID        string   `json:"id"`
	Kind      string   `json:"kind"`
	Roles     []string `json:"roles"`
	Team      string   `json:"team,omitempty"`
	SessionID string   `json:"session_id,omitempty"`
	// Elevation attributes (elevation.go): when the user last
	// authenticated, their training attestation and break-glass elevation.
	AuthTime        string `json:"auth_time,omitempty"`
	TrainingUntil   string `json:"training_until,omitempty"`
	BreakGlassID    string `json:"break_glass_id,omitempty"`
	BreakGlassUntil string `json:"break_glass_until,omitempty"`
}

func (a *API) currentSession(w http.ResponseWriter, r *http.Request) error {
	p, err := a.users.Whoami(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, whoamiResponse{ID: p.ID, Kind: string(p.Kind), Roles: p.Roles,
		Team: p.Attributes["team"], SessionID: p.Attributes["session"], AuthTime: p.Attributes["auth_time"],
		TrainingUntil: p.Attributes["training_until"], BreakGlassID: p.Attributes["break_glass_id"],
		BreakGlassUntil: p.Attributes["break_glass_until"]})
	return nil
}

func (a *API) listSessions(w http.ResponseWriter, r *http.Request) error {
	list, err := a.users.ListSessions(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (a *API) listUserSessions(w http.ResponseWriter, r *http.Request) error {
	list, err := a.users.ListUserSessions(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (a *API) revokeSession(w http.ResponseWriter, r *http.Request) error {
	if err := a.users.RevokeSession(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type createUserRequest struct {
	Email string   `json:"email"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
	Team  string   `json:"team,omitempty"`
}

// linkResponse is a single-use link, shown once.
type linkResponse struct {
	Token     string    `json:"token"`
	URL       string    `json:"url"` // path of the enrollment page
	ExpiresAt time.Time `json:"expires_at"`
}

func newLinkResponse(l users.Link) linkResponse {
	return linkResponse{Token: l.Token, URL: "/enroll?token=" + l.Token, ExpiresAt: l.ExpiresAt}
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	var req createUserRequest
	if err := decodeJSON(w, r, a.maxBody, &req); err != nil {
		return a.users.Refuse(r.Context(), "user.create", err)
	}
	u, link, err := a.users.Create(r.Context(), users.NewUser{Email: req.Email, Name: req.Name, Roles: req.Roles, Team: req.Team})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+u.ID)
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"user": u, "enrollment_link": newLinkResponse(link)})
	return nil
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request) error {
	list, err := a.users.List(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (a *API) disableUser(w http.ResponseWriter, r *http.Request) error {
	if err := a.users.Disable(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) newEnrollmentLink(w http.ResponseWriter, r *http.Request) error {
	link, err := a.users.NewEnrollmentLink(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, newLinkResponse(link))
	return nil
}
