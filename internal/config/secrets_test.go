package config_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// canary is a credential that must never be shown.
const canary = "Canary7Secret"

func TestSecretsAreHidden(t *testing.T) {
	tests := []struct {
		name, key, value string
		want             string // the value Effective shows; "" to skip the check
	}{
		{"postgres password", "database_url", "postgres://confide:" + canary + "@127.0.0.1:5432/test",
			"postgres://confide:***@127.0.0.1:5432/test"},
		{"postgres password parameter", "database_url", "postgres://127.0.0.1/test?sslmode=disable&password=" + canary,
			"postgres://127.0.0.1/test?password=***&sslmode=disable"},
		{"postgres password with an unescaped @", "database_url", "postgres://confide:p@" + canary + "@127.0.0.1/test",
			"postgres://confide:***@127.0.0.1/test"},
		{"unparsable postgres URL", "database_url", "postgres://confide:a b" + canary + "@127.0.0.1/test", "***"},
		{"unparsable postgres port", "database_url", "postgres://confide:" + canary + "@127.0.0.1:x/test", "***"},
		{"unsupported scheme", "database_url", "mysql://root:" + canary + "@127.0.0.1/test", "mysql://root:***@127.0.0.1/test"},
		{"s3 keys in the query", "blob_url", "s3://recordings?endpoint=http://127.0.0.1:9000&access_key=" + canary + "&secret_key=" + canary,
			"s3://recordings?access_key=***&endpoint=http://127.0.0.1:9000&secret_key=***"},
		{"s3 session token", "blob_url", "s3://recordings?X-Amz-Security-Token=" + canary + "&X-Amz-Signature=" + canary,
			"s3://recordings?X-Amz-Security-Token=***&X-Amz-Signature=***"},
		{"s3 user information", "blob_url", "s3://AKIAEXAMPLE:" + canary + "@recordings", "s3://AKIAEXAMPLE:***@recordings"},
		{"credentials inside the endpoint", "blob_url", "s3://recordings?endpoint=http://minio:" + canary + "@127.0.0.1:9000",
			"s3://recordings?endpoint=***"},
		{"fragment", "blob_url", "s3://recordings#" + canary, "s3://recordings#***"},
		{"bad query escape", "blob_url", "s3://recordings?secret_key=" + canary + "%zz", "s3://recordings?***"},
	}
	for _, tt := range tests {
		for _, layer := range []string{"file", "env", "flag"} {
			t.Run(tt.name+"/"+layer, func(t *testing.T) {
				var file string
				var env map[string]string
				var args []string
				switch layer {
				case "file":
					file = tt.key + ": '" + tt.value + "'\n"
				case "env":
					env = map[string]string{"CONFIDE_" + strings.ToUpper(tt.key): tt.value}
				case "flag":
					args = []string{"--" + strings.ReplaceAll(tt.key, "_", "-"), tt.value}
				}
				cfg, warnings, err := load(t, file, env, args...)
				if err != nil && strings.Contains(err.Error(), canary) {
					t.Errorf("Load() error shows the secret: %v", err)
				}
				if err := cfg.Validate(); err != nil && strings.Contains(err.Error(), canary) {
					t.Errorf("Validate() error shows the secret: %v", err)
				}
				for _, w := range warnings {
					if strings.Contains(w, canary) {
						t.Errorf("warning shows the secret: %s", w)
					}
				}
				for _, s := range cfg.Effective() {
					if strings.Contains(s.Value, canary) {
						t.Errorf("Effective() %s shows the secret: %s", s.Key, s.Value)
					}
				}
				var logged bytes.Buffer
				slog.New(slog.NewTextHandler(&logged, nil)).Info("loaded", "config", cfg)
				for _, printed := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), logged.String()} {
					if strings.Contains(printed, canary) {
						t.Errorf("a printed Config shows the secret: %s", printed)
					}
				}
				if got := effective(t, cfg, tt.key); got.Value != tt.want {
					t.Errorf("Effective() %s = %q, want %q", tt.key, got.Value, tt.want)
				}
			})
		}
	}
}

func TestSecretsNotInFileErrors(t *testing.T) {
	for _, file := range []string{
		"database_url: [" + canary + "]\n",
		"database_url: {postgres: " + canary + "}\n",
		"blob_url:\n  - s3://a:" + canary + "@b\n",
	} {
		_, _, err := load(t, file, nil)
		if err == nil {
			t.Errorf("Load(%q) succeeded", file)
		} else if strings.Contains(err.Error(), canary) {
			t.Errorf("Load() error shows the secret: %v", err)
		}
	}
}
