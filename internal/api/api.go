package api

import (
	"context"
	"embed"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/httpx"
	"github.com/confide-cc/confide/internal/identity/tokens"
	"github.com/confide-cc/confide/internal/identity/users"
	"github.com/confide-cc/confide/internal/monitor"
	"github.com/confide-cc/confide/internal/records"
)

//go:embed openapi.json
var openapiFS embed.FS

// OpenAPI returns the OpenAPI 3.1 description of the API.
func OpenAPI() []byte {
	b, err := openapiFS.ReadFile("openapi.json")
	if err != nil {
		panic(err) // embedded at build time
	}
	return b
}

// API serves /api/v1.
type API struct {
	svc      *records.Service
	tokens   *tokens.Service
	log      *slog.Logger
	maxBody  int64
	auditLog *audit.Log       // see WithAuditLog
	monitor  *monitor.Service // see WithMonitor
	users    *users.Service   // see WithUsers
	verifier *records.Verifier
	cookies  httpx.Cookies
}

// New returns an API over the domain services. maxBody bounds JSON request
// bodies.
func New(svc *records.Service, tok *tokens.Service, log *slog.Logger, maxBody int64) *API {
	return &API{svc: svc, tokens: tok, log: log, maxBody: maxBody}
}

// Register adds the API's routes to mux; protect wraps each authenticated
// handler (authentication, route observation).
func (a *API) Register(mux *http.ServeMux, protect func(http.Handler) http.Handler) {
	handle := func(pattern string, h func(http.ResponseWriter, *http.Request) error) {
		mux.Handle(pattern, protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := h(w, r); err != nil {
				httpx.WriteError(w, r, a.log, err)
			}
		})))
	}
	mux.Handle("GET /api/v1/openapi.json", httpx.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(OpenAPI())
	})))
	handle("POST /api/v1/customers", a.createCustomer)
	handle("GET /api/v1/customers", a.searchCustomers)
	handle("GET /api/v1/customers/{id}", a.getCustomer)
	handle("PATCH /api/v1/customers/{id}", a.updateCustomer)
	handle("DELETE /api/v1/customers/{id}", a.eraseCustomer)
	handle("POST /api/v1/customers/{id}/reveal", a.revealCustomer)
	handle("GET /api/v1/customers/{id}/interactions", a.listInteractions)
	handle("POST /api/v1/interactions", a.createInteraction)
	handle("GET /api/v1/interactions/{id}", a.getInteraction)
	handle("PUT /api/v1/interactions/{id}/recording", a.uploadRecording)
	handle("GET /api/v1/interactions/{id}/recording", a.playRecording)
	handle("GET /api/v1/interactions/{id}/recording/original", a.playOriginalRecording)
	handle("GET /api/v1/interactions/{id}/attachments/{aid}", a.downloadAttachment)
	handle("POST /api/v1/tokens", a.createToken)
	handle("GET /api/v1/tokens", a.listTokens)
	handle("DELETE /api/v1/tokens/{id}", a.revokeToken)
	a.registerAudit(handle)
	a.registerAlerts(handle)
	a.registerVerification(handle)
	a.registerIdentity(mux, handle)
	a.registerWebAuthn(mux, handle)
	a.registerElevation(handle)
	handle("/api/v1/", func(w http.ResponseWriter, r *http.Request) error {
		if allow := allowedMethods(mux, r); len(allow) > 0 {
			if err := a.svc.AuditRefused(r.Context(), "method not allowed", "method_not_allowed"); err != nil {
				return err
			}
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return apperr.New(apperr.MethodNotAllowed, "method_not_allowed", "%s is not allowed here (allowed: %s)", truncate(r.Method, 16), strings.Join(allow, ", "))
		}
		if err := a.svc.AuditRefused(r.Context(), "unknown route", "no_such_route"); err != nil {
			return err
		}
		return apperr.New(apperr.NotFound, "no_such_route", "no such API route")
	})
}

// allowedMethods returns the methods with which some route other than the
// catch-all serves r's path: a request with another method is 405, not 404.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/api/v1/" {
			allow = append(allow, m)
		}
	}
	return allow
}

type idResponse struct {
	ID string `json:"id"`
}

func (a *API) rejected(ctx context.Context, action authz.Action, resource string, err error) error {
	if aerr := a.svc.AuditRejected(ctx, action, resource, audit.Invalid, apperr.As(err).Code); aerr != nil {
		return aerr
	}
	return err
}

func (a *API) createCustomer(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.Precheck(r.Context(), authz.CustomerCreate, "customer"); err != nil {
		return err
	}
	var p records.Profile
	if err := decodeJSON(w, r, a.maxBody, &p); err != nil {
		return a.rejected(r.Context(), authz.CustomerCreate, "customer", err)
	}
	id, err := a.svc.CreateCustomer(r.Context(), p)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/customers/"+id)
	httpx.WriteJSON(w, http.StatusCreated, idResponse{ID: id})
	return nil
}

func (a *API) searchCustomers(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.Precheck(r.Context(), authz.CustomerSearch, "customer"); err != nil {
		return err
	}
	q := r.URL.Query()
	for k := range q {
		if k != "phone" && k != "email" {
			return a.rejected(r.Context(), authz.CustomerSearch, "customer", apperr.New(apperr.Invalid, "invalid_query", "unknown query parameter %q (use phone or email)", truncate(k, 32)))
		}
	}
	cs, err := a.svc.SearchCustomers(r.Context(), q.Get("phone"), q.Get("email"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": cs})
	return nil
}

func (a *API) getCustomer(w http.ResponseWriter, r *http.Request) error {
	c, err := a.svc.GetCustomer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) updateCustomer(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := a.svc.Precheck(r.Context(), authz.CustomerUpdate, "customer/"+id); err != nil {
		return err
	}
	var patch map[string]json.RawMessage
	if err := decodeJSON(w, r, a.maxBody, &patch, "application/merge-patch+json"); err != nil {
		return a.rejected(r.Context(), authz.CustomerUpdate, "customer/"+id, err)
	}
	c, err := a.svc.UpdateCustomer(r.Context(), id, patch)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) revealCustomer(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := a.svc.Precheck(r.Context(), authz.CustomerReveal, "customer/"+id); err != nil {
		return err
	}
	var req records.RevealRequest
	if err := decodeJSON(w, r, a.maxBody, &req); err != nil {
		return a.rejected(r.Context(), authz.CustomerReveal, "customer/"+id, err)
	}
	c, err := a.svc.RevealCustomer(r.Context(), id, req)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) eraseCustomer(w http.ResponseWriter, r *http.Request) error {
	rc, err := a.svc.EraseCustomer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rc)
	return nil
}

func (a *API) listInteractions(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := a.svc.Precheck(r.Context(), authz.InteractionList, "customer/"+id); err != nil {
		return err
	}
	limit := 0
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return a.rejected(r.Context(), authz.InteractionList, "customer/"+id, apperr.New(apperr.Invalid, "invalid_limit", "limit: must be an integer"))
		}
		limit = n
		if n == 0 {
			limit = -1 // explicit 0 is invalid
		}
	}
	page, err := a.svc.ListInteractions(r.Context(), id, r.URL.Query().Get("after"), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, page)
	return nil
}

func (a *API) createInteraction(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.Precheck(r.Context(), authz.InteractionCreate, "interaction"); err != nil {
		return err
	}
	var in records.InteractionInput
	if err := decodeJSON(w, r, a.maxBody, &in); err != nil {
		return a.rejected(r.Context(), authz.InteractionCreate, "interaction", err)
	}
	id, err := a.svc.CreateInteraction(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/interactions/"+id)
	httpx.WriteJSON(w, http.StatusCreated, idResponse{ID: id})
	return nil
}

func (a *API) getInteraction(w http.ResponseWriter, r *http.Request) error {
	in, err := a.svc.GetInteraction(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, in)
	return nil
}

func (a *API) uploadRecording(w http.ResponseWriter, r *http.Request) error {
	info, err := a.svc.UploadRecording(r.Context(), r.PathValue("id"), r.Header.Get("Content-Type"), r.Body)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, info)
	return nil
}

func (a *API) playRecording(w http.ResponseWriter, r *http.Request) error {
	pb, err := a.svc.OpenRecording(r.Context(), r.PathValue("id"), r.Header.Get("Range"))
	if err != nil {
		return err
	}
	defer pb.Close()
	a.serveBlob(w, r, pb, "inline")
	return nil
}

// playOriginalRecording serves the unredacted original of a redacted
// recording to a privacy officer; the reason comes in X-Confide-Reason.
func (a *API) playOriginalRecording(w http.ResponseWriter, r *http.Request) error {
	pb, err := a.svc.OpenOriginalRecording(r.Context(), r.PathValue("id"), r.Header.Get("X-Confide-Reason"), r.Header.Get("Range"))
	if err != nil {
		return err
	}
	defer pb.Close()
	a.serveBlob(w, r, pb, "attachment")
	return nil
}

func (a *API) downloadAttachment(w http.ResponseWriter, r *http.Request) error {
	pb, err := a.svc.OpenAttachment(r.Context(), r.PathValue("id"), r.PathValue("aid"), r.Header.Get("Range"))
	if err != nil {
		return err
	}
	defer pb.Close()
	a.serveBlob(w, r, pb, "attachment")
	return nil
}

// serveBlob streams a decrypted blob with HTTP Range support; only the
// segments covering the requested ranges are decrypted.
func (a *API) serveBlob(w http.ResponseWriter, r *http.Request, pb *records.Playback, disposition string) {
	ct := pb.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", disposition)
	// RFC 9110 §14.2: a Range with a unit other than bytes is ignored, not
	// refused (net/http would answer 416).
	if rng := r.Header.Get("Range"); rng != "" && !strings.HasPrefix(rng, "bytes=") {
		r.Header.Del("Range")
	}
	http.ServeContent(&rangeErrors{ResponseWriter: w, r: r, a: a, size: pb.Size}, r, "", pb.ModTime, pb)
}

// rangeErrors turns net/http's plain-text 416 into Confide's JSON error,
// keeping the Content-Range header that names the size.
type rangeErrors struct {
	http.ResponseWriter
	r       *http.Request
	a       *API
	size    int64
	swallow bool
}

func (w *rangeErrors) WriteHeader(code int) {
	if code != http.StatusRequestedRangeNotSatisfiable {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.swallow = true
	if w.Header().Get("Content-Range") == "" { // net/http sets it only when no range overlaps
		w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(w.size, 10))
	}
	httpx.WriteError(w.ResponseWriter, w.r, w.a.log, apperr.New(apperr.RangeNotSatisfiable, "range_not_satisfiable",
		"Range: malformed, or no range overlaps the %d bytes of content", w.size))
}

func (w *rangeErrors) Write(p []byte) (int, error) {
	if w.swallow {
		return len(p), nil // net/http's plain-text message
	}
	return w.ResponseWriter.Write(p)
}

func (w *rangeErrors) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Audited token actions (authorization is TokenManage for all three).
const (
	actionTokenCreate authz.Action = "token.create"
	actionTokenList   authz.Action = "token.list"
	actionTokenRevoke authz.Action = "token.revoke"
)

type tokenRequest struct {
	Name     string   `json:"name"`
	Role     string   `json:"role"`
	Networks []string `json:"networks"` // CIDR prefixes or addresses; none means any address
}

type tokenView struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	Networks   []string   `json:"networks"`        // empty: usable from any address
	Token      string     `json:"token,omitempty"` // only in the creation response
}

// requireTokenAdmin checks that the caller may manage tokens; a refusal is
// audited under the attempted action.
func (a *API) requireTokenAdmin(r *http.Request, action authz.Action, resource string) error {
	if d := authz.Check(r.Context(), authz.TokenManage, authz.Resource{Kind: "token"}, false); !d.Allow {
		if err := a.svc.AuditRejected(r.Context(), action, resource, audit.Denied, d.Reason); err != nil {
			return err
		}
		return apperr.New(apperr.Forbidden, "forbidden", "not permitted: %s", d.Reason)
	}
	return nil
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) error {
	if err := a.requireTokenAdmin(r, actionTokenCreate, "token"); err != nil {
		return err
	}
	var req tokenRequest
	if err := decodeJSON(w, r, a.maxBody, &req); err != nil {
		return a.rejected(r.Context(), actionTokenCreate, "token", err)
	}
	secret, t, err := a.tokens.CreateWithNetworks(r.Context(), req.Name, req.Role, req.Networks)
	if err != nil {
		return err
	}
	v := viewToken(t)
	v.Token = secret
	httpx.WriteJSON(w, http.StatusCreated, v)
	return nil
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) error {
	if err := a.requireTokenAdmin(r, actionTokenList, "token"); err != nil {
		return err
	}
	ts, err := a.tokens.List(r.Context())
	if err != nil {
		return err
	}
	out := make([]tokenView, len(ts))
	for i, t := range ts {
		out[i] = viewToken(t)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := a.requireTokenAdmin(r, actionTokenRevoke, "token/"+id); err != nil {
		return err
	}
	if err := a.tokens.Revoke(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
