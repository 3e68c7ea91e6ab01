package app_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/app"
	"github.com/confide-cc/confide/internal/config"
	"github.com/confide-cc/confide/internal/identity"
)

// conditionEnv starts a node with args and returns it with an agent of
// team "support" serving customer c (live interaction), a supervisor of
// team "sales" whose team served customer s, and both customers.
func conditionEnv(t *testing.T, args ...string) (e *env, people map[string]staffer, c, s string) {
	e = newEnv(t, args...)
	people = map[string]staffer{
		"agent":      e.staff(t, "agent@example.com", []string{"agent"}, "support"),
		"supervisor": e.staff(t, "sup@example.com", []string{"supervisor"}, "sales"),
		"qa":         e.staff(t, "qa@example.com", []string{"qa_analyst"}, ""),
	}
	c = e.createCustomer(sampleCustomer())
	s = e.createCustomer(sampleCustomer())
	e.verifyCaller(e.liveInteraction(c, people["agent"].id, "support"))
	in := callInteraction(s)
	in["queue"] = "sales"
	e.createInteraction(in)
	return e, people, c, s
}

// TestAccessConditions runs the conditions of the policies over HTTP:
// working hours per team, networks per role, security training (when the
// operator requires it) and locked accounts.
func TestAccessConditions(t *testing.T) {
	reveal := map[string]any{"fields": []string{"phones"}, "reason": "caller asked"}
	cust := func(id string) string { return "/api/v1/customers/" + id }

	t.Run("working hours", func(t *testing.T) {
		now := time.Now().UTC()
		from, to := now.Add(2*time.Hour), now.Add(3*time.Hour)
		hours := fmt.Sprintf("support=UTC mon-sun %s-%s; sales=Europe/Paris mon-sun 00:00-24:00", from.Format("15:04"), to.Format("15:04"))
		e, people, c, s := conditionEnv(t, "--working-hours", hours)
		runMatrix(t, e, people, []matrixRow{
			{who: "agent", method: "GET", path: cust(c), status: 403, reason: "outside_working_hours"},
			{who: "agent", method: "POST", path: cust(c) + "/reveal", body: reveal, status: 403, reason: "outside_working_hours"},
			{who: "agent", method: "GET", path: cust(s), status: 404, reason: "outside_working_hours"},
			{who: "agent", method: "GET", path: "/api/v1/customers?phone=%2B14155550134", status: 403, reason: "outside_working_hours"},
			{who: "agent", method: "GET", path: "/api/v1/auth/session", status: 200},
			{who: "supervisor", method: "GET", path: cust(s), status: 200},
			{who: "qa", method: "GET", path: cust(c), status: 200}, // no team, no hours
			{who: "token:integration", method: "GET", path: cust(c), status: 200},
		})
	})
	t.Run("networks", func(t *testing.T) {
		e, people, c, s := conditionEnv(t, "--role-networks", "agent=10.0.0.0/8,192.0.2.0/24; supervisor=127.0.0.0/8")
		runMatrix(t, e, people, []matrixRow{
			{who: "agent", method: "GET", path: cust(c), status: 403, reason: "network_not_allowed"},
			{who: "agent", method: "POST", path: cust(c) + "/reveal", body: reveal, status: 403, reason: "network_not_allowed"},
			{who: "agent", method: "GET", path: cust(s), status: 404, reason: "network_not_allowed"},
			{who: "supervisor", method: "GET", path: cust(s), status: 200},
			{who: "qa", method: "GET", path: cust(c), status: 200},
			{who: "token:integration", method: "GET", path: cust(c), status: 200},
		})
	})
	t.Run("training required", func(t *testing.T) {
		e, people, c, s := conditionEnv(t, "--require-training")
		runMatrix(t, e, people, []matrixRow{
			{who: "agent", method: "GET", path: cust(c), status: 403, reason: "training_expired"},
			{who: "supervisor", method: "GET", path: cust(s), status: 403, reason: "training_expired"},
			{who: "agent", method: "GET", path: "/api/v1/auth/session", status: 200},
			{who: "token:integration", method: "GET", path: cust(c), status: 200},
		})
		if _, err := e.app.Users.AttestTraining(ctxAs(identity.RoleSecurityAdmin), people["agent"].id, time.Now().Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		runMatrix(t, e, people, []matrixRow{
			{who: "agent", method: "GET", path: cust(c), status: 200},
			{who: "agent", method: "POST", path: cust(c) + "/reveal", body: reveal, status: 200},
			{who: "supervisor", method: "GET", path: cust(s), status: 403, reason: "training_expired"},
		})
	})
	t.Run("in hours, no training required, rate limit, lock", func(t *testing.T) {
		e, people, c, _ := conditionEnv(t, "--working-hours", "support=America/New_York mon-sun 00:00-24:00", "--reveal-rate", "3/1h")
		rows := []matrixRow{}
		for range 3 {
			rows = append(rows, matrixRow{who: "agent", method: "POST", path: cust(c) + "/reveal", body: reveal, status: 200})
		}
		rows = append(rows, matrixRow{who: "agent", method: "POST", path: cust(c) + "/reveal", body: reveal, status: 429, reason: "rate_limited"})
		runMatrix(t, e, people, rows)
		if r := people["agent"].do("POST", cust(c)+"/reveal", reveal); r.errCode() != "rate_limited" || !contains(r.Body, "at most 3 per 1h0m0s") {
			t.Errorf("rate limit message: %s", r.Body)
		}
		// Other people have their own budget.
		runMatrix(t, e, people, []matrixRow{{who: "token:integration", method: "GET", path: cust(c), status: 200}})

		// A contained (locked) account: its sessions end at once; the
		// policies also deny a locked principal outright
		// (TestDecideReasons in internal/authz).
		if err := e.app.Users.Contain(ctxAs(identity.RoleSecurityAdmin), people["agent"].id, "test"); err != nil {
			t.Fatal(err)
		}
		if r := people["agent"].do("GET", cust(c), nil); r.Status != 401 {
			t.Fatalf("contained agent: %d %s", r.Status, r.Body)
		}
	})
}

// TestAccessConditionsBeyondRecords checks that the conditions bind the
// routes outside customer data too (users, tokens, alerts, sessions): a
// security admin outside the allowed network manages nothing, yet may
// still see their own session.
func TestAccessConditionsBeyondRecords(t *testing.T) {
	e := newEnv(t, "--role-networks", "security_admin=10.0.0.0/8")
	admin := e.staff(t, "admin@example.com", []string{"security_admin"}, "")
	runMatrix(t, e, map[string]staffer{"admin": admin}, []matrixRow{
		{who: "admin", method: "GET", path: "/api/v1/users", status: 403, reason: "network_not_allowed"},
		{who: "admin", method: "GET", path: "/api/v1/tokens", status: 403, reason: "network_not_allowed"},
		{who: "admin", method: "GET", path: "/api/v1/alerts", status: 403, reason: "network_not_allowed"},
		{who: "token:security_admin", method: "GET", path: "/api/v1/tokens", status: 403, reason: "network_not_allowed"},
	})
	if r := admin.do("GET", "/api/v1/auth/session", nil); r.Status != 403 {
		t.Errorf("own session outside the network: %d", r.Status)
	}
}

// TestInvalidPoliciesRefuseStart checks that a node does not start with a
// policy directory that does not validate, and names the problem.
func TestInvalidPoliciesRefuseStart(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken.cedar"), []byte(`permit (principal, action, resource) when { context.nope };`), 0o600); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	cfg, _, err := config.Load(fs, []string{"--data", t.TempDir() + "/data", "--insecure-http", "--policy-dir", dir}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg, nil)
	if err == nil {
		a.Close()
		t.Fatal("the node started with an invalid policy")
	}
	if !strings.Contains(err.Error(), "broken.cedar") || !strings.Contains(err.Error(), "nope") {
		t.Errorf("error does not name the problem: %v", err)
	}
}
