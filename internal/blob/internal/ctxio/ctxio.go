// Package ctxio makes a blocking io.Reader honour context cancellation
// between reads, so a Put streaming from a slow or endless source stops
// soon after its context is done.
package ctxio

import (
	"context"
	"io"
)

// NewReader returns a reader that reads from r until ctx is done, after
// which every Read returns ctx.Err() without calling r. A Read already
// blocked in r is not interrupted.
func NewReader(ctx context.Context, r io.Reader) io.Reader {
	return &reader{ctx: ctx, r: r}
}

type reader struct {
	ctx context.Context
	r   io.Reader
}

func (r *reader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
