package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyValidate(t *testing.T) {
	out, stderr, code := confide(t, "", "policy", "validate", "--data", t.TempDir())
	if code != 0 || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("built-in: exit %d, %q %q", code, out, stderr)
	}

	dir := t.TempDir()
	good := `@id("lead.reveal")
permit (principal, action == Action::"customer.reveal", resource)
when { principal.roles.contains("supervisor") && context.in_team && context.field == "name" };`
	if err := os.WriteFile(filepath.Join(dir, "lead.cedar"), []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = confide(t, "", "policy", "validate", "--data", t.TempDir(), "--dir", dir)
	if code != 0 || !strings.Contains(out, dir) {
		t.Fatalf("operator dir: exit %d, %q %q", code, out, stderr)
	}

	bad := `permit (principal, action == Action::"customer.read", resource) when { context.asigned };`
	if err := os.WriteFile(filepath.Join(dir, "typo.cedar"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = confide(t, "", "policy", "validate", "--data", t.TempDir(), "--dir", dir)
	if code != 1 || !strings.Contains(stderr, "typo.cedar") || !strings.Contains(stderr, "asigned") {
		t.Fatalf("invalid policy: exit %d, %q", code, stderr)
	}

	// The policy_dir setting is the default directory.
	_, stderr, code = confide(t, "", "policy", "validate", "--data", t.TempDir(), "--policy-dir", dir)
	if code != 1 || !strings.Contains(stderr, "typo.cedar") {
		t.Fatalf("policy_dir: exit %d, %q", code, stderr)
	}

	out, _, code = confide(t, "", "policy", "print", "--data", t.TempDir())
	if code != 0 || !strings.Contains(out, "// ===== agent.cedar =====") {
		t.Fatalf("print: exit %d", code)
	}
	out, _, code = confide(t, "", "policy", "table", "--data", t.TempDir())
	if code != 0 || !strings.Contains(out, "| `customer.read` |") {
		t.Fatalf("table: exit %d %q", code, out)
	}
	if _, _, code = confide(t, "", "policy", "frobnicate"); code != 2 {
		t.Fatalf("unknown subcommand: exit %d", code)
	}
}
