package app_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/identity"
)

// TestRateLimitPerAddress floods the node from one loopback address and
// checks that it is refused with 429 once past its burst, that health
// checks and another address keep being served, and that the refusals are
// audited once (not once per refused request) and counted.
func TestRateLimitPerAddress(t *testing.T) {
	e := newEnv(t, "--rate-limit", "3/1m", "--rate-limit-burst", "3")
	from := func(ip string) *http.Client {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
		return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	}
	get := func(c *http.Client, path string) *http.Response {
		req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+e.tokens[identity.RoleSecurityAdmin])
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	flooder := from("127.0.0.2")
	for i := range 3 {
		if res := get(flooder, "/api/v1/tokens"); res.StatusCode != 200 {
			t.Fatalf("request %d within the burst: %d", i+1, res.StatusCode)
		}
	}
	for range 5 {
		res := get(flooder, "/api/v1/tokens")
		if res.StatusCode != 429 || res.Header.Get("Retry-After") != "1" {
			t.Fatalf("request past the burst: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
		}
	}
	if res := get(flooder, "/healthz"); res.StatusCode != 200 {
		t.Errorf("/healthz from the limited address: %d", res.StatusCode)
	}
	if res := get(from("127.0.0.3"), "/api/v1/tokens"); res.StatusCode != 200 {
		t.Errorf("another address during the flood: %d", res.StatusCode)
	}
	evs := e.auditEventsOf("request.rate_limited")
	if len(evs) != 1 {
		t.Fatalf("%d request.rate_limited events for 5 refusals within a minute, want 1", len(evs))
	}
	if ev := evs[0]; ev.Origin != "127.0.0.2" || ev.Resource != "client/127.0.0.2/32" || ev.Details["refused"] != float64(1) {
		t.Errorf("event %+v", ev)
	}
	m := e.must(e.do("", "GET", "/metrics", nil), 200)
	if !strings.Contains(string(m.Body), "confide_http_rate_limited_total 5") {
		t.Error("metrics do not count the 5 refusals")
	}
}

// TestRateLimitExempt checks that an exempt network is never limited.
func TestRateLimitExempt(t *testing.T) {
	e := newEnv(t, "--rate-limit", "1/1m", "--rate-limit-burst", "1", "--rate-limit-exempt", "127.0.0.0/8")
	for range 5 {
		e.must(e.do(identity.RoleSecurityAdmin, "GET", "/api/v1/tokens", nil), 200)
	}
}
