package app_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"io"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the test's own connection for dumping tables
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store/postgres/pgtest"
)

// pgSchemaURL returns a database URL selecting a fresh schema (dropped
// when the test ends) and the schema's name, or skips the test.
func pgSchemaURL(t *testing.T) (string, string) {
	t.Helper()
	return pgtest.Schema(t, "confide_e2e_")
}

// s3PrefixURL returns CONFIDE_TEST_S3_URL with a random key prefix
// (skipping the test if unset) and a client to inspect what was stored.
func s3PrefixURL(t *testing.T) (string, *minio.Client, string, string) {
	t.Helper()
	raw := os.Getenv("CONFIDE_TEST_S3_URL")
	if raw == "" {
		t.Skip("CONFIDE_TEST_S3_URL not set; S3 end-to-end tests skipped (run .ci/s3-server.sh)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	prefix := "e2e-" + strings.ToLower(rand.Text()[:12])
	bucket := u.Host
	u.Path = "/" + prefix
	q := u.Query()
	ep, err := url.Parse(q.Get("endpoint"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := minio.New(ep.Host, &minio.Options{
		Creds:  credentials.NewStaticV4(q.Get("access_key"), q.Get("secret_key"), ""),
		Secure: ep.Scheme == "https", Region: q.Get("region"), BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for o := range c.ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Prefix: prefix + "/", Recursive: true}) {
			if o.Err == nil {
				c.RemoveObject(context.Background(), bucket, o.Key, minio.RemoveObjectOptions{})
			}
		}
	})
	return u.String(), c, bucket, prefix
}

// dumpSchema returns every row of every table in schema as JSON text
// (bytea columns appear hex-encoded; scan looks for hex forms too).
func dumpSchema(t *testing.T, dbURL, schema string) []byte {
	t.Helper()
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, schema)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 5 {
		t.Fatalf("only %d tables in %s", len(tables), schema)
	}
	var out strings.Builder
	for _, tb := range tables {
		rs, err := db.Query(`SELECT row_to_json(t)::text FROM "` + schema + `"."` + tb + `" t`)
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			var s string
			rs.Scan(&s)
			out.WriteString(s)
			out.WriteByte('\n')
		}
		rs.Close()
	}
	return []byte(out.String())
}

// TestPostgresAndS3 runs the canary scan and the erasure on PostgreSQL and
// an S3-compatible server: nothing sensitive in any table or object, and an
// erased customer's data unreadable.
func TestPostgresAndS3(t *testing.T) {
	dbURL, schema := pgSchemaURL(t)
	blobURL, s3c, bucket, prefix := s3PrefixURL(t)
	e := newEnv(t, "--database-url", dbURL, "--blob-url", blobURL)
	plantCanaries(t, e)

	scan(t, "PostgreSQL tables", dumpSchema(t, dbURL, schema))
	objects := 0
	for o := range s3c.ListObjects(t.Context(), bucket, minio.ListObjectsOptions{Prefix: prefix + "/", Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		obj, err := s3c.GetObject(t.Context(), bucket, o.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(obj)
		obj.Close()
		if err != nil {
			t.Fatal(err)
		}
		objects++
		scan(t, "S3 object "+o.Key, b)
	}
	if objects < 2 {
		t.Fatalf("found %d objects under the prefix; the test is not looking where blobs go", objects)
	}
	scan(t, "server log", e.logs.Bytes())

	// Erase the canary customer: rows and (after collection) objects go.
	var out struct{ Items []struct{ ID string } }
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/customers?phone=415-555-0142", nil), 200).json(t, &out)
	if len(out.Items) != 1 {
		t.Fatalf("canary customer not found by phone: %+v", out)
	}
	e.must(e.do(identity.RolePrivacyOfficer, "DELETE", "/api/v1/customers/"+out.Items[0].ID, nil), 200)
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/customers/"+out.Items[0].ID, nil), 404)
	if _, err := e.app.Records.CollectBlobs(t.Context()); err != nil {
		t.Fatal(err)
	}
	left := 0
	for o := range s3c.ListObjects(t.Context(), bucket, minio.ListObjectsOptions{Prefix: prefix + "/", Recursive: true}) {
		if o.Err == nil {
			left++
		}
	}
	if left != 0 {
		t.Errorf("%d objects left after erasure and collection", left)
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range []string{"customer_keysets", "interactions", "blind_index", "blobs"} {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM "`+schema+`"."`+table+`" WHERE customer_id = $1`, out.Items[0].ID).Scan(&n); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if n != 0 {
			t.Errorf("%d rows of the erased customer left in %s", n, table)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM "`+schema+`".customers WHERE id = $1`, out.Items[0].ID).Scan(&n); err != nil || n != 0 {
		t.Errorf("customer row left (%d, %v)", n, err)
	}
}

// TestTwoNodesShareStorage runs two stateless nodes on one PostgreSQL
// schema and one bucket: what one writes the other reads, and a key
// rotation on one is picked up by the other.
func TestTwoNodesShareStorage(t *testing.T) {
	dbURL, _ := pgSchemaURL(t)
	blobURL, _, _, _ := s3PrefixURL(t)
	a := newEnv(t, "--database-url", dbURL, "--blob-url", blobURL)
	b := newEnv(t, "--database-url", dbURL, "--blob-url", blobURL, "--root-key-file", a.app.Config.RootKeyFile)
	b.tokens = a.tokens // same database, same tokens

	cid := a.createCustomer(sampleCustomer())
	iid := a.createInteraction(callInteraction(cid))
	audio := pattern(90_000, 11)
	a.must(a.do(identity.RoleIntegration, "PUT", "/api/v1/interactions/"+iid+"/recording", audio, "Content-Type", "audio/wav"), 201)
	b.must(b.do(identity.RoleAgent, "GET", "/api/v1/customers/"+cid, nil), 200)
	if r := b.must(b.do(identity.RoleAgent, "GET", "/api/v1/interactions/"+iid+"/recording", nil, "Range", "bytes=70000-70009"), 206); string(r.Body) != string(audio[70000:70010]) {
		t.Errorf("node b served wrong bytes")
	}

	ctx := ctxAs(identity.RoleITSupport)
	newKey, err := a.app.Records.RotateKEK(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.app.Records.RewrapKeysets(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// Node b has the old KEK keyset cached; it must still open the re-wrapped keyset.
	b.must(b.do(identity.RoleAgent, "GET", "/api/v1/customers/"+cid, nil), 200)
	cid2 := b.createCustomer(sampleCustomer())
	a.must(a.do(identity.RoleAgent, "GET", "/api/v1/customers/"+cid2, nil), 200)
	total, current, err := a.app.Records.KeysetStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after rotation to key %d: %d keysets, %d under the primary", newKey, total, current)
	if a.auditCount() == 0 {
		t.Error("no audit records")
	}
}

// TestRevealRateAcrossNodes: the reveal rate limit is one budget per user
// for the whole installation, not one per node: it is counted in the
// shared audit log.
func TestRevealRateAcrossNodes(t *testing.T) {
	dbURL, _ := pgSchemaURL(t)
	a := newEnv(t, "--database-url", dbURL, "--reveal-rate", "3/1h")
	b := newEnv(t, "--database-url", dbURL, "--reveal-rate", "3/1h", "--root-key-file", a.app.Config.RootKeyFile)
	b.tokens = a.tokens // same database, same tokens
	cid := a.createCustomer(sampleCustomer())
	reveal := map[string]any{"fields": []string{"name"}, "reason": "caller asked"}
	path := "/api/v1/customers/" + cid + "/reveal"
	for i, node := range []*env{a, b, a} {
		node.must(node.do(identity.RoleAgent, "POST", path, reveal), 200)
		t.Logf("reveal %d allowed", i+1)
	}
	for _, node := range []*env{b, a} {
		if r := node.must(node.do(identity.RoleAgent, "POST", path, reveal), 429); r.errCode() != "rate_limited" {
			t.Fatalf("fourth reveal: %s", r.Body)
		}
	}
	// Another user has their own budget.
	b.must(b.do(identity.RolePrivacyOfficer, "POST", path, reveal), 200)
}
