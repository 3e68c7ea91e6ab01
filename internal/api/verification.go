package api

import (
	"net/http"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/httpx"
	"github.com/confide-cc/confide/internal/records"
)

// WithVerification makes the API serve caller verification over v.
func (a *API) WithVerification(v *records.Verifier) *API {
	a.verifier = v
	return a
}

// registerVerification adds caller identity verification and the end of
// an interaction (docs/VERIFICATION.md). The services authorize and audit.
func (a *API) registerVerification(handle func(string, func(http.ResponseWriter, *http.Request) error)) {
	handle("POST /api/v1/interactions/{id}/verification", a.startVerification)
	handle("POST /api/v1/interactions/{id}/verification/{vid}/check", a.checkVerification)
	handle("POST /api/v1/interactions/{id}/end", a.endInteraction)
}

func (a *API) verifierService() (*records.Verifier, error) {
	if a.verifier == nil {
		return nil, apperr.New(apperr.Unavailable, "verification_unavailable", "caller verification is not served by this node")
	}
	return a.verifier, nil
}

func (a *API) startVerification(w http.ResponseWriter, r *http.Request) error {
	v, err := a.verifierService()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := a.svc.Precheck(r.Context(), authz.VerificationStart, "interaction/"+id); err != nil {
		return err
	}
	var req records.StartVerificationRequest
	if err := decodeJSON(w, r, a.maxBody, &req); err != nil {
		return a.rejected(r.Context(), authz.VerificationStart, "interaction/"+id, err)
	}
	out, err := v.StartVerification(r.Context(), id, req)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, out)
	return nil
}

type checkRequest struct {
	Code string `json:"code"`
}

func (a *API) checkVerification(w http.ResponseWriter, r *http.Request) error {
	v, err := a.verifierService()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := a.svc.Precheck(r.Context(), authz.VerificationCheck, "interaction/"+id); err != nil {
		return err
	}
	var req checkRequest
	if err := decodeJSON(w, r, a.maxBody, &req); err != nil {
		return a.rejected(r.Context(), authz.VerificationCheck, "interaction/"+id, err)
	}
	out, err := v.CheckCode(r.Context(), id, r.PathValue("vid"), req.Code)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) endInteraction(w http.ResponseWriter, r *http.Request) error {
	out, err := a.svc.EndInteraction(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
