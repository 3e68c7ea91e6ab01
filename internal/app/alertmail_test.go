package app_test

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/identity"
)

// TestAlertByEmail touches a honey customer and checks that the alert is
// mailed to security through a real SMTP server (aiosmtpd) and names the
// rule, the actor and the alert, with nothing of the customer's profile.
func TestAlertByEmail(t *testing.T) {
	addr, maildir := startSMTP(t)
	e := newEnv(t, "--verification-smtp-addr", addr, "--verification-smtp-from", "confide@bank.example",
		"--verification-smtp-security", "none", "--monitor-alert-email", "soc@bank.example")
	var honey struct{ ID string }
	e.must(e.do(identity.RoleSecurityAdmin, "POST", "/api/v1/honey-customers", nil), 201).json(t, &honey)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.app.MonitorEngine.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	e.do(identity.RoleAgent, "GET", "/api/v1/customers/"+honey.ID, nil)

	var alerts struct {
		Items []struct {
			ID      string `json:"id"`
			Rule    string `json:"rule"`
			ActorID string `json:"actor_id"`
		}
	}
	for deadline := time.Now().Add(20 * time.Second); len(alerts.Items) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no honey alert")
		}
		e.must(e.do(identity.RoleSecurityAdmin, "GET", "/api/v1/alerts?rule=honey", nil), 200).json(t, &alerts)
	}
	a := alerts.Items[0]
	if a.ID == "" || !strings.HasPrefix(a.ActorID, "tok_") {
		t.Fatalf("alert %+v", a)
	}
	var msg string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if files, _ := globMail(maildir); len(files) > 0 {
			m := readMail(t, maildir)
			if m.Header.Get("Subject") != "Confide security alert" || m.Header.Get("To") != "soc@bank.example" {
				t.Errorf("headers %v", m.Header)
			}
			b, _ := io.ReadAll(m.Body)
			msg = string(b)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no alert mail within 20 s")
		}
	}
	for _, want := range []string{"critical security alert", "Rule:      honey", a.ID, a.ActorID} {
		if !strings.Contains(msg, want) {
			t.Errorf("the mail lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "@") {
		t.Errorf("the mail holds an address:\n%s", msg)
	}
}

// globMail lists the messages delivered to maildir.
func globMail(maildir string) ([]string, error) {
	return filepath.Glob(filepath.Join(maildir, "new", "*"))
}
