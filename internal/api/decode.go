// Package api implements Confide's JSON REST API (/api/v1). Handlers are
// thin: decode, call the domain service, encode. Errors become statuses in
// httpx.WriteError.
package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/confide-cc/confide/internal/apperr"
)

// decodeJSON strictly decodes a single JSON object from the request body
// into v: the content type must be application/json (or one of also), the
// body at most maxBytes, unknown fields and trailing data are rejected.
// Error messages name the problem and position, never the content.
func decodeJSON(w http.ResponseWriter, r *http.Request, maxBytes int64, v any, also ...string) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !slices.Contains(also, mt)) {
		return apperr.New(apperr.UnsupportedMedia, "unsupported_media_type", "Content-Type: must be %s", strings.Join(append([]string{"application/json"}, also...), " or "))
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeErr(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return decodeErr(err)
		}
		return apperr.New(apperr.Invalid, "malformed_json", "body: unexpected data after the JSON object")
	}
	return nil
}

func decodeErr(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return apperr.New(apperr.TooLarge, "too_large", "body: larger than %d bytes", mbe.Limit)
	case errors.As(err, &syn):
		return apperr.New(apperr.Invalid, "malformed_json", "body: malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return apperr.New(apperr.Invalid, "invalid_type", "%s: wrong type (expected %s)", truncate(field, 64), typ.Type.String())
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "malformed_json", "body: empty; a JSON object is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "malformed_json", "body: truncated JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return apperr.New(apperr.Invalid, "unknown_field", "body: unknown field %s", truncate(strings.TrimPrefix(err.Error(), "json: unknown field "), 64))
	}
	// Other decoder errors (for example a time that is not RFC 3339).
	var pe interface{ Error() string }
	if errors.As(err, &pe) && strings.Contains(err.Error(), "parsing time") {
		return apperr.New(apperr.Invalid, "invalid_time", "body: times must be RFC 3339 (e.g. 2026-01-02T15:04:05Z)")
	}
	return apperr.New(apperr.Invalid, "malformed_json", "body: not a valid request object").WithCause(err)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
