// Package httpx holds Confide's HTTP plumbing: request ids, client origin,
// authentication of bearer tokens, security headers, metrics, access logs,
// panic recovery and the one place where errors become HTTP statuses.
package httpx

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
)

// Status maps an error kind to its HTTP status.
func Status(k apperr.Kind) int {
	switch k {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.UnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case apperr.Unprocessable:
		return http.StatusUnprocessableEntity
	case apperr.RangeNotSatisfiable:
		return http.StatusRequestedRangeNotSatisfiable
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	case apperr.TooManyRequests:
		return http.StatusTooManyRequests
	case apperr.MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case apperr.Gone:
		return http.StatusGone
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes an error to the client.
type ErrorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

// WriteError writes err as a JSON error response. Internal errors are
// logged with their cause and shown to the client only as a generic message
// with the request id.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	ae := apperr.As(err)
	status := Status(ae.Kind)
	msg := ae.Message
	if status >= 500 {
		log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("request_id", audit.RequestFrom(r.Context()).ID),
			slog.String("code", ae.Code), slog.String("err", ae.Error()))
		if ae.Kind == apperr.Internal {
			msg = "internal error; quote the request id to your administrator"
		}
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="confide"`)
	}
	WriteJSON(w, status, ErrorBody{Error: ErrorDetail{Code: ae.Code, Message: msg, RequestID: audit.RequestFrom(r.Context()).ID}})
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v) // the client may be gone; nothing useful to do
}
