package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/identity"
)

// TestCallerNumber ingests calls with the originating number and checks
// that only its keyed hash reaches the audit log (the same for the same
// number, written two ways), that the number is stored nowhere in clear,
// that bad numbers and non-call channels are refused, and that a flood of
// calls from one number raises call_flood.
func TestCallerNumber(t *testing.T) {
	e := newEnv(t)
	cid := e.createCustomer(sampleCustomer())
	const canary = "+44 20 7946 0317"
	ingest := func(number string, status int) {
		in := callInteraction(cid)
		in["caller_number"] = number
		e.must(e.do(identity.RoleIntegration, "POST", "/api/v1/interactions", in), status)
	}
	ingest(canary, 201)
	first := e.lastAudit().Details["caller_key"]
	ingest("+442079460317", 201)
	second := e.lastAudit().Details["caller_key"]
	ingest("+44 20 7946 0999", 201)
	other := e.lastAudit().Details["caller_key"]
	if k, _ := first.(string); len(k) != 16 || first != second || first == other {
		t.Fatalf("caller keys %v, %v, %v: want one 16-hex key per number", first, second, other)
	}
	for _, bad := range []string{"12", "not a number", "+999 1234"} {
		in := callInteraction(cid)
		in["caller_number"] = bad
		if r := e.must(e.do(identity.RoleIntegration, "POST", "/api/v1/interactions", in), 400); r.errCode() != "invalid_caller_number" {
			t.Errorf("caller_number %q: %s", bad, r.Body)
		}
	}
	chat := map[string]any{"customer_id": cid, "channel": "chat", "started_at": "2026-11-20T10:00:00Z", "caller_number": canary,
		"messages": []any{map[string]any{"from": "customer", "at": "2026-11-20T10:00:01Z", "text": "hello"}}}
	if r := e.must(e.do(identity.RoleIntegration, "POST", "/api/v1/interactions", chat), 400); r.errCode() != "invalid_caller_number" {
		t.Errorf("caller_number on a chat: %s", r.Body)
	}
	assertNotStored(t, e, "7946 0317", "79460317")

	// A flood from one number: call_flood fires.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.app.MonitorEngine.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	for range 20 {
		ingest(canary, 201)
	}
	var alerts struct {
		Items []struct{ Rule, Summary string }
	}
	for deadline := time.Now().Add(20 * time.Second); len(alerts.Items) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no call_flood alert after 22 calls from one number")
		}
		e.must(e.do(identity.RoleSecurityAdmin, "GET", "/api/v1/alerts?rule=call_flood", nil), 200).json(t, &alerts)
	}
	if s := alerts.Items[0].Summary; !contains([]byte(s), first.(string)) || contains([]byte(s), "79460317") || contains([]byte(s), "7946 0317") {
		t.Errorf("alert summary %q", s)
	}
}
