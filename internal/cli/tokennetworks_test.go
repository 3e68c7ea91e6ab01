package cli_test

import (
	"strings"
	"testing"
)

// TestTokensCreateWithNetworks creates tokens limited to networks with
// --cidr, refuses bad lists with a precise message and no token, and shows
// the networks in tokens list.
func TestTokensCreateWithNetworks(t *testing.T) {
	dir := t.TempDir() + "/data"
	out, e, code := run(t, "tokens", "create", "--data", dir, "--name", "ivr", "--role", "integration",
		"--cidr", "10.20.0.0/16, 2001:db8::/32,192.0.2.7")
	if code != 0 || !strings.HasPrefix(strings.TrimSpace(out), "cft_") {
		t.Fatalf("tokens create --cidr: %d %q %s", code, out, e)
	}
	if !strings.Contains(e, "networks 10.20.0.0/16,2001:db8::/32,192.0.2.7/32") {
		t.Errorf("tokens create did not confirm the canonical networks: %s", e)
	}
	if _, e, code := run(t, "tokens", "create", "--data", dir, "--name", "crm", "--role", "integration"); code != 0 {
		t.Fatalf("tokens create: %s", e)
	}

	for _, tc := range []struct{ cidr, msg string }{
		{"10.1.2.3/8", `networks[0]: "10.1.2.3/8" has host bits set; did you mean 10.0.0.0/8?`},
		{"10.0.0.0/8,banana", `networks[1]: "banana" is not an IP address or CIDR prefix`},
		{"10.0.0.0/33", `networks[0]: "10.0.0.0/33" is not a CIDR prefix`},
		{"10.0.0.0/8,,", `networks[1]: empty`},
		{strings.Repeat("10.0.0.0/8,", 33) + "10.0.0.0/8", "networks: at most 32 prefixes, got 34"},
	} {
		out, e, code := run(t, "tokens", "create", "--data", dir, "--name", "bad", "--role", "integration", "--cidr", tc.cidr)
		if code != 1 || out != "" || !strings.Contains(e, tc.msg) {
			t.Errorf("--cidr %.40q: exit %d, out %q, stderr %q; want exit 1 and %q", tc.cidr, code, out, e, tc.msg)
		}
	}

	list, e, code := run(t, "tokens", "list", "--data", dir)
	if code != 0 {
		t.Fatalf("tokens list: %d %s", code, e)
	}
	if !strings.Contains(list, "NETWORKS") {
		t.Errorf("tokens list has no NETWORKS column:\n%s", list)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(list), "\n")[1:] {
		f := strings.Fields(line)
		rows[f[1]] = f[len(f)-1]
	}
	want := map[string]string{"ivr": "10.20.0.0/16,2001:db8::/32,192.0.2.7/32", "crm": "any"}
	if len(rows) != len(want) || rows["ivr"] != want["ivr"] || rows["crm"] != want["crm"] {
		t.Errorf("tokens list networks = %v, want %v (and no token from the refused creations)\n%s", rows, want, list)
	}
}
