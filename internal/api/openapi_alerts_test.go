package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/identity"
)

// exerciseAlerts drives the detection routes through the real server: a
// honey customer is created and read, which raises an alert (the engine
// runs in the test), and the alert is listed and acknowledged.
func exerciseAlerts(t *testing.T, s *server) {
	const secAdmin, agent, supervisor = identity.RoleSecurityAdmin, identity.RoleAgent, identity.RoleSupervisor
	var honey struct{ ID string }
	s.do(201, secAdmin, "POST", "/api/v1/honey-customers", nil).decode(t, &honey)
	s.do(403, agent, "POST", "/api/v1/honey-customers", nil)
	s.do(200, supervisor, "GET", "/api/v1/customers/"+honey.ID, nil) // the supervisor's token is revoked
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.app.MonitorEngine.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	var page struct {
		Items []struct{ ID, Rule, Status string }
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(page.Items) == 0 && time.Now().Before(deadline) {
		s.do(200, secAdmin, "GET", "/api/v1/alerts?rule=honey&status=open&limit=10", nil).decode(t, &page)
		if len(page.Items) == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if len(page.Items) != 1 || page.Items[0].Rule != "honey" {
		t.Fatalf("alerts after a honey read: %+v", page.Items)
	}
	id := page.Items[0].ID
	s.do(400, secAdmin, "GET", "/api/v1/alerts?limit=0", nil)
	s.do(400, secAdmin, "GET", "/api/v1/alerts?colour=red", nil)
	s.do(403, agent, "GET", "/api/v1/alerts", nil)
	ack := "/api/v1/alerts/" + id + "/ack"
	s.do(400, secAdmin, "POST", ack, map[string]any{"reason": ""})
	s.do(403, agent, "POST", ack, map[string]any{"reason": "mine"})
	s.do(200, secAdmin, "POST", ack, map[string]any{"reason": "red-team exercise"})
	s.do(409, secAdmin, "POST", ack, map[string]any{"reason": "again"})
	s.do(404, secAdmin, "POST", "/api/v1/alerts/"+strings.Repeat("0", 36)+"/ack", map[string]any{"reason": "x"})
}
