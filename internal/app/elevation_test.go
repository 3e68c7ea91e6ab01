package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/confide-cc/confide/internal/app"
)

// offsetClock is real time plus an offset the test moves forward.
type offsetClock struct {
	mu sync.Mutex
	d  time.Duration
}

func (c *offsetClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.d) }
func (c *offsetClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.d += d
}

// human is a signed-in person of a test.
type human struct {
	*person
	id, email, secret string
	clk               *offsetClock
}

// totp returns a fresh code for h (the next time step on the node's
// clock) and moves the clock past it, so that no step is used twice.
func (h *human) totp() string {
	h.e.t.Helper()
	c, err := totp.GenerateCode(h.secret, h.clk.Now().Add(30*time.Second))
	if err != nil {
		h.e.t.Fatal(err)
	}
	h.clk.Advance(30 * time.Second)
	return c
}

func (h *human) signIn() {
	h.e.t.Helper()
	h.e.must(h.do("POST", "/api/v1/auth/login", map[string]string{"email": h.email, "password": "amber falcon rivet meadow"}), 200)
	h.e.must(h.do("POST", "/api/v1/auth/mfa", map[string]string{"code": h.totp()}), 200)
}

func (h *human) reauth() {
	h.e.t.Helper()
	h.e.must(h.do("POST", "/api/v1/auth/reauth", map[string]string{"password": "amber falcon rivet meadow", "code": h.totp()}), 200)
}

type whoami struct {
	ID              string
	SessionID       string `json:"session_id"`
	AuthTime        string `json:"auth_time"`
	TrainingUntil   string `json:"training_until"`
	BreakGlassID    string `json:"break_glass_id"`
	BreakGlassUntil string `json:"break_glass_until"`
}

func (h *human) whoami() whoami {
	h.e.t.Helper()
	var w whoami
	h.e.must(h.do("GET", "/api/v1/auth/session", nil), 200).json(h.e.t, &w)
	return w
}

// elevationEnv is a node with a movable clock, a signed-in security admin
// and a signed-in agent.
func elevationEnv(t *testing.T, args ...string) (e *env, clk *offsetClock, admin, agent *human) {
	e = newEnv(t, args...)
	clk = &offsetClock{}
	app.SetClock(e.app, clk.Now)
	path, _, ok, err := e.app.SetupLink(context.Background())
	if err != nil || !ok {
		t.Fatalf("SetupLink = %v, %v", ok, err)
	}
	admin = &human{person: e.person("Firefox/140"), email: "sec.admin@example.com", clk: clk}
	admin.secret = enrollVia(t, admin.person, tokenInPath.FindStringSubmatch(path)[1], map[string]string{"email": admin.email, "name": "Sam Admin"})
	admin.signIn()
	admin.id = admin.whoami().ID
	var created struct {
		User struct{ ID string }
		Link struct{ Token string } `json:"enrollment_link"`
	}
	e.must(admin.do("POST", "/api/v1/users", map[string]any{"email": "agent@example.com", "name": "Ada Agent", "roles": []string{"agent"}, "team": "billing"}), 201).json(t, &created)
	agent = &human{person: e.person("Chrome/139"), email: "agent@example.com", id: created.User.ID, clk: clk}
	agent.secret = enrollVia(t, agent.person, created.Link.Token, nil)
	agent.signIn()
	return e, clk, admin, agent
}

// TestReauthAndAdministrationOverHTTP: sensitive actions need a recent
// authentication; re-authentication renews it in the same session; role
// changes and MFA resets end the user's sessions.
func TestReauthAndAdministrationOverHTTP(t *testing.T) {
	e, clk, admin, agent := elevationEnv(t)
	until := clk.Now().Add(180 * 24 * time.Hour).UTC().Truncate(time.Second)
	training := map[string]any{"expires_at": until}
	e.must(admin.do("POST", "/api/v1/users/"+agent.id+"/training", training), 200)

	// Five minutes later the window is closed: 403 reauth_required.
	clk.Advance(5 * time.Minute)
	before := admin.whoami()
	for _, r := range []resp{
		admin.do("POST", "/api/v1/users/"+agent.id+"/training", training),
		admin.do("PATCH", "/api/v1/users/"+agent.id, map[string]any{"team": "collections"}),
		admin.do("POST", "/api/v1/users/"+agent.id+"/mfa-reset", map[string]string{"reason": "lost phone"}),
		admin.do("POST", "/api/v1/users/"+agent.id+"/disable", nil),
	} {
		if r.Status != 403 || r.errCode() != "reauth_required" {
			t.Fatalf("stale admin: %d %s", r.Status, r.Body)
		}
	}
	// A wrong re-authentication is refused like a wrong sign-in.
	r := admin.do("POST", "/api/v1/auth/reauth", map[string]string{"password": "wrong password here", "code": admin.totp()})
	if r.Status != 401 || r.errCode() != "invalid_credentials" {
		t.Fatalf("wrong reauth: %d %s", r.Status, r.Body)
	}
	admin.reauth()
	after := admin.whoami()
	if after.SessionID != before.SessionID || after.AuthTime <= before.AuthTime {
		t.Fatalf("reauth: session %s → %s, auth_time %s → %s", before.SessionID, after.SessionID, before.AuthTime, after.AuthTime)
	}
	e.must(admin.do("POST", "/api/v1/users/"+agent.id+"/training", training), 200)
	// Bearer tokens cannot re-authenticate, and may not administer users.
	e.must(e.do("security_admin", "POST", "/api/v1/auth/reauth", map[string]string{"password": "x", "code": "123456"}), 403)
	if r := e.do("security_admin", "POST", "/api/v1/users/"+agent.id+"/training", training); r.errCode() != "not_a_user" {
		t.Fatalf("token attests training: %d %s", r.Status, r.Body)
	}

	// The agent's principal carries the attestation; listings show it.
	if w := agent.whoami(); w.TrainingUntil != until.Format(time.RFC3339) {
		t.Fatalf("agent's principal %+v", w)
	}
	var list struct {
		Items []struct {
			ID            string
			TrainingUntil time.Time `json:"training_until"`
		}
	}
	e.must(admin.do("GET", "/api/v1/users", nil), 200).json(t, &list)
	for _, u := range list.Items {
		if u.ID == agent.id && !u.TrainingUntil.Equal(until) {
			t.Fatalf("listed training %v, want %v", u.TrainingUntil, until)
		}
	}

	// Nobody changes their own roles; a change ends the user's session.
	if r := admin.do("PATCH", "/api/v1/users/"+admin.id, map[string]any{"roles": []string{"auditor"}}); r.Status != 403 || r.errCode() != "self_not_permitted" {
		t.Fatalf("own roles: %d %s", r.Status, r.Body)
	}
	e.must(agent.do("PATCH", "/api/v1/users/"+admin.id, map[string]any{"roles": []string{"agent"}}), 403)
	var updated struct {
		Roles []string
		Team  string
	}
	e.must(admin.do("PATCH", "/api/v1/users/"+agent.id, map[string]any{"roles": []string{"supervisor"}, "team": "collections"}), 200).json(t, &updated)
	if strings.Join(updated.Roles, ",") != "supervisor" || updated.Team != "collections" {
		t.Fatalf("updated %+v", updated)
	}
	e.must(agent.do("GET", "/api/v1/auth/session", nil), 401)
	ev := e.auditEventsOf("user.update")
	if last := ev[len(ev)-1]; last.Outcome != "success" || !strings.Contains(toJSON(last.Details["old_roles"]), "agent") ||
		!strings.Contains(toJSON(last.Details["new_roles"]), "supervisor") {
		t.Fatalf("user.update %+v", last)
	}

	// MFA reset: the agent's session ends and a new enrollment link works.
	agent.signIn()
	if r := admin.do("POST", "/api/v1/users/"+admin.id+"/mfa-reset", map[string]string{"reason": "mine"}); r.errCode() != "self_not_permitted" {
		t.Fatalf("own MFA reset: %d %s", r.Status, r.Body)
	}
	var reset struct {
		Link struct{ Token string } `json:"enrollment_link"`
	}
	e.must(admin.do("POST", "/api/v1/users/"+agent.id+"/mfa-reset", map[string]string{"reason": "lost phone"}), 200).json(t, &reset)
	e.must(agent.do("GET", "/api/v1/auth/session", nil), 401)
	e.must(agent.do("POST", "/api/v1/auth/login", map[string]string{"email": agent.email, "password": "amber falcon rivet meadow"}), 401)
	fresh := e.person("Chrome/139")
	e.must(fresh.do("POST", "/api/v1/auth/enrollment", map[string]string{"token": reset.Link.Token}), 200)
	if ev := e.auditEventsOf("user.mfa_reset"); len(ev) != 3 || ev[1].Reason != "self_not_permitted" || ev[2].Outcome != "success" || ev[2].Details["reason"] != "lost phone" {
		t.Fatalf("user.mfa_reset events %+v", ev)
	}

	// Neither the password given to re-authenticate nor any address
	// reaches the audit log or the logs.
	var all strings.Builder
	for _, ev := range e.auditEvents() {
		all.WriteString(toJSON(ev))
	}
	all.Write(e.logs.Bytes())
	for _, canary := range []string{"amber falcon", "wrong password here", "agent@example.com", "sec.admin@example.com"} {
		if strings.Contains(strings.ToLower(all.String()), canary) {
			t.Errorf("%q appears in the audit log or the logs", canary)
		}
	}
}

func toJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestBreakGlassOverHTTP walks an elevation through request, use of the
// attributes, early end, expiry and review.
func TestBreakGlassOverHTTP(t *testing.T) {
	e, clk, admin, agent := elevationEnv(t, "--break-glass-max", "20m")
	req := map[string]any{"reason": "Caller locked out during outage INC-4411", "customer_id": "cus_42", "minutes": 15}

	// Admins cannot take one (policy); the agent needs a fresh sign-in.
	e.must(admin.do("POST", "/api/v1/auth/break-glass", req), 403)
	clk.Advance(6 * time.Minute)
	if r := agent.do("POST", "/api/v1/auth/break-glass", req); r.Status != 403 || r.errCode() != "reauth_required" {
		t.Fatalf("stale agent: %d %s", r.Status, r.Body)
	}
	agent.reauth()
	if r := agent.do("POST", "/api/v1/auth/break-glass", map[string]any{"reason": "short"}); r.Status != 400 || r.errCode() != "reason_required" {
		t.Fatalf("short reason: %d %s", r.Status, r.Body)
	}
	if r := agent.do("POST", "/api/v1/auth/break-glass", map[string]any{"reason": "a long enough reason", "minutes": 21}); r.errCode() != "invalid_minutes" {
		t.Fatalf("too long: %d %s", r.Status, r.Body)
	}
	var g struct {
		ID, Status, Review string
		ExpiresAt          time.Time `json:"expires_at"`
	}
	e.must(agent.do("POST", "/api/v1/auth/break-glass", req), 201).json(t, &g)
	if w := agent.whoami(); w.BreakGlassID != g.ID || w.BreakGlassUntil != g.ExpiresAt.UTC().Format(time.RFC3339) {
		t.Fatalf("principal during the elevation %+v (grant %+v)", w, g)
	}
	ev := e.auditEventsOf("breakglass.request")
	if last := ev[len(ev)-1]; last.Outcome != "success" || last.Details["severity"] != "high" || last.ActorID != agent.id {
		t.Fatalf("breakglass.request %+v", last)
	}

	// Listing and review are for security admins; not while active.
	e.must(agent.do("GET", "/api/v1/break-glass", nil), 403)
	var list struct {
		Items []struct{ ID, Status, Review string }
	}
	e.must(admin.do("GET", "/api/v1/break-glass", nil), 200).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].Status != "active" || list.Items[0].Review != "not_due" {
		t.Fatalf("list %+v", list)
	}
	if r := admin.do("POST", "/api/v1/break-glass/"+g.ID+"/review", map[string]string{"outcome": "justified"}); r.errCode() != "still_active" {
		t.Fatalf("review while active: %d %s", r.Status, r.Body)
	}
	// Only the holder ends it.
	e.must(admin.do("DELETE", "/api/v1/auth/break-glass/"+g.ID, nil), 404)
	e.must(agent.do("DELETE", "/api/v1/auth/break-glass/"+g.ID, nil), 204)
	if w := agent.whoami(); w.BreakGlassID != "" {
		t.Fatalf("principal after the end %+v", w)
	}

	// A second elevation simply expires.
	e.must(agent.do("POST", "/api/v1/auth/break-glass", map[string]any{"reason": "Another urgent escalation", "minutes": 1}), 201)
	if w := agent.whoami(); w.BreakGlassID == "" {
		t.Fatal("no elevation in the principal")
	}
	clk.Advance(61 * time.Second)
	if w := agent.whoami(); w.BreakGlassID != "" {
		t.Fatalf("principal after expiry %+v", w)
	}
	e.must(admin.do("GET", "/api/v1/break-glass?review=pending", nil), 200).json(t, &list)
	if len(list.Items) != 2 || list.Items[0].Status != "expired" || list.Items[1].Status != "ended" || list.Items[1].Review != "pending" {
		t.Fatalf("pending review %+v", list)
	}
	e.must(admin.do("GET", "/api/v1/break-glass?review=done", nil), 400)
	e.must(agent.do("POST", "/api/v1/break-glass/"+g.ID+"/review", map[string]string{"outcome": "justified"}), 403)
	e.must(admin.do("POST", "/api/v1/break-glass/"+g.ID+"/review", map[string]string{"outcome": "justified", "note": "INC-4411 confirmed"}), 200)
	if r := admin.do("POST", "/api/v1/break-glass/"+g.ID+"/review", map[string]string{"outcome": "unjustified"}); r.Status != 409 || r.errCode() != "already_reviewed" {
		t.Fatalf("second review: %d %s", r.Status, r.Body)
	}
	e.must(admin.do("GET", "/api/v1/break-glass?review=pending", nil), 200).json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("pending after one review %+v", list)
	}

	// Segregation of duties: someone who is both an agent and a security
	// admin takes an elevation but may not review it.
	admin.reauth()
	e.must(admin.do("PATCH", "/api/v1/users/"+agent.id, map[string]any{"roles": []string{"agent", "security_admin"}}), 200)
	agent.signIn()
	var own struct{ ID string }
	e.must(agent.do("POST", "/api/v1/auth/break-glass", map[string]any{"reason": "Dual-role elevation for a test"}), 201).json(t, &own)
	e.must(agent.do("DELETE", "/api/v1/auth/break-glass/"+own.ID, nil), 204)
	if r := agent.do("POST", "/api/v1/break-glass/"+own.ID+"/review", map[string]string{"outcome": "justified"}); r.Status != 403 || r.errCode() != "self_approval_not_permitted" {
		t.Fatalf("self review: %d %s", r.Status, r.Body)
	}
	e.must(admin.do("POST", "/api/v1/break-glass/"+own.ID+"/review", map[string]string{"outcome": "unjustified", "note": "no ticket"}), 200)
	rev := e.auditEventsOf("breakglass.review")
	if last := rev[len(rev)-1]; last.Details["severity"] != "high" || last.Details["outcome"] != "unjustified" {
		t.Fatalf("unjustified review %+v", last)
	}
}

// TestMonitorContainsUser: a detector firing on a person (a honey customer
// opened by an agent) ends their session at once and keeps them out until
// a security admin unlocks them with a reason.
func TestMonitorContainsUser(t *testing.T) {
	e, clk, admin, agent := elevationEnv(t)
	var honey struct{ ID string }
	e.must(admin.do("POST", "/api/v1/honey-customers", nil), 201).json(t, &honey)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.app.MonitorEngine.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	agent.do("GET", "/api/v1/customers/"+honey.ID, nil)
	deadline := time.Now().Add(20 * time.Second)
	for agent.do("GET", "/api/v1/auth/session", nil).Status != 401 {
		if time.Now().After(deadline) {
			t.Fatalf("the agent's session survived the honey alert; audit: %+v", e.auditEventsOf("containment.lock"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ev := e.auditEventsOf("user.contain"); len(ev) != 1 || ev[0].Resource != "user/"+agent.id || ev[0].Outcome != "success" {
		t.Fatalf("user.contain %+v", ev)
	}
	// Contained: no sign-in, even long after any lockout would end.
	clk.Advance(2 * time.Hour)
	e.must(agent.do("POST", "/api/v1/auth/login", map[string]string{"email": agent.email, "password": "amber falcon rivet meadow"}), 401)
	var list struct {
		Items []struct {
			ID        string
			Contained bool
		}
	}
	admin.signIn()
	e.must(admin.do("GET", "/api/v1/users", nil), 200).json(t, &list)
	for _, u := range list.Items {
		if u.ID == agent.id && !u.Contained {
			t.Fatalf("listing does not show the containment: %+v", list)
		}
	}
	if r := admin.do("POST", "/api/v1/users/"+agent.id+"/unlock", map[string]string{"reason": ""}); r.errCode() != "reason_required" {
		t.Fatalf("unlock without a reason: %d %s", r.Status, r.Body)
	}
	e.must(agent.do("POST", "/api/v1/users/"+agent.id+"/unlock", map[string]string{"reason": "me"}), 401)
	e.must(admin.do("POST", "/api/v1/users/"+agent.id+"/unlock", map[string]string{"reason": "false positive INC-4420"}), 204)
	e.must(admin.do("POST", "/api/v1/users/"+agent.id+"/unlock", map[string]string{"reason": "again"}), 409)
	agent.signIn()
	e.must(agent.do("GET", "/api/v1/auth/session", nil), 200)
}
