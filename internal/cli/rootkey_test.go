package cli_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRotateRootKey rotates the root key of an installation with a
// customer in it: stage with the old key, serve with the new key while
// staged, finish, and check that the old key opens nothing, the customer
// reads back with the new key, and the audit log (same checkpoint key)
// verifies and records each step.
func TestRotateRootKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	keyDir := t.TempDir()
	if err := os.Chmod(keyDir, 0o700); err != nil { // serve refuses a key in a directory others can read
		t.Fatal(err)
	}
	newKey := filepath.Join(keyDir, "root-2026.key")
	tok, e, code := run(t, "tokens", "create", "--data", dir, "--name", "dpo", "--role", "privacy_officer")
	if code != 0 {
		t.Fatalf("tokens create: %s", e)
	}
	dpo := strings.TrimSpace(tok)
	tok, _, _ = run(t, "tokens", "create", "--data", dir, "--name", "crm", "--role", "integration")
	crm := strings.TrimSpace(tok)

	base, stop := serve(t, dir)
	var created struct{ ID string }
	call(t, dir, base, crm, "POST", "/api/v1/customers", `{"name":"Ada Lovelace","phones":["+44 20 7946 0958"]}`, 201, &created)
	stop()
	key, _, _ := run(t, "audit", "key", "--data", dir)

	if _, e, code := run(t, "keys", "rotate-root", "--data", dir); code != 2 || !strings.Contains(e, "exactly one of") {
		t.Errorf("rotate-root without a mode: %d %s", code, e)
	}
	if _, e, code := run(t, "keys", "rotate-root", "--data", dir, "--new-key-file", filepath.Join(dir, "root.key")); code != 2 || !strings.Contains(e, "current root key") {
		t.Errorf("rotate-root to the current key: %d %s", code, e)
	}
	out, e, code := run(t, "keys", "rotate-root", "--data", dir, "--new-key-file", newKey)
	if code != 0 || !strings.Contains(out, "staged: kek, blind-index, audit-checkpoint") {
		t.Fatalf("stage: %d %s %s", code, out, e)
	}
	if fi, err := os.Stat(newKey); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("new key file: %v %v", fi, err)
	}
	if out, _, _ := run(t, "keys", "status", "--data", dir); !strings.Contains(out, "root-key rotation staged") {
		t.Errorf("keys status while staged: %s", out)
	}
	if _, e, code := run(t, "keys", "rotate", "--data", dir); code != 1 || !strings.Contains(e, "root-key rotation is staged") {
		t.Errorf("keys rotate while staged: %d %s", code, e)
	}
	// A node on the new key works before the rotation is finished.
	base, stop = serve(t, dir, "--root-key-file", newKey)
	call(t, dir, base, dpo, "GET", "/api/v1/customers/"+created.ID, "", 200, nil)
	stop()
	if _, e, code := run(t, "keys", "rotate-root", "--data", dir, "--finish"); code != 1 || !strings.Contains(e, "does not open") {
		t.Errorf("finish on the old key: %d %s", code, e)
	}
	out, e, code = run(t, "keys", "rotate-root", "--data", dir, "--root-key-file", newKey, "--finish")
	if code != 0 || !strings.Contains(out, "finished: kek, blind-index, audit-checkpoint") {
		t.Fatalf("finish: %d %s %s", code, out, e)
	}
	if _, e, code := run(t, "keys", "status", "--data", dir); code != 1 || !strings.Contains(e, "decryption failed") {
		t.Errorf("the retired root key still opens the installation: %d %s", code, e)
	}
	base, stop = serve(t, dir, "--root-key-file", newKey)
	var revealed struct {
		Name string `json:"name"`
	}
	call(t, dir, base, dpo, "POST", "/api/v1/customers/"+created.ID+"/reveal", `{"fields":["name"],"reason":"root key rotation check"}`, 200, &revealed)
	stop()
	if revealed.Name != "Ada Lovelace" {
		t.Errorf("revealed name %q after the rotation", revealed.Name)
	}
	out, e, code = run(t, "audit", "verify", "--data", dir, "--root-key-file", newKey)
	if code != 0 || !strings.Contains(out, "audit log OK") {
		t.Fatalf("audit verify after the rotation: %d %s %s", code, out, e)
	}
	if k2, _, _ := run(t, "audit", "key", "--data", dir, "--root-key-file", newKey); k2 != key {
		t.Errorf("the audit verifier key changed: %q → %q", key, k2)
	}
	export := filepath.Join(t.TempDir(), "export")
	run(t, "audit", "export", "--data", dir, "--root-key-file", newKey, "--out", export)
	leaves, err := os.ReadFile(filepath.Join(export, "leaves"))
	if err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"keys.root_stage", "keys.root_finish"} {
		if !strings.Contains(decodeLeaves(t, leaves), `"action":"`+action+`"`) {
			t.Errorf("no %s event in the audit log", action)
		}
	}
}

// call makes one API request as token over the installation's TLS
// certificate, checks the status and decodes the JSON answer into out.
func call(t *testing.T, dir, base, token, method, path, body string, status int, out any) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := tlsClient(t, dir).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, b, status)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
}

// decodeLeaves returns the events of an export's leaves file, one per line.
func decodeLeaves(t *testing.T, leaves []byte) string {
	t.Helper()
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(leaves)), "\n") {
		ev, err := base64.StdEncoding.DecodeString(line)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(ev)
		b.WriteByte('\n')
	}
	return b.String()
}
