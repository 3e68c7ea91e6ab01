package config_test

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestSIEMSettings(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string // "" for valid
	}{
		{"none", nil, ""},
		{"file", []string{"--siem-file", "ocsf.jsonl"}, ""},
		{"https with auth", []string{"--siem-http-url", "https://siem.example/ingest", "--siem-http-auth", "Bearer t"}, ""},
		{"plain http to loopback", []string{"--siem-http-url", "http://127.0.0.1:8088/ingest"}, ""},
		{"plain http elsewhere", []string{"--siem-http-url", "http://siem.example/ingest"}, "siem_http_url: plain http is only allowed to a loopback address"},
		{"http scheme", []string{"--siem-http-url", "ftp://siem.example/"}, "siem_http_url: must be https://"},
		{"auth without URL", []string{"--siem-http-auth", "Bearer t"}, "siem_http_auth: is set but siem_http_url is not"},
		{"auth on two lines", []string{"--siem-http-url", "https://s/", "--siem-http-auth", "a\nb"}, "siem_http_auth: must be one line"},
		{"empty auth header", []string{"--siem-http-url", "https://s/", "--siem-http-auth", "t", "--siem-http-auth-header", " "}, "siem_http_auth_header: must not be empty"},
		{"syslog tls with CA", []string{"--siem-syslog-url", "tcp+tls://siem.example:6514", "--siem-syslog-ca-file", "ca.pem"}, ""},
		{"syslog udp", []string{"--siem-syslog-url", "udp://10.0.0.5"}, ""},
		{"syslog scheme", []string{"--siem-syslog-url", "relp://siem.example:2514"}, `siem_syslog_url: unsupported scheme "relp"`},
		{"syslog path", []string{"--siem-syslog-url", "tcp://siem.example:514/x"}, "siem_syslog_url: must be tcp://host:port"},
		{"syslog port", []string{"--siem-syslog-url", "tcp://siem.example:99999"}, "siem_syslog_url: port"},
		{"CA without TLS", []string{"--siem-syslog-url", "tcp://siem.example", "--siem-syslog-ca-file", "ca.pem"}, "siem_syslog_ca_file: needs a tcp+tls://"},
		{"CA without syslog", []string{"--siem-syslog-ca-file", "ca.pem"}, "siem_syslog_ca_file: is set but siem_syslog_url is not"},
		{"poll interval", []string{"--siem-poll-interval", "0s"}, "siem_poll_interval: must be > 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := load(t, "", nil, append([]string{"--data", t.TempDir()}, tt.args...)...)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Load: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Load error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestSIEMPathsAreAbsolute(t *testing.T) {
	cfg := mustLoad(t, "", nil, "--data", t.TempDir(), "--siem-file", "x/ocsf.jsonl",
		"--siem-syslog-url", "tcp+tls://h", "--siem-syslog-ca-file", "ca.pem")
	for _, p := range []string{cfg.SIEM.File, cfg.SIEM.SyslogCAFile} {
		if !filepath.IsAbs(p) {
			t.Errorf("%q is not absolute", p)
		}
	}
	if !cfg.SIEM.Enabled() {
		t.Error("Enabled() = false with two sinks set")
	}
}

func TestSIEMCredentialsHidden(t *testing.T) {
	cfg := mustLoad(t, "", nil, "--data", t.TempDir(), "--siem-http-url", "https://u:"+canary+"@siem.example/x?token="+canary,
		"--siem-http-auth", "Bearer "+canary)
	for _, s := range cfg.Effective() {
		if strings.Contains(s.Value, canary) {
			t.Errorf("%s shows the credential: %q", s.Key, s.Value)
		}
	}
	if got := effective(t, cfg, "siem_http_auth").Value; got != "***" {
		t.Errorf("siem_http_auth shown as %q", got)
	}
	_, _, err := load(t, "", nil, "--data", t.TempDir(), "--siem-http-url", "http://u:"+canary+"@siem.example/x",
		"--siem-http-auth", canary+"\n")
	if err == nil || strings.Contains(err.Error(), canary) {
		t.Errorf("Load error %v: want an error without the credential", err)
	}
}
