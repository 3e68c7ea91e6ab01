package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"
)

// Modes of load.
const (
	modeHealth = "health" // GET /healthz: the server's floor (HTTP, routing, JSON)
	modeIngest = "ingest" // POST /api/v1/interactions with a call transcript
	modeRead   = "read"   // GET /api/v1/customers/{id} over pre-created customers
)

// Bounds that keep a run finite and the tool from exhausting the machine.
const (
	maxDuration      = time.Hour
	maxConcurrency   = 4096
	maxRate          = 1_000_000
	maxCustomers     = 1_000_000
	maxTranscriptLen = 4 << 20
)

// options is a validated command line.
type options struct {
	base               *url.URL
	token              string
	mode               string
	duration           time.Duration
	concurrency        int     // closed loop: workers; open loop: most requests in flight
	rate               float64 // requests per second; 0 means closed loop
	maxRequests        int64
	customers          int
	transcriptBytes    int
	timeout            time.Duration // per request
	insecureSkipVerify bool
	seed               uint64
	json               bool
}

// openLoop reports whether requests are sent at a fixed rate rather than as
// fast as the workers go.
func (o options) openLoop() bool { return o.rate > 0 }

// parseOptions parses and validates args. Usage and errors go to stderr.
func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("confide-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: confide-load --url URL --mode health|ingest|read [flags]\n\n"+
			"Sends bounded load to a Confide server on this machine and reports\n"+
			"throughput and latency quantiles. Closed loop (--concurrency workers, as\n"+
			"fast as they go) unless --rate is given (open loop: requests scheduled at\n"+
			"a constant rate, latency measured from the scheduled time).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	var (
		o         options
		rawURL    string
		tokenFile string
		concSet   bool
	)
	fs.StringVar(&rawURL, "url", "", "base URL of the server; must be loopback (http://127.0.0.1:8443)")
	fs.StringVar(&o.token, "token", "", "API token (integration role for ingest; agent or integration for read)")
	fs.StringVar(&tokenFile, "token-file", "", "read the API token from this file instead of --token")
	fs.StringVar(&o.mode, "mode", modeHealth, "load to send: health, ingest or read")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to send load (at most 1h)")
	fs.IntVar(&o.concurrency, "concurrency", 16, "closed loop: concurrent workers; open loop: most requests in flight (256 unless given)")
	fs.Float64Var(&o.rate, "rate", 0, "open loop: requests per second, sent on a fixed schedule (0: closed loop)")
	fs.Int64Var(&o.maxRequests, "max-requests", 10_000_000, "stop after this many requests even if --duration has not passed")
	fs.IntVar(&o.customers, "customers", 1000, "customers created before the run (read: the ones read; ingest: the ones interactions belong to)")
	fs.IntVar(&o.transcriptBytes, "transcript-bytes", 4096, "ingest: approximate size of each call transcript, in bytes of JSON")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.BoolVar(&o.insecureSkipVerify, "insecure-skip-verify", false, "accept the server's TLS certificate without verifying it (self-signed)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the random choices (customers read, transcript contents)")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) { concSet = concSet || f.Name == "concurrency" })
	if !concSet && o.rate > 0 {
		o.concurrency = 256 // room for in-flight requests when the server stalls
	}

	if rawURL == "" {
		return options{}, errors.New("--url is required")
	}
	var err error
	if o.base, err = parseLoopbackURL(rawURL); err != nil {
		return options{}, err
	}
	if o.token, err = readToken(o.token, tokenFile); err != nil {
		return options{}, err
	}
	return o, o.validate()
}

// readToken returns the token given inline or read from file (one of them).
func readToken(inline, file string) (string, error) {
	if file == "" {
		return inline, nil
	}
	if inline != "" {
		return "", errors.New("give --token or --token-file, not both")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("--token-file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func (o options) validate() error {
	switch o.mode {
	case modeHealth:
	case modeIngest, modeRead:
		if o.token == "" {
			return fmt.Errorf("--mode %s needs --token or --token-file", o.mode)
		}
		if o.customers < 1 || o.customers > maxCustomers {
			return fmt.Errorf("--customers: must be from 1 to %d", maxCustomers)
		}
	default:
		return fmt.Errorf("--mode: %q is not health, ingest or read", o.mode)
	}
	if strings.ContainsAny(o.token, "\r\n") {
		return errors.New("token: must be one line")
	}
	switch {
	case o.duration <= 0 || o.duration > maxDuration:
		return fmt.Errorf("--duration: must be positive and at most %v", maxDuration)
	case o.concurrency < 1 || o.concurrency > maxConcurrency:
		return fmt.Errorf("--concurrency: must be from 1 to %d", maxConcurrency)
	case o.rate < 0 || o.rate > maxRate || o.rate != o.rate:
		return fmt.Errorf("--rate: must be from 0 (closed loop) to %d", maxRate)
	case o.maxRequests < 1:
		return errors.New("--max-requests: must be at least 1")
	case o.timeout <= 0:
		return errors.New("--timeout: must be positive")
	case o.mode == modeIngest && (o.transcriptBytes < minTranscriptBytes || o.transcriptBytes > maxTranscriptLen):
		return fmt.Errorf("--transcript-bytes: must be from %d to %d", minTranscriptBytes, maxTranscriptLen)
	}
	return nil
}
