// Command confide-load sends bounded HTTP load to a Confide server on this
// machine and reports throughput and latency quantiles.
//
// It targets loopback addresses only, and every run stops by itself: after
// --duration or --max-requests, whichever comes first, plus at most one
// --timeout for the requests still in flight. Three modes:
//
//	health  GET /healthz, the floor set by HTTP handling alone
//	ingest  POST /api/v1/interactions, each with a call transcript of about
//	        --transcript-bytes, one of 1,024 bodies prepared before the run
//	        (needs an integration token)
//	read    GET /api/v1/customers/{id}, in random order over --customers
//	        customers created before the run (needs an agent or integration token)
//
// Without --rate the load is a closed loop: --concurrency workers each send
// the next request when the previous one is answered, which measures the
// most the server sustains. With --rate it is an open loop: requests are
// scheduled at a constant rate whatever the server does, and latency counts
// from each request's scheduled time, so a stall is charged to every request
// it delayed (no coordinated omission).
//
// Quantiles are exact up to 10^6 latencies per run and come from a uniform
// sample of 10^6 beyond that; the maximum is always exact.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one load run and returns the exit code: 0 when the run
// completed (whatever the server answered), 1 when it could not run, 2 for a
// bad command line.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "confide-load: %v\n", err)
		return 2
	}
	c := newClient(o)
	defer c.close()

	setupStart := time.Now()
	w, err := newWorkload(ctx, c, o)
	if err != nil {
		fmt.Fprintf(stderr, "confide-load: setup: %v\n", withoutURL(err))
		return 1
	}
	setup := time.Since(setupStart)

	cpu0 := processCPUTime()
	var out outcome
	if o.openLoop() {
		out = openLoop(ctx, c, w, o)
	} else {
		out = closedLoop(ctx, c, w, o)
	}
	out.clientCPU = processCPUTime() - cpu0
	if out.tally.firstErr != nil {
		fmt.Fprintf(stderr, "confide-load: first request without an answer: %v\n", withoutURL(out.tally.firstErr))
	}
	if out.tally.refusal != "" {
		fmt.Fprintf(stderr, "confide-load: first refusal: %s\n", out.tally.refusal)
	}

	r := newReport(o, setup, out)
	if o.json {
		err = r.writeJSON(stdout)
	} else {
		err = r.writeText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "confide-load: writing the report: %v\n", err)
		return 1
	}
	return 0
}
