// Package notify delivers short messages to customers: one-time
// verification codes by SMS (through an HTTP gateway webhook) or by email
// (SMTP). A Sender's errors never contain the destination or the message,
// so they are safe to log.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"net/url"
)

// Sender delivers message to one destination (an E.164 phone number or an
// email address).
type Sender interface {
	Send(ctx context.Context, to, message string) error
}

// Error is a delivery failure described without the destination or the
// message: the stage that failed and a safe cause.
type Error struct {
	Channel string // "sms" or "email"
	Stage   string // e.g. "connect", "status", "rcpt"
	Detail  string // safe detail (an HTTP or SMTP status code, a network error)
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("%s delivery failed at %s", e.Channel, e.Stage)
	}
	return fmt.Sprintf("%s delivery failed at %s: %s", e.Channel, e.Stage, e.Detail)
}

// safeDetail reduces err to what can be logged: the innermost network or
// protocol error without URLs or server text that might echo the
// destination.
func safeDetail(err error) string {
	if err == nil {
		return ""
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	if errors.Is(err, context.Canceled) {
		return "cancelled"
	}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return fmt.Sprintf("status %d", tp.Code)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "timeout"
		}
		err = ue.Err
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	s := err.Error()
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
