package s3_test

import (
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/blob/s3"
)

// secret is planted in URLs to check that no error quotes it.
const secret = "Zq9-planted-secret-9qZ"

const creds = "&access_key=ak&secret_key=" + secret

func TestNewParsesURL(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	tests := []struct {
		name string
		url  string
		ok   bool
	}{
		{"minimal", "s3://bucket?access_key=ak&secret_key=" + secret, true},
		{"all parameters", "s3://my-bucket/some/prefix?endpoint=http://127.0.0.1:7070&region=us-east-1&path_style=true&create_bucket=false" + creds, true},
		{"https endpoint", "s3://bucket?endpoint=https://s3.example.com" + creds, true},
		{"endpoint with slash", "s3://bucket?endpoint=http://127.0.0.1:7070/" + creds, true},
		{"prefix with trailing slash", "s3://bucket/prefix/?endpoint=http://127.0.0.1:7070" + creds, false},
		{"no credentials", "s3://bucket?endpoint=http://127.0.0.1:7070", false},
		{"access key only", "s3://bucket?access_key=ak", false},
		{"secret key only", "s3://bucket?secret_key=" + secret, false},
		{"credentials before bucket", "s3://ak:" + secret + "@bucket", false},
		{"wrong scheme", "https://bucket?" + creds[1:], false},
		{"opaque", "s3:bucket?" + creds[1:], false},
		{"no bucket", "s3:///prefix?" + creds[1:], false},
		{"bad bucket", "s3://Bad_Bucket?" + creds[1:], false},
		{"bad prefix", "s3://bucket/../up?" + creds[1:], false},
		{"double slash prefix", "s3://bucket//x?" + creds[1:], false},
		{"fragment", "s3://bucket?" + creds[1:] + "#frag", false},
		{"unknown parameter", "s3://bucket?" + creds[1:] + "&" + secret + "=1", false},
		{"repeated parameter", "s3://bucket?region=a&region=b" + creds, false},
		{"bad boolean", "s3://bucket?path_style=yes" + creds, false},
		{"malformed query", "s3://bucket?x=%zz" + creds, false},
		{"malformed URL", "s3://bucket%zz?" + creds[1:], false},
		{"endpoint scheme", "s3://bucket?endpoint=ftp://host" + creds, false},
		{"endpoint path", "s3://bucket?endpoint=http://host/path" + creds, false},
		{"endpoint credentials", "s3://bucket?endpoint=http://u:" + secret + "@host" + creds, false},
		{"endpoint without host", "s3://bucket?endpoint=http://" + creds, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s3.New(t.Context(), tt.url)
			if tt.ok && err != nil {
				t.Fatalf("New: %v", err)
			}
			if !tt.ok && err == nil {
				t.Fatal("New succeeded; want an error")
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Fatalf("error quotes the secret: %v", err)
			}
		})
	}
}

func TestNewTakesCredentialsFromEnvironment(t *testing.T) {
	const url = "s3://bucket?endpoint=http://127.0.0.1:7070"
	t.Setenv("AWS_ACCESS_KEY_ID", "ak")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	if _, err := s3.New(t.Context(), url); err == nil {
		t.Fatal("New with only AWS_ACCESS_KEY_ID succeeded; want an error")
	}
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	if _, err := s3.New(t.Context(), url); err != nil {
		t.Fatalf("New: %v", err)
	}
}
