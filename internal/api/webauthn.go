package api

import (
	"encoding/json"
	"net/http"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/httpx"
)

// maxWebAuthnBody bounds a WebAuthn response body: attestation objects of
// real authenticators are a few kilobytes.
const maxWebAuthnBody = 64 << 10

// registerWebAuthn adds the passkey routes (docs/IDENTITY.md). The
// ceremony steps are public like the other sign-in steps: the session
// cookie they need (enrollment, half or full) is checked by the users
// service; they refuse cross-origin requests and bearer tokens.
func (a *API) registerWebAuthn(mux *http.ServeMux, handle func(string, func(http.ResponseWriter, *http.Request) error)) {
	public := a.publicRoutes(mux)
	public("POST /api/v1/auth/webauthn/register/begin", "webauthn.register", a.beginPasskeyRegistration)
	public("POST /api/v1/auth/webauthn/register/finish", "webauthn.register", a.finishPasskeyRegistration)
	public("POST /api/v1/auth/webauthn/login/begin", "login.webauthn", a.beginPasskeyLogin)
	public("POST /api/v1/auth/webauthn/login/finish", "login.webauthn", a.finishPasskeyLogin)
	public("POST /api/v1/auth/enrollment/complete", "enrollment.complete", a.completeEnrollment)
	handle("GET /api/v1/auth/webauthn/credentials", a.listPasskeys)
	handle("DELETE /api/v1/auth/webauthn/credentials/{id}", a.removePasskey)
	handle("POST /api/v1/auth/reauth/webauthn/begin", a.beginPasskeyReauth)
	handle("POST /api/v1/auth/reauth/webauthn/finish", a.finishPasskeyReauth)
}

// passkeyResponse is what the browser sends back from
// navigator.credentials.create or .get: the PublicKeyCredential as JSON
// (binary members base64url), and for a registration the user's label.
type passkeyResponse struct {
	Name       string          `json:"name,omitempty"`
	Credential json.RawMessage `json:"credential"`
}

// decodePasskeyResponse reads a passkeyResponse, refusing (and auditing
// as action) bodies that are not one.
func (a *API) decodePasskeyResponse(w http.ResponseWriter, r *http.Request, action string, named bool) (passkeyResponse, error) {
	var req passkeyResponse
	if err := decodeJSON(w, r, maxWebAuthnBody, &req); err != nil {
		return req, a.users.Refuse(r.Context(), action, err)
	}
	if err := a.decodeOrRefuse(w, r, action, nil); err != nil {
		return req, err
	}
	var obj map[string]json.RawMessage
	if len(req.Credential) == 0 || json.Unmarshal(req.Credential, &obj) != nil {
		return req, a.users.Refuse(r.Context(), action, apperr.New(apperr.Invalid, "invalid_credential", "credential: the PublicKeyCredential as a JSON object is required"))
	}
	if !named && req.Name != "" {
		return req, a.users.Refuse(r.Context(), action, apperr.New(apperr.Invalid, "unknown_field", "name: only for a registration"))
	}
	return req, nil
}

// writeOptions sends ceremony options produced by go-webauthn as they are.
func writeOptions(w http.ResponseWriter, options json.RawMessage) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(options)
	w.Write([]byte("\n"))
}

func (a *API) beginPasskeyRegistration(w http.ResponseWriter, r *http.Request) error {
	if err := a.decodeOrRefuse(w, r, "webauthn.register", nil); err != nil {
		return err
	}
	opts, err := a.users.BeginPasskeyRegistration(r.Context(), a.cookies.Get(r), client(r))
	if err != nil {
		return err
	}
	writeOptions(w, opts)
	return nil
}

func (a *API) finishPasskeyRegistration(w http.ResponseWriter, r *http.Request) error {
	req, err := a.decodePasskeyResponse(w, r, "webauthn.register", true)
	if err != nil {
		return err
	}
	pk, err := a.users.FinishPasskeyRegistration(r.Context(), a.cookies.Get(r), req.Name, req.Credential, client(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, pk)
	return nil
}

func (a *API) beginPasskeyLogin(w http.ResponseWriter, r *http.Request) error {
	if err := a.decodeOrRefuse(w, r, "login.webauthn", nil); err != nil {
		return err
	}
	opts, err := a.users.BeginPasskeyLogin(r.Context(), a.cookies.Get(r), client(r))
	if err != nil {
		return err
	}
	writeOptions(w, opts)
	return nil
}

func (a *API) finishPasskeyLogin(w http.ResponseWriter, r *http.Request) error {
	req, err := a.decodePasskeyResponse(w, r, "login.webauthn", false)
	if err != nil {
		return err
	}
	full, err := a.users.FinishPasskeyLogin(r.Context(), a.cookies.Get(r), req.Credential, client(r))
	if err != nil {
		return err
	}
	a.cookies.Set(w, full.Secret, full.ExpiresAt)
	httpx.WriteJSON(w, http.StatusOK, sessionResponse{SessionID: full.ID, ExpiresAt: full.ExpiresAt})
	return nil
}

func (a *API) completeEnrollment(w http.ResponseWriter, r *http.Request) error {
	if err := a.decodeOrRefuse(w, r, "enrollment.complete", nil); err != nil {
		return err
	}
	codes, err := a.users.CompleteEnrollment(r.Context(), a.cookies.Get(r), client(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, recoveryResponse{RecoveryCodes: codes})
	return nil
}

func (a *API) listPasskeys(w http.ResponseWriter, r *http.Request) error {
	list, err := a.users.ListPasskeys(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (a *API) removePasskey(w http.ResponseWriter, r *http.Request) error {
	if err := a.users.RemovePasskey(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) beginPasskeyReauth(w http.ResponseWriter, r *http.Request) error {
	if err := a.decodeOrRefuse(w, r, "session.reauth", nil); err != nil {
		return err
	}
	opts, err := a.users.BeginPasskeyReauth(r.Context(), client(r))
	if err != nil {
		return err
	}
	writeOptions(w, opts)
	return nil
}

// passkeyReauthRequest is the password and the browser's assertion.
type passkeyReauthRequest struct {
	Password   string          `json:"password"`
	Credential json.RawMessage `json:"credential"`
}

func (a *API) finishPasskeyReauth(w http.ResponseWriter, r *http.Request) error {
	var req passkeyReauthRequest
	if err := decodeJSON(w, r, maxWebAuthnBody, &req); err != nil {
		return a.users.Refuse(r.Context(), "session.reauth", err)
	}
	if err := a.decodeOrRefuse(w, r, "session.reauth", nil); err != nil {
		return err
	}
	var obj map[string]json.RawMessage
	if len(req.Credential) == 0 || json.Unmarshal(req.Credential, &obj) != nil {
		return a.users.Refuse(r.Context(), "session.reauth", apperr.New(apperr.Invalid, "invalid_credential", "credential: the PublicKeyCredential as a JSON object is required"))
	}
	out, err := a.users.FinishPasskeyReauth(r.Context(), req.Password, req.Credential, client(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
