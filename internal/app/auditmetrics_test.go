package app_test

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestAuditMetrics runs the checkpointer and checks that /metrics reports
// a log that is verified and fully covered by a checkpoint.
func TestAuditMetrics(t *testing.T) {
	e := newEnv(t)
	cid := e.createCustomer(sampleCustomer())
	e.must(e.do("agent", "GET", "/api/v1/customers/"+cid, nil), 200)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.app.Audit.Run(ctx, time.Millisecond); close(done) }()
	defer func() { cancel(); <-done }()

	gauge := func(body []byte, name string) float64 {
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("/metrics lacks %s", name)
		}
		v, err := strconv.ParseFloat(string(m[1]), 64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		body := e.must(e.do("", "GET", "/metrics", nil), 200).Body
		head, size := gauge(body, "confide_audit_head_records"), gauge(body, "confide_audit_checkpoint_size")
		verified, caughtUp := gauge(body, "confide_audit_verified_records"), gauge(body, "confide_audit_last_checkpoint_timestamp_seconds")
		if gauge(body, "confide_audit_tampered") != 0 {
			t.Fatal("confide_audit_tampered = 1 on an untouched log")
		}
		if head >= 2 && size == head && verified >= 2 && caughtUp > 0 && gauge(body, "confide_audit_last_verified_timestamp_seconds") > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: head %v, checkpoint %v, verified %v, caught up at %v", head, size, verified, caughtUp)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
