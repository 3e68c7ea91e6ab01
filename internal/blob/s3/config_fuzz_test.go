package s3

import (
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/blob"
)

// FuzzParseURL checks that parseURL never panics, that its errors never
// quote a secret key wherever the rest of the URL goes wrong, and that what
// it accepts is usable. It tests parseURL rather than New because New may
// contact the endpoint (create_bucket).
func FuzzParseURL(f *testing.F) {
	const secret = "Zq9-planted-secret-9qZ"
	f.Add("bucket/prefix", "endpoint=http://127.0.0.1:7070&region=us-east-1&path_style=true")
	f.Add("bucket", "endpoint=https://[::1]:9000")
	f.Add("b", "create_bucket=1")
	f.Add("user@bucket", "")
	f.Add("bucket/../x", "x=%zz")
	noEnv := func(string) string { return "" }
	f.Fuzz(func(t *testing.T, location, query string) {
		creds := "access_key=ak&secret_key=" + secret
		for _, raw := range []string{
			"s3://" + location + "?" + query + "&" + creds,
			"s3://" + location + "?" + creds + "&" + query,
		} {
			c, err := parseURL(raw, noEnv)
			if err != nil {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("parseURL(%q) error quotes the secret: %v", raw, err)
				}
				continue
			}
			switch {
			case c.bucket == "" || c.endpoint == "" || c.accessKey == "" || c.secretKey == "":
				t.Fatalf("parseURL(%q) = %+v; incomplete", raw, c)
			case c.prefix != "" && (!strings.HasSuffix(c.prefix, "/") || blob.ValidateKey(strings.TrimSuffix(c.prefix, "/")) != nil):
				t.Fatalf("parseURL(%q) accepted prefix %q", raw, c.prefix)
			}
		}
	})
}
