package httpx

import (
	"net/http"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/confide-cc/confide/internal/apperr"
)

// RateLimit configures the per-client-address request limit: a flood from
// one address (an API or ingest flood, a runaway integration) is refused
// with 429 while every other client keeps being served.
type RateLimit struct {
	// Rate is the sustained requests per second one address may make;
	// zero turns the limit off.
	Rate float64
	// Burst is how many requests an address may make at once (at least 1).
	Burst int
	// Exempt lists networks that are never limited (for example the
	// telephony platform's addresses).
	Exempt []netip.Prefix
	// Report is called, outside any request, for the first refusal of an
	// address and then at most once per ReportEvery with the number refused
	// since the last call. It must not block for long.
	Report      func(client netip.Prefix, refused int)
	ReportEvery time.Duration // default 1 minute
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// limiterIdle is how long an address's state is kept after its last
// request.
const limiterIdle = 10 * time.Minute

// rateEntry is one client address's bucket and refusal count.
type rateEntry struct {
	lim        *rate.Limiter
	lastSeen   time.Time
	refused    int
	reportedAt time.Time // zero: never reported
}

// limiter is the state of a RateLimit middleware.
type limiter struct {
	cfg       RateLimit
	mu        sync.Mutex
	clients   map[netip.Prefix]*rateEntry
	lastSweep time.Time
	metrics   *Metrics
}

// exemptPaths are never limited: health checks and metrics scrapes are
// cheap and must keep answering during a flood.
var exemptPaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// Limit returns the middleware enforcing cfg; with cfg.Rate zero it
// passes every request through. Refusals are counted in m (may be nil).
func Limit(cfg RateLimit, m *Metrics) func(http.Handler) http.Handler {
	if cfg.Rate <= 0 {
		return func(h http.Handler) http.Handler { return h }
	}
	if cfg.Burst < 1 {
		cfg.Burst = 1
	}
	if cfg.ReportEvery <= 0 {
		cfg.ReportEvery = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	l := &limiter{cfg: cfg, clients: map[netip.Prefix]*rateEntry{}, metrics: m}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if exemptPaths[r.URL.Path] || l.allow(ClientAddr(r)) {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Retry-After", "1")
			WriteError(w, r, nil, apperr.New(apperr.TooManyRequests, "rate_limited",
				"too many requests from this address; slow down and retry"))
		})
	}
}

// clientKey groups addresses the way one client holds them: an IPv4
// address, an IPv6 /64.
func clientKey(a netip.Addr) netip.Prefix {
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits)
	return p
}

// allow reports whether a request from a may proceed.
func (l *limiter) allow(a netip.Addr) bool {
	if !a.IsValid() {
		return true // not a TCP peer (tests with fake addresses)
	}
	for _, p := range l.cfg.Exempt {
		if p.Contains(a) {
			return true
		}
	}
	key := clientKey(a)
	now := l.cfg.Now()
	l.mu.Lock()
	if now.Sub(l.lastSweep) > limiterIdle {
		l.sweep(now)
	}
	e := l.clients[key]
	if e == nil {
		e = &rateEntry{lim: rate.NewLimiter(rate.Limit(l.cfg.Rate), l.cfg.Burst)}
		l.clients[key] = e
	}
	e.lastSeen = now
	if e.lim.AllowN(now, 1) {
		l.mu.Unlock()
		return true
	}
	e.refused++
	report := 0
	if e.reportedAt.IsZero() || now.Sub(e.reportedAt) >= l.cfg.ReportEvery {
		report, e.refused, e.reportedAt = e.refused, 0, now
	}
	l.mu.Unlock()
	if l.metrics != nil {
		l.metrics.rateLimited.Inc()
	}
	if report > 0 && l.cfg.Report != nil {
		l.cfg.Report(key, report)
	}
	return false
}

// sweep drops the state of addresses idle for limiterIdle, reporting
// refusals not yet reported. l.mu is held.
func (l *limiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, e := range l.clients {
		if now.Sub(e.lastSeen) > limiterIdle {
			if e.refused > 0 && l.cfg.Report != nil {
				go l.cfg.Report(k, e.refused)
			}
			delete(l.clients, k)
		}
	}
}
