package config_test

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/config"
)

// configurationDoc is the operator's reference for every setting.
const configurationDoc = "../../docs/CONFIGURATION.md"

func TestFullExample(t *testing.T) {
	path, err := filepath.Abs(filepath.Join("testdata", "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustLoad(t, "", nil, "--config", path)
	want := []config.Setting{
		{"config", path, "flag"},
		{"data_dir", "/var/lib/confide", "file"},
		{"addr", "0.0.0.0:8443", "file"},
		{"insecure_http", "false", "file"},
		{"database_url", "postgres://confide@db.internal:5432/confide?sslmode=verify-full", "file"},
		{"blob_url", "s3://confide-recordings?endpoint=https://minio.internal:9000&region=us-east-1", "file"},
		{"root_key_file", "/etc/confide/root.key", "file"},
		{"tls_cert_file", "/etc/confide/tls/cert.pem", "file"},
		{"tls_key_file", "/etc/confide/tls/key.pem", "file"},
		{"max_recording_bytes", "2GiB", "file"},
		{"max_body_bytes", "32MiB", "file"},
		{"log_level", "info", "file"},
		{"log_format", "json", "file"},
		{"shutdown_timeout", "30s", "file"},
		{"read_header_timeout", "10s", "file"},
		{"idle_timeout", "2m", "file"},
		{"blob_gc_interval", "1m", "file"},
		{"keep_original_audio", "false", "file"},
		{"card_scan_interval", "24h", "file"},
		{"audit_witness_dir", "/mnt/witness/confide", "file"},
		{"audit_witness_url", "s3://confide-witness/prod?access_key=***&endpoint=https://s3.other-account.example&secret_key=***", "file"},
		{"audit_witness_interval", "10s", "default"},
		{"audit_hot_period", "4320h", "file"},
		{"audit_retention", "17520h", "file"},
		{"allow_short_audit_retention", "false", "default"},
		{"policy_dir", "/etc/confide/policies", "file"},
		{"working_hours", "support=Europe/London mon-fri 08:00-18:00; night=UTC mon-sun 22:00-06:00", "file"},
		{"role_networks", "agent=10.20.0.0/16; it_support=10.99.0.0/24", "file"},
		{"require_training", "true", "file"},
		{"reveal_rate", "20/1h", "file"},
		{"session_idle_timeout", "10m", "file"},
		{"session_lifetime", "8h", "file"},
		{"allow_long_sessions", "false", "file"},
		{"lockout_threshold", "5", "file"},
		{"lockout_duration", "1h", "file"},
		{"dormant_after", "1440h", "file"},
		{"reauth_window", "5m", "file"},
		{"break_glass_max", "20m", "file"},
		{"monitor_rules_file", "/etc/confide/monitor.yaml", "file"},
		{"monitor_honey_customers", "3f2a9c,7b41e0", "file"},
		{"monitor_webhook_url", "https://soc.internal/hooks/confide", "file"},
		{"monitor_webhook_secret", "***", "file"},
		{"monitor_alert_email", "soc@example.com, ciso@example.com", "file"},
		{"rate_limit", "500/1s", "file"},
		{"rate_limit_burst", "800", "file"},
		{"rate_limit_exempt", "10.50.0.0/16, 192.0.2.7", "file"},
		{"siem_file", "/var/log/confide/audit.ocsf.jsonl", "file"},
		{"siem_http_url", "https://siem.internal/ingest/ocsf", "file"},
		{"siem_http_auth_header", "Authorization", "file"},
		{"siem_http_auth", "***", "file"},
		{"siem_http_ca_file", "/etc/confide/siem-ca.pem", "file"},
		{"siem_syslog_url", "tcp+tls://siem.internal:6514", "file"},
		{"siem_syslog_ca_file", "/etc/confide/siem-ca.pem", "file"},
		{"siem_poll_interval", "1s", "file"},
		{"verification_sms_webhook_url", "https://sms.internal/send", "file"},
		{"verification_sms_webhook_secret", "***", "file"},
		{"verification_smtp_addr", "smtp.internal:587", "file"},
		{"verification_smtp_from", "verify@example.com", "file"},
		{"verification_smtp_username", "confide", "file"},
		{"verification_smtp_password", "***", "file"},
		{"verification_smtp_security", "starttls", "file"},
		{"verification_smtp_ca_file", "/etc/confide/smtp-ca.pem", "file"},
		{"verification_send_timeout", "10s", "file"},
		{"verification_max_starts", "5", "file"},
		{"verification_takeover_threshold", "3", "file"},
		{"verification_takeover_window", "24h", "file"},
		{"webauthn_rp_id", "confide.example.com", "file"},
		{"webauthn_origins", "https://confide.example.com:8443", "file"},
	}
	if got := cfg.Effective(); !slices.Equal(got, want) {
		t.Errorf("Effective() =\n%v\nwant\n%v", got, want)
	}
}

// TestDocumentation keeps docs/CONFIGURATION.md in step with the code: it
// must name every setting's key, environment variable and flag, and its
// example file must load.
func TestDocumentation(t *testing.T) {
	data, err := os.ReadFile(configurationDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)

	fs := flag.NewFlagSet("confide", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg, _, err := config.Load(fs, nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range cfg.Effective()[1:] {
		for _, name := range []string{"`" + s.Key + "`", "CONFIDE_" + strings.ToUpper(s.Key)} {
			if !strings.Contains(doc, name) {
				t.Errorf("%s does not mention %s", configurationDoc, name)
			}
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(doc, "--"+f.Name+"`") && !strings.Contains(doc, "--"+f.Name+" ") {
			t.Errorf("%s does not mention --%s", configurationDoc, f.Name)
		}
	})

	_, rest, ok := strings.Cut(doc, "```yaml\n")
	example, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatalf("%s has no ```yaml example", configurationDoc)
	}
	if _, _, err := load(t, example, nil, "--data", t.TempDir()); err != nil {
		t.Errorf("the example file in %s does not load: %v", configurationDoc, err)
	}
}
