package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/httpx"
	"github.com/confide-cc/confide/internal/identity/users"
)

// registerElevation adds re-authentication, break-glass elevation and the
// sensitive user administration routes (MFA reset, role and team changes,
// training attestation, unlock).
func (a *API) registerElevation(handle func(string, func(http.ResponseWriter, *http.Request) error)) {
	handle("POST /api/v1/auth/reauth", a.reauth)
	handle("POST /api/v1/auth/break-glass", a.requestBreakGlass)
	handle("DELETE /api/v1/auth/break-glass/{id}", a.endBreakGlass)
	handle("GET /api/v1/break-glass", a.listBreakGlass)
	handle("POST /api/v1/break-glass/{id}/review", a.reviewBreakGlass)
	handle("PATCH /api/v1/users/{id}", a.updateUser)
	handle("POST /api/v1/users/{id}/mfa-reset", a.resetMFA)
	handle("POST /api/v1/users/{id}/training", a.attestTraining)
	handle("POST /api/v1/users/{id}/unlock", a.unlockUser)
}

type reauthRequest struct {
	Password string `json:"password"`
	Code     string `json:"code"`
}

func (a *API) reauth(w http.ResponseWriter, r *http.Request) error {
	var req reauthRequest
	if err := a.decodeOrRefuse(w, r, "session.reauth", &req); err != nil {
		return err
	}
	out, err := a.users.Reauthenticate(r.Context(), req.Password, req.Code, client(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

type breakGlassRequest struct {
	Reason     string `json:"reason"`
	CustomerID string `json:"customer_id,omitempty"`
	Minutes    int    `json:"minutes,omitempty"`
}

func (a *API) requestBreakGlass(w http.ResponseWriter, r *http.Request) error {
	var req breakGlassRequest
	if err := decodeJSON(w, r, a.maxBody, &req); err != nil {
		return a.users.Refuse(r.Context(), "breakglass.request", err)
	}
	g, err := a.users.RequestBreakGlass(r.Context(), users.BreakGlassRequest{Reason: req.Reason, CustomerID: req.CustomerID, Minutes: req.Minutes})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, g)
	return nil
}

func (a *API) endBreakGlass(w http.ResponseWriter, r *http.Request) error {
	if err := a.users.EndBreakGlass(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listBreakGlass(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := users.GrantFilter{UserID: q.Get("user")}
	switch q.Get("review") {
	case "":
	case "pending":
		f.PendingReview = true
	default:
		return a.users.Refuse(r.Context(), "breakglass.list", apperr.New(apperr.Invalid, "invalid_review", "review: only \"pending\" is supported"))
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return a.users.Refuse(r.Context(), "breakglass.list", apperr.New(apperr.Invalid, "invalid_limit", "limit: 1 to 1000"))
		}
		f.Limit = n
	}
	list, err := a.users.ListBreakGlass(r.Context(), f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

type reviewRequest struct {
	Outcome string `json:"outcome"`
	Note    string `json:"note,omitempty"`
}

func (a *API) reviewBreakGlass(w http.ResponseWriter, r *http.Request) error {
	var req reviewRequest
	if err := decodeJSON(w, r, a.maxBody, &req); err != nil {
		return a.users.Refuse(r.Context(), "breakglass.review", err)
	}
	g, err := a.users.ReviewBreakGlass(r.Context(), r.PathValue("id"), req.Outcome, req.Note)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, g)
	return nil
}

type updateUserRequest struct {
	Roles *[]string `json:"roles,omitempty"`
	Team  *string   `json:"team,omitempty"`
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request) error {
	var req updateUserRequest
	if err := decodeJSON(w, r, a.maxBody, &req); err != nil {
		return a.users.Refuse(r.Context(), "user.update", err)
	}
	u, err := a.users.Update(r.Context(), r.PathValue("id"), users.UserUpdate{Roles: req.Roles, Team: req.Team})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, u)
	return nil
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (a *API) resetMFA(w http.ResponseWriter, r *http.Request) error {
	var req reasonRequest
	if err := decodeJSON(w, r, a.maxBody, &req); err != nil {
		return a.users.Refuse(r.Context(), "user.mfa_reset", err)
	}
	link, err := a.users.ResetMFA(r.Context(), r.PathValue("id"), req.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"enrollment_link": newLinkResponse(link)})
	return nil
}

type trainingRequest struct {
	ExpiresAt time.Time `json:"expires_at"`
}

func (a *API) attestTraining(w http.ResponseWriter, r *http.Request) error {
	var req trainingRequest
	if err := decodeJSON(w, r, a.maxBody, &req); err != nil {
		return a.users.Refuse(r.Context(), "user.training", err)
	}
	until, err := a.users.AttestTraining(r.Context(), r.PathValue("id"), req.ExpiresAt)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"user_id": r.PathValue("id"), "training_until": until})
	return nil
}

func (a *API) unlockUser(w http.ResponseWriter, r *http.Request) error {
	var req reasonRequest
	if err := decodeJSON(w, r, a.maxBody, &req); err != nil {
		return a.users.Refuse(r.Context(), "user.unlock", err)
	}
	if err := a.users.Unlock(r.Context(), r.PathValue("id"), req.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
