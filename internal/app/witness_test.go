package app_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/cli"
)

// TestWitnessInObjectStore runs a node that publishes its checkpoints to
// an S3 bucket (audit_witness_url, on the real S3-compatible test server)
// and checks the objects, then verifies an export against that witness
// with the CLI — and that a witness holding another history is refused.
func TestWitnessInObjectStore(t *testing.T) {
	witness, client, bucket, prefix := s3PrefixURL(t)
	e := newEnv(t, "--audit-witness-url", witness)
	e.createCustomer(sampleCustomer())
	ctx := context.Background()
	note, size, err := e.app.Audit.Integrate(ctx)
	if err != nil || size == 0 {
		t.Fatalf("Integrate: %d %v", size, err)
	}
	get := func(key string) []byte {
		o, err := client.GetObject(ctx, bucket, prefix+"/"+key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		b, err := io.ReadAll(o)
		if err != nil {
			t.Fatalf("object %s: %v", key, err)
		}
		return b
	}
	if !bytes.Equal(get(audit.WitnessLatestKey), note) || !bytes.Equal(get(audit.WitnessKey(size)), note) {
		t.Fatal("the witness objects differ from the signed checkpoint")
	}

	out := filepath.Join(t.TempDir(), "export")
	run := func(args ...string) (string, string, int) {
		var o, er strings.Builder
		code := cli.Main(ctx, args, nil, &o, &er)
		return o.String(), er.String(), code
	}
	if o, er, code := run("audit", "export", "--data", e.dataDir, "--out", out); code != 0 {
		t.Fatalf("export: %s %s", o, er)
	}
	if o, er, code := run("audit", "verify", out, "--witness", witness); code != 0 || !strings.Contains(o, "witness OK: 1 witnessed checkpoints agree") {
		t.Fatalf("verify against the S3 witness: %d %s %s", code, o, er)
	}
	if o, er, code := run("audit", "verify", "--data", e.dataDir, "--audit-witness-url", witness); code != 0 || !strings.Contains(o, "witness s3:") || !strings.Contains(o, " OK: ") {
		t.Fatalf("verify the database against the S3 witness: %d %s %s", code, o, er)
	}
	// Another installation's history in the witness: the export disagrees.
	other := newEnv(t, "--audit-witness-url", witness)
	other.createCustomer(sampleCustomer())
	other.createCustomer(sampleCustomer())
	if _, _, err := other.app.Audit.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	// The other log's checkpoint is now witness/latest; the export's own
	// witnessed checkpoint, listed, still disagrees with it, by name.
	if o, er, code := run("audit", "verify", out, "--witness", witness); code == 0 || !strings.Contains(er, "witnessed checkpoint of size") {
		t.Errorf("verify against a witness of another log: %d %s %s", code, o, er)
	}
	if o, er, code := run("audit", "verify", "--data", e.dataDir, "--audit-witness-url", witness); code == 0 || !strings.Contains(er, "witnessed checkpoint of size") {
		t.Errorf("verify the database against a witness of another log: %d %s %s", code, o, er)
	}
}
