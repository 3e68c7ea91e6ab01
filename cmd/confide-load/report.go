package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"
)

// Report is the result of a run, printed as text or (with --json) as JSON.
type Report struct {
	Mode        string  `json:"mode"`
	URL         string  `json:"url"`
	Loop        string  `json:"loop"` // "closed" or "open"
	Concurrency int     `json:"concurrency"`
	TargetRate  float64 `json:"target_rate,omitempty"` // open loop: requests per second scheduled
	DurationS   float64 `json:"duration_s"`            // asked for
	ElapsedS    float64 `json:"elapsed_s"`             // from the first send to the last answer
	SetupS      float64 `json:"setup_s"`               // creating customers, not measured
	Customers   int     `json:"customers,omitempty"`

	Requests  int64            `json:"requests"`  // sent
	Responses int64            `json:"responses"` // answered with any HTTP status
	OK        int64            `json:"ok"`        // answered 2xx
	Errors    int64            `json:"errors"`    // not 2xx, no answer, or not sent
	Statuses  map[string]int64 `json:"statuses"`  // responses by HTTP status code
	Failures  map[string]int64 `json:"failures"`  // requests without a response, by kind
	Unsent    int64            `json:"unsent"`    // open loop: scheduled but not sent by the hard stop

	ThroughputRPS float64 `json:"throughput_rps"` // responses per second of elapsed time
	OKPerSecond   float64 `json:"ok_per_second"`  // 2xx responses per second
	MeanBodyBytes int64   `json:"mean_body_bytes,omitempty"`
	// ClientCPUCores is the CPU confide-load used, in cores (CPU seconds
	// per elapsed second); on one machine, that much was not the server's.
	ClientCPUCores float64 `json:"client_cpu_cores"`

	// Latency counts from the send in a closed loop and from the scheduled
	// time in an open loop; ServiceTime (open loop only) from the send.
	Latency     Distribution  `json:"latency"`
	ServiceTime *Distribution `json:"service_time,omitempty"`
}

func newReport(o options, setup time.Duration, out outcome) Report {
	t := out.tally
	r := Report{
		Mode:        o.mode,
		URL:         o.base.String(),
		Loop:        "closed",
		Concurrency: o.concurrency,
		DurationS:   o.duration.Seconds(),
		ElapsedS:    out.elapsed.Seconds(),
		SetupS:      setup.Seconds(),
		Requests:    t.requests,
		Statuses:    map[string]int64{},
		Failures:    t.failures,
		Unsent:      out.unsent,
		Latency:     t.latency.distribution(),
	}
	if o.mode != modeHealth {
		r.Customers = o.customers
	}
	if o.openLoop() {
		r.Loop, r.TargetRate = "open", o.rate
		d := t.service.distribution()
		r.ServiceTime = &d
	}
	for code, n := range t.statuses {
		r.Statuses[strconv.Itoa(code)] = n
		r.Responses += n
		if code >= 200 && code < 300 {
			r.OK += n
		}
	}
	r.Errors = t.requests - r.OK + out.unsent
	if s := out.elapsed.Seconds(); s > 0 {
		r.ThroughputRPS = float64(r.Responses) / s
		r.OKPerSecond = float64(r.OK) / s
		r.ClientCPUCores = out.clientCPU.Seconds() / s
	}
	if t.requests > 0 {
		r.MeanBodyBytes = t.bodyBytes / t.requests
	}
	return r
}

func (r Report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func (r Report) writeText(w io.Writer) error {
	p := &errWriter{w: w}
	load := fmt.Sprintf("closed loop, %d workers", r.Concurrency)
	if r.Loop == "open" {
		load = fmt.Sprintf("open loop at %g req/s, up to %d in flight", r.TargetRate, r.Concurrency)
	}
	p.printf("confide-load: %s on %s, %s, %.1fs\n", r.Mode, r.URL, load, r.ElapsedS)
	if r.Customers > 0 {
		p.printf("  setup:       %d customers in %.1fs (not measured)\n", r.Customers, r.SetupS)
	}
	p.printf("  requests:    %d sent, %d answered, %d ok, %d errors\n", r.Requests, r.Responses, r.OK, r.Errors)
	p.printf("  statuses:    %s\n", formatCounts(r.Statuses))
	if len(r.Failures) > 0 {
		p.printf("  no answer:   %s\n", formatCounts(r.Failures))
	}
	if r.Unsent > 0 {
		p.printf("  unsent:      %d (the schedule fell behind)\n", r.Unsent)
	}
	p.printf("  throughput:  %.1f req/s (%.1f ok/s); confide-load used %.2f CPU cores\n", r.ThroughputRPS, r.OKPerSecond, r.ClientCPUCores)
	if r.MeanBodyBytes > 0 {
		p.printf("  body:        %d bytes per request on average\n", r.MeanBodyBytes)
	}
	p.printf("  latency:     %s\n", r.Latency)
	if r.ServiceTime != nil {
		p.printf("  service:     %s\n", *r.ServiceTime)
		p.printf("               (latency counts from each request's scheduled time, service from its send)\n")
	}
	return p.err
}

// String formats d on one line, in milliseconds.
func (d Distribution) String() string {
	s := fmt.Sprintf("p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f ms (n=%d)",
		d.P50MS, d.P90MS, d.P99MS, d.P999MS, d.MaxMS, d.MeanMS, d.Count)
	if !d.Exact {
		s += ", quantiles from a uniform sample of " + strconv.Itoa(exactSamples)
	}
	return s
}

func formatCounts(m map[string]int64) string {
	if len(m) == 0 {
		return "none"
	}
	s := ""
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("%s: %d", k, m[k])
	}
	return s
}

// errWriter keeps the first write error so a report prints without checking
// each line.
type errWriter struct {
	w   io.Writer
	err error
}

func (p *errWriter) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}
