package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"time"
)

// tally is what one worker observed. Each worker owns one; they are merged
// when the run ends.
type tally struct {
	latency   *recorder // closed loop: from send; open loop: from the scheduled time
	service   *recorder // open loop only: from the actual send
	statuses  map[int]int64
	failures  map[string]int64 // requests that got no HTTP response, by kind
	firstErr  error            // the first such failure, for diagnosis
	refusal   string           // the first non-2xx status and body, for diagnosis
	bodyBytes int64
	requests  int64
}

func newTally(seed uint64) *tally {
	return &tally{
		latency:  newRecorder(seed),
		service:  newRecorder(seed + 1),
		statuses: map[int]int64{},
		failures: map[string]int64{},
	}
}

// send makes one request and records its outcome. latency is measured from
// from (the scheduled time in an open loop), service time from the send.
func (t *tally) send(ctx context.Context, c *client, r request, from time.Time, openLoop bool) {
	t.requests++
	t.bodyBytes += int64(len(r.body))
	sent := time.Now()
	code, refusal, err := c.exchange(ctx, r)
	done := time.Now()
	if err != nil {
		kind := failureKind(err)
		t.failures[kind]++
		if t.firstErr == nil {
			t.firstErr = err
		}
		return
	}
	t.statuses[code]++
	if t.refusal == "" {
		t.refusal = refusal
	}
	t.latency.add(done.Sub(from))
	if openLoop {
		t.service.add(done.Sub(sent))
	}
}

func (t *tally) merge(o *tally) {
	t.latency.merge(o.latency)
	t.service.merge(o.service)
	for k, v := range o.statuses {
		t.statuses[k] += v
	}
	for k, v := range o.failures {
		t.failures[k] += v
	}
	if t.firstErr == nil {
		t.firstErr = o.firstErr
	}
	if t.refusal == "" {
		t.refusal = o.refusal
	}
	t.bodyBytes += o.bodyBytes
	t.requests += o.requests
}

// failureKind names why a request got no response, without the request's
// URL (which holds customer IDs).
func failureKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	return "other"
}

// withoutURL strips the request URL from an HTTP client error.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func mergeTallies(ts []*tally) *tally {
	all := ts[0]
	for _, t := range ts[1:] {
		all.merge(t)
	}
	return all
}
