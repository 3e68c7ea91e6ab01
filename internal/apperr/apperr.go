// Package apperr defines errors that are safe to show to users: each has a
// kind (mapped to an HTTP status in one place, httpx), a stable
// machine-readable code and a message that never contains customer data.
// The underlying cause, if any, is kept for logs only.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for transport mapping.
type Kind int

// Kinds.
const (
	Internal            Kind = iota // 500: details only in the log
	Invalid                         // 400: bad input
	Unauthenticated                 // 401
	Forbidden                       // 403: the principal may not do this (for actions that create or change)
	NotFound                        // 404: also what an unauthorized read looks like
	Conflict                        // 409
	TooLarge                        // 413
	UnsupportedMedia                // 415
	Unprocessable                   // 422: well-formed but refers to something that is not there
	RangeNotSatisfiable             // 416
	Unavailable                     // 503
	TooManyRequests                 // 429: a client exceeded a rate limit
	MethodNotAllowed                // 405: the route exists, not with this method
	Gone                            // 410: the resource existed and was removed (for example by retention)
)

// Error is a user-safe error.
type Error struct {
	Kind    Kind
	Code    string // stable, e.g. "invalid_phone", "not_found"
	Message string // safe to show: never quotes customer data
	Err     error  // cause, for logs
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of kind with a code and a user-safe message.
func New(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an internal error carrying cause for the log; users see only
// a generic message.
func Wrap(cause error, format string, args ...any) *Error {
	return &Error{Kind: Internal, Code: "internal", Message: fmt.Sprintf(format, args...), Err: cause}
}

// As returns the *Error in err's chain, or an Internal error wrapping err.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: Internal, Code: "internal", Message: "internal error", Err: err}
}

// KindOf returns the kind of err (Internal if err is not an *Error).
func KindOf(err error) Kind { return As(err).Kind }

// NotFoundErr is the error for a missing (or invisible) resource. It is the
// same whether the resource does not exist or the caller may not see it.
func NotFoundErr(what string) *Error {
	return New(NotFound, "not_found", "%s not found", what)
}

// WithCause sets the error's cause (for logs) and returns e.
func (e *Error) WithCause(err error) *Error {
	e.Err = err
	return e
}
