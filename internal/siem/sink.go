package siem

import (
	"context"
	"time"
)

// A Sink delivers batches of audit records to one destination. A Runner
// calls Send from one goroutine at a time.
type Sink interface {
	// Name identifies the sink and its cursor: the kind and the
	// destination without credentials, e.g. "syslog:tcp+tls://siem:6514".
	// A sink with a new name starts from the first audit record.
	Name() string
	// Send delivers records, in order. It returns nil once the destination
	// has taken all of them, as far as its protocol can tell; on error the
	// Runner sends the whole batch again later.
	Send(ctx context.Context, records []Record) error
	// Close releases the sink's connections and files.
	Close() error
}

// retryAfterError is an error that says when to try again (an HTTP 429
// or 503 with Retry-After).
type retryAfterError interface {
	error
	RetryAfter() time.Duration
}
