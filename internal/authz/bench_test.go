package authz_test

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/identity"
)

// agentDecision is the representative decision: an agent of team
// "support", assigned to a live interaction with the customer, caller
// verified, within the team's hours and from an allowed network, revealing
// a field.
func agentDecision(tb testing.TB) (*authz.Engine, func() authz.Decision) {
	hours, err := authz.ParseWorkingHours("support=Europe/London mon-sun 00:00-24:00")
	if err != nil {
		tb.Fatal(err)
	}
	nets, err := authz.ParseNetworks("agent=10.0.0.0/8,192.0.2.0/24")
	if err != nil {
		tb.Fatal(err)
	}
	opt := authz.Options{Hours: hours, Networks: nets}
	e, err := authz.Load("", opt)
	if err != nil {
		tb.Fatal(err)
	}
	p := identity.Principal{ID: "usr_0123456789abcdef", Kind: identity.KindHuman, Roles: []string{identity.RoleAgent},
		Attributes: map[string]string{"team": "support", "session": "s1", "auth_time": "2026-01-01T00:00:00Z"}}
	client := netip.MustParseAddr("10.1.2.3")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	res := authz.Resource{Kind: "customer", ID: "0190d1c4-5a1e-7c3b-9e0f-123456789abc", CustomerID: "0190d1c4-5a1e-7c3b-9e0f-123456789abc"}
	return e, func() authz.Decision {
		f := opt.PrincipalFacts(p, now, client)
		f.Assigned, f.Verified, f.InTeam, f.Field = true, true, true, "phones"
		return e.Decide(authz.Request{Principal: p, Action: authz.CustomerReveal, Resource: res, Facts: f})
	}
}

// BenchmarkAgentDecision measures the representative agent decision
// (facts computed from the options included) and reports its p50 and p99
// latency: go test -run - -bench AgentDecision ./internal/authz
func BenchmarkAgentDecision(b *testing.B) {
	_, decide := agentDecision(b)
	if d := decide(); !d.Allow {
		b.Fatalf("denied: %s", d.Reason)
	}
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		decide()
		durations = append(durations, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(durations)
	pct := func(q float64) float64 {
		return float64(durations[int(q*float64(len(durations)-1))].Nanoseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}

// BenchmarkDenialReason measures a denial that needs its reason worked
// out (an agent not assigned to the customer).
func BenchmarkDenialReason(b *testing.B) {
	e := authz.Builtin()
	p := identity.Principal{ID: "usr_1", Kind: identity.KindHuman, Roles: []string{identity.RoleAgent}}
	f := authz.Favourable()
	f.Assigned = false
	r := authz.Request{Principal: p, Action: authz.CustomerRead, Resource: authz.Resource{Kind: "customer", ID: "c"}, Facts: f}
	for b.Loop() {
		if d := e.Decide(r); d.Reason != authz.ReasonNotAssigned {
			b.Fatal(d)
		}
	}
}
