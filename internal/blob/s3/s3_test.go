package s3_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/blob"
	"github.com/confide-cc/confide/internal/blob/blobtest"
	"github.com/confide-cc/confide/internal/blob/s3"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// server is the S3 server named by CONFIDE_TEST_S3_URL, which
// .ci/s3-server.sh starts and prints.
type server struct {
	url    *url.URL      // the store URL, without a prefix
	client *minio.Client // an independent client, to inspect the bucket
	bucket string
}

// testServer returns the test server, or skips the test if there is none.
func testServer(t testing.TB) *server {
	t.Helper()
	raw := os.Getenv("CONFIDE_TEST_S3_URL")
	if raw == "" {
		t.Skip("CONFIDE_TEST_S3_URL not set; S3 conformance skipped (run .ci/s3-server.sh)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal("CONFIDE_TEST_S3_URL is not a URL")
	}
	q := u.Query()
	endpoint, err := url.Parse(q.Get("endpoint"))
	if err != nil || endpoint.Host == "" {
		t.Fatal("CONFIDE_TEST_S3_URL has no endpoint parameter")
	}
	access, secret := q.Get("access_key"), q.Get("secret_key")
	if access == "" {
		access, secret = os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	}
	client, err := minio.New(endpoint.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(access, secret, ""),
		Secure:       endpoint.Scheme == "https",
		Region:       q.Get("region"),
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatalf("minio client: %v", err)
	}
	u.Path = ""
	return &server{url: u, client: client, bucket: u.Host}
}

// storeURL returns the server's URL with bucket, prefix and extra query
// parameters replaced.
func (srv *server) storeURL(bucket, prefix string, params map[string]string) string {
	u := *srv.url
	u.Host = bucket
	u.Path = "/" + prefix
	q := u.Query()
	for k, v := range params {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// newStore returns a store under a fresh random prefix. When the test ends
// it checks that no multipart upload was left behind and removes every
// object under the prefix.
func (srv *server) newStore(t testing.TB) *s3.Store {
	t.Helper()
	prefix := "test/" + strings.ToLower(rand.Text())
	s, err := s3.New(t.Context(), srv.storeURL(srv.bucket, prefix, nil))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { srv.clean(t, prefix+"/") })
	return s
}

func (srv *server) clean(t testing.TB, prefix string) {
	ctx := context.Background()
	for up := range srv.client.ListIncompleteUploads(ctx, srv.bucket, prefix, true) {
		if up.Err != nil {
			t.Errorf("list multipart uploads: %v", up.Err)
			break
		}
		t.Errorf("multipart upload of %q left behind", up.Key)
		srv.client.RemoveIncompleteUpload(ctx, srv.bucket, up.Key)
	}
	objects := srv.client.ListObjects(ctx, srv.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true})
	for res := range srv.client.RemoveObjects(ctx, srv.bucket, objects, minio.RemoveObjectsOptions{}) {
		t.Errorf("remove %q: %v", res.ObjectName, res.Err)
	}
}

func TestConformance(t *testing.T) {
	srv := testServer(t)
	blobtest.Run(t, func(t *testing.T) blob.Store { return srv.newStore(t) })
}

// TestReadAfterReplaceOrDelete checks that an open object never returns
// bytes of a later version.
func TestReadAfterReplaceOrDelete(t *testing.T) {
	s := testServer(t).newStore(t)
	ctx := t.Context()
	if _, err := s.Put(ctx, "k", strings.NewReader("version one")); err != nil {
		t.Fatal(err)
	}
	obj, err := s.Open(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()

	if _, err := s.Put(ctx, "k", strings.NewReader("version two")); err != nil {
		t.Fatal(err)
	}
	if n, err := obj.ReadAt(make([]byte, 4), 0); err == nil || err == io.EOF {
		t.Errorf("ReadAt after replace = %d, %v; want an error", n, err)
	}

	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := obj.ReadAt(make([]byte, 4), 0); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("ReadAt after delete = %v; want blob.ErrNotFound", err)
	}
}

func TestBucket(t *testing.T) {
	srv := testServer(t)
	bucket := "confide-new-" + strings.ToLower(rand.Text())[:12]

	missing, err := s3.New(t.Context(), srv.storeURL(bucket, "", nil))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := missing.Ping(t.Context()); err == nil {
		t.Fatal("Ping of a missing bucket succeeded")
	}

	created, err := s3.New(t.Context(), srv.storeURL(bucket, "", map[string]string{"create_bucket": "true"}))
	if err != nil {
		t.Fatalf("New with create_bucket: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.client.RemoveBucket(context.Background(), bucket); err != nil {
			t.Errorf("remove bucket: %v", err)
		}
	})
	for _, s := range []*s3.Store{created, missing} {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("Ping after creation: %v", err)
		}
	}
	// Creating an existing bucket is not an error.
	if _, err := s3.New(t.Context(), srv.storeURL(bucket, "", map[string]string{"create_bucket": "true"})); err != nil {
		t.Fatalf("New with create_bucket of an existing bucket: %v", err)
	}
}

func TestWrongCredentials(t *testing.T) {
	srv := testServer(t)
	const secret = "wrong-secret-4f1d9c"
	s, err := s3.New(t.Context(), srv.storeURL(srv.bucket, "", map[string]string{"access_key": "nobody", "secret_key": secret}))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	errs := map[string]error{"Ping": s.Ping(t.Context())}
	_, errs["Put"] = s.Put(t.Context(), "k", strings.NewReader("x"))
	_, errs["Open"] = s.Open(t.Context(), "k")
	for op, err := range errs {
		switch {
		case err == nil:
			t.Errorf("%s with wrong credentials succeeded", op)
		case strings.Contains(err.Error(), secret):
			t.Errorf("%s error quotes the secret: %v", op, err)
		}
	}
}

func BenchmarkStore(b *testing.B) {
	blobtest.Bench(b, testServer(b).newStore(b))
}

// TestListPages checks that List follows ListObjectsV2's continuation
// across pages.
func TestListPages(t *testing.T) {
	s := testServer(t).newStore(t)
	s3.SetListPage(s, 2)
	var want []string
	for i := range 5 {
		key := "page/" + strconv.Itoa(i)
		want = append(want, key)
		if _, err := s.Put(t.Context(), key, strings.NewReader(key)); err != nil {
			t.Fatal(err)
		}
	}
	if got := blobtest.Keys(t, s, "page/"); !slices.Equal(got, want) {
		t.Errorf("List over pages of 2 = %q; want %q", got, want)
	}
}
