package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/tlsutil"
)

// smsGateway is a real HTTP server on loopback standing in for an SMS
// gateway: it records what Confide POSTs and answers with status.
type smsGateway struct {
	srv    *httptest.Server
	mu     sync.Mutex
	msgs   []smsMessage
	status int
}

type smsMessage struct {
	To, Message, Auth, ContentType string
}

const gatewaySecret = "gw-secret-7f3a"

func newSMSGateway(t *testing.T) *smsGateway {
	g := &smsGateway{status: http.StatusAccepted}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ To, Message string }
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if r.Method != http.MethodPost || dec.Decode(&body) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		g.msgs = append(g.msgs, smsMessage{To: body.To, Message: body.Message, Auth: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type")})
		w.WriteHeader(g.status)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *smsGateway) last(t *testing.T) smsMessage {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.msgs) == 0 {
		t.Fatal("the gateway received no message")
	}
	return g.msgs[len(g.msgs)-1]
}

func (g *smsGateway) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.msgs)
}

func (g *smsGateway) setStatus(s int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.status = s
}

var codeRE = regexp.MustCompile(`\b[0-9]{6}\b`)

// codeIn extracts the one-time code of a delivered message.
func codeIn(t *testing.T, message string) string {
	t.Helper()
	codes := codeRE.FindAllString(message, -1)
	if len(codes) != 1 {
		t.Fatalf("message %q carries %d six-digit codes, want 1", message, len(codes))
	}
	return codes[0]
}

// verifyEnv is a node with an SMS gateway and, if asked, an SMTP server.
type verifyEnv struct {
	*env
	gw       *smsGateway
	maildir  string
	agentTok string // raw token of the agent the interactions are assigned to
	agentID  string
	otherTok string // another agent
}

func newVerifyEnv(t *testing.T, withSMTP bool, args ...string) *verifyEnv {
	t.Helper()
	gw := newSMSGateway(t)
	args = append([]string{"--verification-sms-webhook-url", gw.srv.URL + "/send", "--verification-sms-webhook-secret", gatewaySecret,
		"--verification-send-timeout", "5s"}, args...)
	var maildir string
	if withSMTP {
		var addr string
		addr, maildir = startSMTP(t)
		args = append(args, "--verification-smtp-addr", addr, "--verification-smtp-from", "verify@bank.example",
			"--verification-smtp-security", "none")
	}
	e := newEnv(t, args...)
	ve := &verifyEnv{env: e, gw: gw, maildir: maildir}
	var tk store.Token
	var err error
	ve.agentTok, tk, err = e.app.Tokens.Create(ctxAs(identity.RoleSecurityAdmin), "agent-assigned", identity.RoleAgent)
	if err != nil {
		t.Fatal(err)
	}
	ve.agentID = tk.ID
	if ve.otherTok, _, err = e.app.Tokens.Create(ctxAs(identity.RoleSecurityAdmin), "agent-other", identity.RoleAgent); err != nil {
		t.Fatal(err)
	}
	return ve
}

// liveInteraction ingests a live call (no ended_at) of customer cid assigned
// to the env's agent.
func (e *verifyEnv) liveInteraction(cid string) string {
	e.t.Helper()
	in := callInteraction(cid)
	delete(in, "ended_at")
	in["agent"] = e.agentID
	return e.createInteraction(in)
}

type startedView struct {
	ID           string     `json:"id"`
	Method       string     `json:"method"`
	Status       string     `json:"status"`
	Result       string     `json:"result"`
	ExpiresAt    *time.Time `json:"expires_at"`
	Destination  string     `json:"destination"`
	AttemptsLeft *int       `json:"attempts_left"`
}

type checkView struct {
	Result       string `json:"result"`
	AttemptsLeft int    `json:"attempts_left"`
}

func (e *verifyEnv) start(tok, iid string, body any, status int) startedView {
	e.t.Helper()
	r := e.must(e.do(tok, "POST", "/api/v1/interactions/"+iid+"/verification", body), status)
	var v startedView
	if status == http.StatusCreated {
		r.json(e.t, &v)
	}
	return v
}

func (e *verifyEnv) check(tok, iid, vid, code string, status int) (checkView, resp) {
	e.t.Helper()
	r := e.must(e.do(tok, "POST", "/api/v1/interactions/"+iid+"/verification/"+vid+"/check", map[string]string{"code": code}), status)
	var c checkView
	if status == http.StatusOK {
		r.json(e.t, &c)
	}
	return c, r
}

func (e *verifyEnv) verifiedAt(iid string) *time.Time {
	e.t.Helper()
	var in struct {
		VerifiedAt *time.Time `json:"verified_at"`
	}
	e.must(e.do(identity.RoleSupervisor, "GET", "/api/v1/interactions/"+iid, nil), http.StatusOK).json(e.t, &in)
	return in.VerifiedAt
}

// wrong returns a well-formed code different from code.
func wrong(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func TestVerificationBySMS(t *testing.T) {
	e := newVerifyEnv(t, false)
	cid := e.createCustomer(sampleCustomer())
	iid := e.liveInteraction(cid)
	before := time.Now()

	v := e.start(e.agentTok, iid, map[string]any{"method": "sms"}, http.StatusCreated)
	if v.Method != "sms" || v.Status != "pending" || v.Destination != "+1 ***-***-0134" || v.AttemptsLeft == nil || *v.AttemptsLeft != 3 {
		t.Errorf("started: %+v", v)
	}
	if v.ExpiresAt == nil || v.ExpiresAt.Before(before.Add(5*time.Minute-time.Second)) || v.ExpiresAt.After(time.Now().Add(5*time.Minute+time.Second)) {
		t.Errorf("expires_at %v, want five minutes from now", v.ExpiresAt)
	}
	msg := e.gw.last(t)
	if msg.To != "+14155550134" || msg.Auth != "Bearer "+gatewaySecret || !strings.HasPrefix(msg.ContentType, "application/json") {
		t.Errorf("gateway received %+v", msg)
	}
	code := codeIn(t, msg.Message)
	for _, pii := range []string{"Jane", "Smith", "0134", "ACC", "62701", "1984"} {
		if strings.Contains(msg.Message, pii) {
			t.Errorf("the message carries customer data %q: %q", pii, msg.Message)
		}
	}
	if e.verifiedAt(iid) != nil {
		t.Fatal("verified before the code was checked")
	}

	c, _ := e.check(e.agentTok, iid, v.ID, wrong(code), http.StatusOK)
	if c.Result != "failed" || c.AttemptsLeft != 2 {
		t.Errorf("wrong code: %+v", c)
	}
	if ev := e.lastAudit(); ev.Action != "verification.check" || ev.Outcome != "failure" || ev.Reason != "wrong_code" {
		t.Errorf("audit of a wrong code: %+v", ev)
	}
	e.must(e.do(e.agentTok, "POST", "/api/v1/interactions/"+iid+"/verification/"+v.ID+"/check", map[string]string{"code": "12a456"}), http.StatusBadRequest)
	c, _ = e.check(e.agentTok, iid, v.ID, " "+code+" ", http.StatusOK)
	if c.Result != "passed" {
		t.Fatalf("right code: %+v", c)
	}
	if ev := e.lastAudit(); ev.Action != "verification.check" || ev.Outcome != "success" || ev.Details["result"] != "passed" {
		t.Errorf("audit of a pass: %+v", ev)
	}
	if e.verifiedAt(iid) == nil {
		t.Error("verified_at not set after a pass")
	}
	// A passed verification is spent.
	_, r := e.check(e.agentTok, iid, v.ID, code, http.StatusConflict)
	if r.errCode() != "verification_spent" {
		t.Errorf("reuse: %s", r.Body)
	}
	// Only registered destinations, by index.
	r = e.do(e.agentTok, "POST", "/api/v1/interactions/"+iid+"/verification", map[string]any{"method": "sms", "destination": 1})
	if r.Status != http.StatusUnprocessableEntity || r.errCode() != "no_destination" {
		t.Errorf("second phone of a customer with one: %d %s", r.Status, r.Body)
	}
	r = e.do(e.agentTok, "POST", "/api/v1/interactions/"+iid+"/verification", map[string]any{"method": "sms", "to": "+14155550199"})
	if r.Status != http.StatusBadRequest || r.errCode() != "unknown_field" {
		t.Errorf("a destination supplied by the agent: %d %s", r.Status, r.Body)
	}
	// The code never appears in clear at rest, in the audit log or logs.
	assertNotStored(t, e.env, code, "+14155550134", "4155550134")
}

func TestVerificationByEmail(t *testing.T) {
	e := newVerifyEnv(t, true)
	cid := e.createCustomer(sampleCustomer())
	iid := e.liveInteraction(cid)

	v := e.start(e.agentTok, iid, map[string]any{"method": "email"}, http.StatusCreated)
	if v.Method != "email" || v.Destination != "j***@example.com" {
		t.Errorf("started: %+v", v)
	}
	m := readMail(t, e.maildir)
	if to := m.Header.Get("To"); to != "jane.smith@example.com" {
		t.Errorf("To: %q", to)
	}
	if from := m.Header.Get("From"); from != "verify@bank.example" {
		t.Errorf("From: %q", from)
	}
	body, err := io.ReadAll(m.Body)
	if err != nil {
		t.Fatal(err)
	}
	code := codeIn(t, string(body))
	if strings.Contains(string(body)+m.Header.Get("Subject"), "Jane") {
		t.Errorf("the email carries the customer's name: %s", body)
	}
	c, _ := e.check(e.agentTok, iid, v.ID, code, http.StatusOK)
	if c.Result != "passed" {
		t.Fatalf("right code: %+v", c)
	}
	if e.verifiedAt(iid) == nil {
		t.Error("verified_at not set after a pass")
	}
	assertNotStored(t, e.env, code, "jane.smith@example.com")
}

func TestVerificationWrongCodesSpend(t *testing.T) {
	e := newVerifyEnv(t, false)
	cid := e.createCustomer(sampleCustomer())
	iid := e.liveInteraction(cid)
	v := e.start(e.agentTok, iid, map[string]any{"method": "sms"}, http.StatusCreated)
	code := codeIn(t, e.gw.last(t).Message)
	for left := 2; left >= 0; left-- {
		c, _ := e.check(e.agentTok, iid, v.ID, wrong(code), http.StatusOK)
		if c.Result != "failed" || c.AttemptsLeft != left {
			t.Fatalf("wrong code: %+v, want %d left", c, left)
		}
	}
	_, r := e.check(e.agentTok, iid, v.ID, code, http.StatusConflict)
	if r.errCode() != "verification_spent" || !strings.Contains(string(r.Body), "used up") {
		t.Errorf("right code after 3 wrong ones: %s", r.Body)
	}
	if e.verifiedAt(iid) != nil {
		t.Error("verified after the attempts were used up")
	}
}

func TestVerificationExpiry(t *testing.T) {
	e := newVerifyEnv(t, false)
	cid := e.createCustomer(sampleCustomer())
	iid := e.liveInteraction(cid)
	v := e.start(e.agentTok, iid, map[string]any{"method": "sms"}, http.StatusCreated)
	code := codeIn(t, e.gw.last(t).Message)

	e.app.Verification.SetClock(func() time.Time { return v.ExpiresAt.Add(-time.Second) })
	c, _ := e.check(e.agentTok, iid, v.ID, wrong(code), http.StatusOK)
	if c.Result != "failed" {
		t.Fatalf("wrong code just before expiry: %+v", c)
	}
	e.app.Verification.SetClock(func() time.Time { return *v.ExpiresAt })
	_, r := e.check(e.agentTok, iid, v.ID, code, http.StatusConflict)
	if r.errCode() != "verification_spent" || !strings.Contains(string(r.Body), "expired") {
		t.Errorf("right code at expiry: %s", r.Body)
	}
	if e.verifiedAt(iid) != nil {
		t.Error("verified with an expired code")
	}
}

func TestVerificationKBA(t *testing.T) {
	e := newVerifyEnv(t, false)
	cid := e.createCustomer(sampleCustomer())
	iid := e.liveInteraction(cid)
	stored := []string{"1984-07-28", "62701", "ACC12345678", "5678", "Springfield", "Jane", "0134"}
	noStored := func(r resp) {
		t.Helper()
		body := withoutRandomIDs(t, r.Body) // a random id may contain "0134" by chance
		for _, s := range stored {
			if strings.Contains(body, s) {
				t.Errorf("the answer shows the stored value %q: %s", s, r.Body)
			}
		}
	}
	for _, tc := range []struct {
		name    string
		answers map[string]string
		want    string
	}{
		{"date and postcode", map[string]string{"date_of_birth": "1984-07-28", "postcode": "62701"}, "passed"},
		{"normalized forms", map[string]string{"date_of_birth": "1984/7/28", "account_last4": " 5678 "}, "passed"},
		{"wrong date", map[string]string{"date_of_birth": "1984-07-29", "postcode": "62701"}, "failed"},
		{"wrong account", map[string]string{"postcode": "62 701", "account_last4": "1234"}, "failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			iid := e.liveInteraction(cid)
			r := e.must(e.do(e.agentTok, "POST", "/api/v1/interactions/"+iid+"/verification", map[string]any{"method": "kba", "answers": tc.answers}), http.StatusCreated)
			var v startedView
			r.json(t, &v)
			if v.Result != tc.want || v.Status != tc.want {
				t.Errorf("result %+v, want %s", v, tc.want)
			}
			if tc.want == "failed" {
				noStored(r)
			}
			ev := e.lastAudit()
			if ev.Action != "verification.start" || (tc.want == "failed") != (ev.Outcome == "failure") {
				t.Errorf("audit: %+v", ev)
			}
			if got := e.verifiedAt(iid) != nil; got != (tc.want == "passed") {
				t.Errorf("verified = %v after %s", got, tc.want)
			}
			raw, _ := json.Marshal(ev)
			body := withoutRandomIDs(t, raw)
			for k, v := range tc.answers {
				if v = strings.TrimSpace(v); strings.Contains(body, v) {
					t.Errorf("the audit event carries the answer %s", k)
				}
			}
		})
	}
	for _, bad := range []map[string]any{
		{"method": "kba"},
		{"method": "kba", "answers": map[string]string{"postcode": "62701"}},
		{"method": "kba", "answers": map[string]string{"date_of_birth": "28/07/1984", "postcode": "62701"}},
		{"method": "kba", "answers": map[string]string{"account_last4": "12345", "postcode": "62701"}},
		{"method": "kba", "answers": map[string]string{"postcode": "62701", "mother": "x"}},
		{"method": "kba", "destination": 0, "answers": map[string]string{"date_of_birth": "1984-07-28", "postcode": "62701"}},
	} {
		r := e.do(e.agentTok, "POST", "/api/v1/interactions/"+iid+"/verification", bad)
		if r.Status != http.StatusBadRequest {
			t.Errorf("%v: status %d %s", bad, r.Status, r.Body)
		}
		noStored(r)
	}
}

// withoutRandomIDs returns the JSON body b without its random identifiers
// and timestamps (keys "id", "*_id", "resource", "time", "*_at", at any
// depth), for tests that look for short digit strings in the rest of it.
func withoutRandomIDs(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if k == "id" || k == "resource" || k == "time" || strings.HasSuffix(k, "_id") || strings.HasSuffix(k, "_at") {
					delete(x, k)
					continue
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(v)
	out, _ := json.Marshal(v)
	return string(out)
}

func TestVerificationScope(t *testing.T) {
	e := newVerifyEnv(t, false)
	cid := e.createCustomer(sampleCustomer())
	iid := e.liveInteraction(cid)
	kba := map[string]any{"method": "kba", "answers": map[string]string{"date_of_birth": "1984-07-28", "postcode": "62701"}}

	// Another agent finds no such interaction; nothing is sent.
	r := e.do(e.otherTok, "POST", "/api/v1/interactions/"+iid+"/verification", map[string]any{"method": "sms"})
	if r.Status != http.StatusNotFound {
		t.Errorf("other agent starts: %d %s", r.Status, r.Body)
	}
	if ev := e.lastAudit(); ev.Action != "verification.start" || ev.Outcome != "denied" {
		t.Errorf("audit of the other agent: %+v", ev)
	}
	if e.gw.count() != 0 {
		t.Error("a code was sent for an agent not assigned to the interaction")
	}
	v := e.start(e.agentTok, iid, map[string]any{"method": "sms"}, http.StatusCreated)
	code := codeIn(t, e.gw.last(t).Message)
	_, r = e.check(e.otherTok, iid, v.ID, code, http.StatusNotFound)
	e.must(e.do(e.otherTok, "POST", "/api/v1/interactions/"+iid+"/end", nil), http.StatusNotFound)
	// Roles that may not verify.
	for _, role := range []string{identity.RoleQAAnalyst, identity.RolePrivacyOfficer, identity.RoleAuditor, identity.RoleIntegration} {
		if r := e.do(role, "POST", "/api/v1/interactions/"+iid+"/verification", kba); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
			t.Errorf("%s starts a verification: %d", role, r.Status)
		}
	}
	// A verification of another interaction is not found here.
	other := e.liveInteraction(cid)
	e.check(e.agentTok, other, v.ID, code, http.StatusNotFound)

	// The assigned agent ends the interaction; verification ends with it.
	var ended struct {
		EndedAt *time.Time `json:"ended_at"`
	}
	e.must(e.do(e.agentTok, "POST", "/api/v1/interactions/"+iid+"/end", nil), http.StatusOK).json(t, &ended)
	if ended.EndedAt == nil {
		t.Fatal("ended_at not set")
	}
	if ev := e.lastAudit(); ev.Action != "interaction.end" || ev.Outcome != "success" {
		t.Errorf("audit of the end: %+v", ev)
	}
	r = e.must(e.do(e.agentTok, "POST", "/api/v1/interactions/"+iid+"/end", nil), http.StatusConflict)
	_, r = e.check(e.agentTok, iid, v.ID, code, http.StatusConflict)
	if r.errCode() != "interaction_ended" {
		t.Errorf("check after the end: %s", r.Body)
	}
	if e.verifiedAt(iid) != nil {
		t.Error("verified after the interaction ended")
	}
	r = e.must(e.do(e.agentTok, "POST", "/api/v1/interactions/"+iid+"/verification", kba), http.StatusConflict)
	if r.errCode() != "interaction_ended" {
		t.Errorf("start after the end: %s", r.Body)
	}
	// An interaction ingested with ended_at is not live; an integration
	// ends live ones whoever handles them.
	closed := callInteraction(cid)
	closed["agent"] = e.agentID
	e.must(e.do(e.agentTok, "POST", "/api/v1/interactions/"+e.createInteraction(closed)+"/verification", kba), http.StatusConflict)
	e.must(e.do(identity.RoleIntegration, "POST", "/api/v1/interactions/"+other+"/end", nil), http.StatusOK)
}

func TestVerificationLimits(t *testing.T) {
	e := newVerifyEnv(t, false, "--verification-max-starts", "3")
	cid := e.createCustomer(sampleCustomer())
	iid := e.liveInteraction(cid)

	// A delivery failure creates no verification and uses no start.
	e.gw.setStatus(http.StatusBadGateway)
	r := e.do(e.agentTok, "POST", "/api/v1/interactions/"+iid+"/verification", map[string]any{"method": "sms"})
	if r.Status != http.StatusServiceUnavailable || r.errCode() != "delivery_failed" {
		t.Errorf("gateway failure: %d %s", r.Status, r.Body)
	}
	e.app.Store.View(context.Background(), func(tx store.Tx) error {
		if n, err := tx.CountVerifications(context.Background(), iid); err != nil || n != 0 {
			t.Errorf("verifications after a failed delivery: %d, %v", n, err)
		}
		return nil
	})
	e.gw.setStatus(http.StatusOK)
	for range 3 {
		e.start(e.agentTok, iid, map[string]any{"method": "sms"}, http.StatusCreated)
	}
	r = e.do(e.agentTok, "POST", "/api/v1/interactions/"+iid+"/verification", map[string]any{"method": "sms"})
	if r.Status != http.StatusTooManyRequests || r.errCode() != "too_many_verifications" {
		t.Errorf("fourth start: %d %s", r.Status, r.Body)
	}
	// Email is not configured here.
	r = e.do(e.agentTok, "POST", "/api/v1/interactions/"+e.liveInteraction(cid)+"/verification", map[string]any{"method": "email"})
	if r.Status != http.StatusUnprocessableEntity || r.errCode() != "method_unavailable" {
		t.Errorf("email without SMTP: %d %s", r.Status, r.Body)
	}
}

func TestVerificationTakeoverSignal(t *testing.T) {
	e := newVerifyEnv(t, false)
	cid := e.createCustomer(sampleCustomer())
	bystander := e.createCustomer(sampleCustomer())
	badKBA := map[string]any{"method": "kba", "answers": map[string]string{"date_of_birth": "1990-01-01", "postcode": "10001"}}
	signals := func() []map[string]any {
		var out []map[string]any
		e.app.Store.View(context.Background(), func(tx store.Tx) error {
			recs, err := tx.SearchAudit(context.Background(), store.AuditQuery{Action: "verification.takeover_signal", Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				var ev map[string]any
				json.Unmarshal(r.Body, &ev)
				out = append(out, ev)
			}
			return nil
		})
		return out
	}
	// Failures of another customer do not count.
	e.start(e.agentTok, e.liveInteraction(bystander), badKBA, http.StatusCreated)
	e.start(e.agentTok, e.liveInteraction(bystander), badKBA, http.StatusCreated)

	// One failed knowledge check and one code verification used up, in
	// two interactions: below the threshold of 3.
	e.start(e.agentTok, e.liveInteraction(cid), badKBA, http.StatusCreated)
	iid := e.liveInteraction(cid)
	v := e.start(e.agentTok, iid, map[string]any{"method": "sms"}, http.StatusCreated)
	code := codeIn(t, e.gw.last(t).Message)
	for range 3 {
		e.check(e.agentTok, iid, v.ID, wrong(code), http.StatusOK)
	}
	if s := signals(); len(s) != 0 {
		t.Fatalf("signal below the threshold: %v", s)
	}
	// A pending code with a wrong attempt is not a failure either.
	v2 := e.start(e.agentTok, iid, map[string]any{"method": "sms"}, http.StatusCreated)
	e.check(e.agentTok, iid, v2.ID, wrong(codeIn(t, e.gw.last(t).Message)), http.StatusOK)
	if s := signals(); len(s) != 0 {
		t.Fatalf("signal for a pending verification: %v", s)
	}
	// The third failure raises it.
	e.start(e.agentTok, e.liveInteraction(cid), badKBA, http.StatusCreated)
	s := signals()
	if len(s) != 1 {
		t.Fatalf("%d signals after the third failure, want 1", len(s))
	}
	ev := s[0]
	details, _ := ev["details"].(map[string]any)
	if ev["resource"] != "customer/"+cid || ev["code"] != "CF-8010" || details["severity"] != "high" || details["failures"] != float64(3) {
		t.Errorf("signal: %v", ev)
	}
	// Outside the window, old failures no longer count.
	e.app.Verification.SetClock(func() time.Time { return time.Now().Add(25 * time.Hour) })
	e.start(e.agentTok, e.liveInteraction(cid), badKBA, http.StatusCreated)
	if s := signals(); len(s) != 1 {
		t.Errorf("%d signals after the window passed, want 1", len(s))
	}
}

// assertNotStored checks that none of secrets appears in clear in the data
// directory (database, WAL, blobs), the audit log or the server's logs.
func assertNotStored(t *testing.T, e *env, secrets ...string) {
	t.Helper()
	look := func(where string, b []byte) {
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%q found in clear in %s", s, where)
			}
		}
	}
	err := filepath.WalkDir(e.dataDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		look(p, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.app.Store.View(context.Background(), func(tx store.Tx) error {
		recs, err := tx.ListAudit(context.Background(), 1, 100000)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			look(fmt.Sprintf("audit record %d", r.Seq), r.Body)
		}
		return nil
	})
	look("server log", e.logs.Bytes())
}

// startSMTP runs Debian's aiosmtpd on a free loopback port, storing mail in
// a maildir, and returns its address and the maildir. extra are more
// aiosmtpd options (e.g. --tlscert/--tlskey for STARTTLS).
func startSMTP(t *testing.T, extra ...string) (addr, maildir string) {
	t.Helper()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import aiosmtpd").Run(); err != nil {
		if py, err = exec.LookPath("python3"); err != nil || exec.Command(py, "-c", "import aiosmtpd").Run() != nil {
			t.Skip("python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd); skipping the real SMTP server test")
		}
	}
	maildir = filepath.Join(t.TempDir(), "mail")
	for attempt := 0; attempt < 5; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = l.Addr().String()
		l.Close()
		cmd := exec.Command(py, append(append([]string{"-m", "aiosmtpd", "-n", "-l", addr}, extra...), "-c", "aiosmtpd.handlers.Mailbox", maildir)...)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			select {
			case <-exited:
				deadline = time.Time{}
				continue
			default:
			}
			if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				c.Close()
				t.Cleanup(func() {
					cmd.Process.Kill()
					<-exited
				})
				return addr, maildir
			}
			time.Sleep(50 * time.Millisecond)
		}
		cmd.Process.Kill()
		<-exited
		t.Logf("aiosmtpd on %s did not start: %s", addr, out.String())
	}
	t.Fatal("could not start aiosmtpd")
	return "", ""
}

// readMail returns the one message delivered to maildir.
func readMail(t *testing.T, maildir string) *mail.Message {
	t.Helper()
	var files []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		files, _ = filepath.Glob(filepath.Join(maildir, "new", "*"))
		if len(files) > 0 {
			break
		}
	}
	if len(files) != 1 {
		t.Fatalf("%d messages delivered, want 1", len(files))
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	m, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestVerificationConcurrency races checks and starts on SQLite and
// PostgreSQL: a code gets exactly 3 wrong attempts, an interaction exactly
// its maximum of starts.
func TestVerificationConcurrency(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			var args []string
			if backend == "postgres" {
				u, _ := pgSchemaURL(t)
				args = []string{"--database-url", u}
			}
			e := newVerifyEnv(t, false, append(args, "--verification-max-starts", "4")...)
			cid := e.createCustomer(sampleCustomer())
			iid := e.liveInteraction(cid)
			v := e.start(e.agentTok, iid, map[string]any{"method": "sms"}, http.StatusCreated)
			code := codeIn(t, e.gw.last(t).Message)

			const n = 10
			statuses := make(chan int, n)
			var wg sync.WaitGroup
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses <- e.do(e.agentTok, "POST", "/api/v1/interactions/"+iid+"/verification/"+v.ID+"/check", map[string]string{"code": wrong(code)}).Status
				}()
			}
			wg.Wait()
			close(statuses)
			counts := map[int]int{}
			for s := range statuses {
				counts[s]++
			}
			if counts[http.StatusOK] != 3 || counts[http.StatusConflict] != n-3 {
				t.Errorf("concurrent wrong codes: %v, want 3 checked and %d spent", counts, n-3)
			}

			kba := map[string]any{"method": "kba", "answers": map[string]string{"date_of_birth": "1984-07-28", "postcode": "62701"}}
			statuses = make(chan int, n)
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses <- e.do(e.agentTok, "POST", "/api/v1/interactions/"+iid+"/verification", kba).Status
				}()
			}
			wg.Wait()
			close(statuses)
			counts = map[int]int{}
			for s := range statuses {
				counts[s]++
			}
			if counts[http.StatusCreated] != 3 || counts[http.StatusTooManyRequests] != n-3 {
				t.Errorf("concurrent starts with 1 of 4 used: %v, want 3 created and %d refused", counts, n-3)
			}
			e.auditCount() // the chain still verifies
		})
	}
}

// TestVerificationTakeoverAlert: the detection engine turns the takeover
// signal into an alert that security admins see.
func TestVerificationTakeoverAlert(t *testing.T) {
	e := newVerifyEnv(t, false, "--verification-takeover-threshold", "2")
	cid := e.createCustomer(sampleCustomer())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.app.MonitorEngine.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	badKBA := map[string]any{"method": "kba", "answers": map[string]string{"date_of_birth": "1990-01-01", "account_last4": "0000"}}
	e.start(e.agentTok, e.liveInteraction(cid), badKBA, http.StatusCreated)
	e.start(e.agentTok, e.liveInteraction(cid), badKBA, http.StatusCreated)
	var alerts struct {
		Items []struct {
			Rule, Severity, Summary string
		}
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		e.must(e.do(identity.RoleSecurityAdmin, "GET", "/api/v1/alerts?rule=account_takeover&limit=10", nil), http.StatusOK).json(t, &alerts)
		if len(alerts.Items) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no account_takeover alert after the takeover signal")
		}
	}
	if a := alerts.Items[0]; a.Severity != "high" || !strings.Contains(a.Summary, cid) || strings.Contains(strings.ReplaceAll(a.Summary, cid, ""), "1984") {
		t.Errorf("alert %+v", a)
	}
}

// TestVerificationByEmailSTARTTLS sends the code through aiosmtpd with
// STARTTLS required, trusting its certificate through
// verification_smtp_ca_file; without that CA the delivery fails closed.
func TestVerificationByEmailSTARTTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "smtp-cert.pem"), filepath.Join(dir, "smtp-key.pem")
	if _, err := tlsutil.EnsureSelfSigned(cert, key, nil); err != nil {
		t.Fatal(err)
	}
	addr, maildir := startSMTP(t, "--tlscert", cert, "--tlskey", key)
	common := []string{"--verification-smtp-addr", addr, "--verification-smtp-from", "verify@bank.example", "--verification-smtp-security", "starttls"}

	// Not trusting the server's certificate: nothing is sent, nothing started.
	untrusting := newVerifyEnv(t, false, common...)
	cid := untrusting.createCustomer(sampleCustomer())
	r := untrusting.do(untrusting.agentTok, "POST", "/api/v1/interactions/"+untrusting.liveInteraction(cid)+"/verification", map[string]any{"method": "email"})
	if r.Status != http.StatusServiceUnavailable || r.errCode() != "delivery_failed" {
		t.Fatalf("untrusted certificate: %d %s", r.Status, r.Body)
	}

	e := newVerifyEnv(t, false, append(common, "--verification-smtp-ca-file", cert)...)
	cid = e.createCustomer(sampleCustomer())
	iid := e.liveInteraction(cid)
	v := e.start(e.agentTok, iid, map[string]any{"method": "email"}, http.StatusCreated)
	m := readMail(t, maildir)
	body, err := io.ReadAll(m.Body)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := e.check(e.agentTok, iid, v.ID, codeIn(t, string(body)), http.StatusOK); c.Result != "passed" {
		t.Fatalf("right code: %+v", c)
	}
}
