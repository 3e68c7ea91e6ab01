package httpx

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestLimitKeysAndSweep checks that IPv6 clients are limited per /64,
// that a refill after a pause serves again, and that refusals not yet
// reported are reported when an idle address is forgotten.
func TestLimitKeysAndSweep(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	reports := map[string]int{}
	done := make(chan struct{}, 10)
	h := Limit(RateLimit{Rate: 1, Burst: 2, ReportEvery: time.Hour, Now: func() time.Time { return now },
		Report: func(p netip.Prefix, n int) {
			mu.Lock()
			reports[p.String()] += n
			mu.Unlock()
			done <- struct{}{}
		}}, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	status := func(addr string) int {
		r := httptest.NewRequest("GET", "/api/v1/x", nil)
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	// Two addresses of one /64 share a bucket; another /64 does not.
	got := []int{status("[2001:db8::1]:1"), status("[2001:db8::2]:1"), status("[2001:db8::3]:1"), status("[2001:db8:0:1::1]:1")}
	if want := []int{200, 200, 429, 200}; !slices.Equal(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	<-done // the first refusal is reported at once
	if status("[2001:db8::4]:1") != 429 {
		t.Fatal("still within the second: want 429")
	}
	now = now.Add(2 * time.Second) // the bucket refills
	if status("[2001:db8::5]:1") != 200 {
		t.Fatal("after the refill: want 200")
	}
	now = now.Add(limiterIdle + time.Minute)
	status("192.0.2.1:1") // triggers the sweep of the idle /64
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the refusal counted since the last report was not reported at the sweep")
	}
	mu.Lock()
	defer mu.Unlock()
	if reports["2001:db8::/64"] != 2 {
		t.Errorf("reports %v, want 2 refusals of 2001:db8::/64", reports)
	}
}
