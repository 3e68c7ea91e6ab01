package monitor_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/tokens"
	"github.com/confide-cc/confide/internal/monitor"
)

// TestEngineHoneyContainDeliver follows one honey access end to end: the
// alert is stored and audited, the token is revoked (and that audited),
// and the webhook receives the signed alert after a failed first attempt.
func TestEngineHoneyContainDeliver(t *testing.T) {
	st := openStore(t)
	ctx := t.Context()
	toks := tokens.New(st)
	admin := as(ctx, "system:test", identity.KindSystem, "", "")
	secret, tok, err := toks.Create(admin, "crm", identity.RoleIntegration)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	got := make(chan monitor.AlertView, 1)
	key := []byte("webhook-secret")
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		body, _ := io.ReadAll(r.Body)
		m := hmac.New(sha256.New, key)
		m.Write(body)
		if r.Header.Get(monitor.SignatureHeader) != "sha256="+hex.EncodeToString(m.Sum(nil)) {
			t.Errorf("bad signature %q", r.Header.Get(monitor.SignatureHeader))
		}
		var v monitor.AlertView
		if err := json.Unmarshal(body, &v); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		got <- v
	}))
	defer hook.Close()

	cfg := monitor.DefaultConfig()
	cfg.Honey.Customers = []string{"c-honey"}
	startEngine(t, st, monitor.EngineOptions{Rules: cfg, Containment: monitor.Containments{monitor.TokenContainment{Tokens: toks}},
		Webhook: &monitor.Webhook{URL: hook.URL, Secret: key}})

	thief := as(ctx, tok.ID, identity.KindService, identity.RoleIntegration, "192.0.2.7")
	appendEvent(t, st, thief, "customer.read", "customer/c-other", audit.Success)
	seq := appendEvent(t, st, thief, "customer.read", "customer/c-honey", audit.Success)
	waitFor(t, "a contained alert", func() bool { as := alerts(t, st); return len(as) == 1 && as[0].Contained })
	a := alerts(t, st)[0]
	if a.Rule != monitor.RuleHoney || a.Severity != "critical" || a.ActorID != tok.ID || a.SourceIP != "192.0.2.7" ||
		!slices.Equal(a.Evidence, []int64{seq}) || a.Status != monitor.StatusOpen {
		t.Errorf("alert = %+v", a)
	}
	if _, err := toks.Authenticate(ctx, secret, netip.MustParseAddr("192.0.2.7")); !errors.Is(err, tokens.ErrInvalid) {
		t.Errorf("token still authenticates after containment: %v", err)
	}
	if acts := auditActions(t, st, monitor.SystemActorID); !slices.Equal(acts, []string{"alert.raised", "token.revoke", "containment.lock"}) {
		t.Errorf("monitor's audit events = %v", acts)
	}
	v := <-got
	if v.ID != a.ID || v.Rule != monitor.RuleHoney || !slices.Equal(v.Evidence, a.Evidence) {
		t.Errorf("webhook got %+v, want alert %s", v, a.ID)
	}
}

// TestEnginesShareOneLease runs two engines over one store: exactly one is
// active, and each attack yields exactly one alert.
func TestEnginesShareOneLease(t *testing.T) {
	st := openStore(t)
	cfg := monitor.DefaultConfig()
	cfg.Honey.Customers = []string{"h1", "h2", "h3"}
	e1 := startEngine(t, st, monitor.EngineOptions{Rules: cfg, Node: "n1"})
	e2 := startEngine(t, st, monitor.EngineOptions{Rules: cfg, Node: "n2"})
	waitFor(t, "a leader", func() bool { return e1.Leader() || e2.Leader() })
	if e1.Leader() && e2.Leader() {
		t.Fatal("both engines are active")
	}
	for i, h := range cfg.Honey.Customers {
		ctx := as(t.Context(), "usr_"+h, identity.KindHuman, identity.RoleAgent, "10.0.0.1")
		appendEvent(t, st, ctx, "customer.read", "customer/"+h, audit.Success)
		waitFor(t, "alert", func() bool { return len(alerts(t, st)) == i+1 })
	}
	if n := len(alerts(t, st)); n != 3 {
		t.Errorf("%d alerts, want 3", n)
	}
}
