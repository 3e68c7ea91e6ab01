package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// TestAuditExportAndVerify prints the key, exports the log and verifies
// the export offline with the key, then fails on an edited export.
func TestAuditExportAndVerify(t *testing.T) {
	dir := t.TempDir() + "/data"
	if _, e, code := run(t, "tokens", "create", "--data", dir, "--name", "auditor", "--role", "auditor"); code != 0 {
		t.Fatalf("tokens create: %s", e)
	}
	key, e, code := run(t, "audit", "key", "--data", dir)
	key = strings.TrimSpace(key)
	if _, err := note.NewVerifier(key); code != 0 || !strings.HasPrefix(key, "confide.local/audit/") || err != nil {
		t.Fatalf("audit key: %d %q %s", code, key, e)
	}
	out := filepath.Join(t.TempDir(), "export")
	if o, e, code := run(t, "audit", "export", "--data", dir, "--out", out); code != 0 || !strings.Contains(o, "exported 2 leaves") {
		t.Fatalf("audit export: %d %s %s", code, o, e)
	}
	if o, e, code := run(t, "audit", "verify", out, "--key", key); code != 0 || !strings.Contains(o, "export OK: 2 leaves") {
		t.Fatalf("audit verify DIR: %d %s %s", code, o, e)
	}
	if _, _, code := run(t, "audit", "verify", out, "--key", "bad"); code != 1 {
		t.Errorf("verify with a malformed key exited %d, want 1", code)
	}
	leaves := filepath.Join(out, "leaves")
	b, err := os.ReadFile(leaves)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(leaves, b[strings.IndexByte(string(b), '\n')+1:], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, e, code := run(t, "audit", "verify", out, "--key", key); code != 1 || !strings.Contains(e, "FAILED") {
		t.Errorf("verify of an export missing a leaf: %d %s", code, e)
	}
	if o, e, code := run(t, "audit", "verify", "--data", dir); code != 0 || !strings.Contains(o, "audit log OK") {
		t.Errorf("audit verify (database): %d %s %s", code, o, e)
	}
}

// TestAuditRetention applies a (flagged) short retention policy from the
// CLI: records are archived, then deleted, and the database and the
// exports still verify at each step.
func TestAuditRetention(t *testing.T) {
	dir := t.TempDir() + "/data"
	if _, e, code := run(t, "tokens", "create", "--data", dir, "--name", "auditor", "--role", "auditor"); code != 0 {
		t.Fatalf("tokens create: %s", e)
	}
	if _, e, code := run(t, "audit", "retention", "--data", dir, "--audit-hot-period", "1h"); code != 2 || !strings.Contains(e, "allow_short_audit_retention") {
		t.Fatalf("a short hot period without the flag: %d %s", code, e)
	}
	short := []string{"--data", dir, "--allow-short-audit-retention", "--audit-hot-period", "1ns"}
	if o, e, code := run(t, append([]string{"audit", "retention"}, short...)...); code != 0 || !strings.Contains(o, "archived leaves [0, ") {
		t.Fatalf("audit retention: %d %s %s", code, o, e)
	}
	if o, e, code := run(t, "audit", "verify", "--data", dir); code != 0 || !strings.Contains(o, "archived by the retention policy") {
		t.Fatalf("audit verify after archiving: %d %s %s", code, o, e)
	}
	exportAndVerify := func(name string) {
		t.Helper()
		out := filepath.Join(t.TempDir(), name)
		if o, e, code := run(t, "audit", "export", "--data", dir, "--out", out); code != 0 {
			t.Fatalf("audit export: %d %s %s", code, o, e)
		}
		if o, e, code := run(t, "audit", "verify", out); code != 0 || !strings.Contains(o, "export OK") {
			t.Fatalf("audit verify %s: %d %s %s", name, code, o, e)
		}
	}
	exportAndVerify("archived")
	if o, e, code := run(t, append([]string{"audit", "retention", "--audit-retention", "1ns"}, short...)...); code != 0 || !strings.Contains(o, "deleted leaves [0, ") {
		t.Fatalf("audit retention with expiry: %d %s %s", code, o, e)
	}
	exportAndVerify("expired")
	if o, e, code := run(t, "audit", "verify", "--data", dir); code != 0 {
		t.Fatalf("audit verify after expiry: %d %s %s", code, o, e)
	}
}
