package cli_test

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var userIDRE = regexp.MustCompile(`created user (usr_[0-9a-f]+)`)

// TestUsersAdminCommands drives the sensitive user subcommands against a
// data directory: training attestation, role and team change, MFA reset,
// unlock, with their refusals.
func TestUsersAdminCommands(t *testing.T) {
	dir := t.TempDir() + "/data"
	_, errOut, code := run(t, "users", "create", "--data", dir, "--email", "ada@example.com", "--name", "Ada", "--role", "agent", "--team", "billing")
	if code != 0 {
		t.Fatalf("users create: %d %s", code, errOut)
	}
	id := userIDRE.FindStringSubmatch(errOut)[1]

	until := time.Now().AddDate(1, 0, 0).Format("2006-01-02")
	out, errOut, code := run(t, "users", "training", id, "--data", dir, "--until", until)
	if code != 0 || !strings.Contains(out, until+"T23:59:59Z") {
		t.Fatalf("users training: %d %q %s", code, out, errOut)
	}
	if _, errOut, code = run(t, "users", "training", id, "--data", dir, "--until", "next week"); code != 2 || !strings.Contains(errOut, "not a date") {
		t.Fatalf("users training with a bad date: %d %s", code, errOut)
	}
	if _, errOut, code = run(t, "users", "training", id, "--data", dir, "--until", "2001-01-01"); code != 1 || !strings.Contains(errOut, "in the future") {
		t.Fatalf("users training in the past: %d %s", code, errOut)
	}

	out, errOut, code = run(t, "users", "update", id, "--data", dir, "--roles", "supervisor,agent", "--team", "")
	if code != 0 || !strings.Contains(out, `roles agent,supervisor and team ""`) {
		t.Fatalf("users update: %d %q %s", code, out, errOut)
	}
	if _, errOut, code = run(t, "users", "update", id, "--data", dir, "--roles", "integration"); code != 1 || !strings.Contains(errOut, "human roles") {
		t.Fatalf("users update to integration: %d %s", code, errOut)
	}

	out, _, code = run(t, "users", "list", "--data", dir)
	if code != 0 || !strings.Contains(out, "TRAINING UNTIL") || !strings.Contains(out, until+" 23:59") || !strings.Contains(out, "agent,supervisor") {
		t.Fatalf("users list:\n%s", out)
	}

	if _, errOut, code = run(t, "users", "mfa-reset", id, "--data", dir); code != 1 || !strings.Contains(errOut, "reason") {
		t.Fatalf("users mfa-reset without a reason: %d %s", code, errOut)
	}
	out, errOut, code = run(t, "users", "mfa-reset", id, "--data", dir, "--reason", "lost phone")
	if code != 0 || !strings.Contains(out, "/enroll?token=cfl_") || !strings.Contains(errOut, "enroll again") {
		t.Fatalf("users mfa-reset: %d %q %s", code, out, errOut)
	}
	if _, errOut, code = run(t, "users", "unlock", id, "--data", dir, "--reason", "checked"); code != 1 || !strings.Contains(errOut, "not locked") {
		t.Fatalf("users unlock of an unlocked user: %d %s", code, errOut)
	}
	if _, errOut, code = run(t, "users", "mfa-reset", "--data", dir, "--reason", "x"); code != 2 {
		t.Fatalf("users mfa-reset without an id: %d %s", code, errOut)
	}
}

// TestConfigCheckFlagsLongSessions: sessions beyond the compliance limits
// need allow_long_sessions, and config check then warns.
func TestConfigCheckFlagsLongSessions(t *testing.T) {
	_, errOut, code := run(t, "config", "check", "--data", t.TempDir()+"/data", "--session-idle-timeout", "1h")
	if code != 2 || !strings.Contains(errOut, "session_idle_timeout: 1h exceeds the compliance limit") {
		t.Fatalf("long idle timeout without the flag: %d %s", code, errOut)
	}
	out, errOut, code := run(t, "config", "check", "--data", t.TempDir()+"/data", "--session-idle-timeout", "1h", "--allow-long-sessions")
	if code != 0 || !strings.Contains(errOut, "warning: allow_long_sessions: sessions exceed the compliance limits") ||
		!strings.Contains(out, "session_idle_timeout") {
		t.Fatalf("long idle timeout with the flag: %d %q %s", code, out, errOut)
	}
}
