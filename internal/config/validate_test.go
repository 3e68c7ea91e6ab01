package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/config"
)

// validConfig returns a Config that passes Validate.
func validConfig(t *testing.T) config.Config {
	t.Helper()
	cfg := mustLoad(t, "", nil, "--data", t.TempDir())
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate() of the defaults = %v", err)
	}
	return cfg
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*config.Config)
		want   string // the whole error, a single line
	}{
		{"empty data_dir", func(c *config.Config) { c.DataDir = "" }, "data_dir: must not be empty"},
		{"addr without port", func(c *config.Config) { c.Addr = "localhost" }, `addr: "localhost" is not host:port (e.g. 127.0.0.1:8443 or [::1]:8443)`},
		{"addr with named port", func(c *config.Config) { c.Addr = "127.0.0.1:https" }, `addr: port "https" is not a number from 0 to 65535`},
		{"addr with port out of range", func(c *config.Config) { c.Addr = "127.0.0.1:65536" }, `addr: port "65536" is not a number from 0 to 65535`},
		{"insecure_http on all interfaces", func(c *config.Config) { c.InsecureHTTP = true; c.Addr = ":8080" },
			`insecure_http: refused: plain HTTP is only allowed on a loopback address (127.0.0.1, ::1 or localhost), not on ""; serve HTTPS or put a TLS proxy on the same machine`},
		{"unsupported database scheme", func(c *config.Config) { c.DatabaseURL = "mysql://u@h/db" }, `database_url: unsupported scheme "mysql" (use sqlite or postgres)`},
		{"database key=value string", func(c *config.Config) { c.DatabaseURL = "host=db user=u" },
			"database_url: missing URL scheme: use sqlite:PATH or postgres://USER@HOST/DB (key=value connection strings are not supported)"},
		{"sqlite with host", func(c *config.Config) { c.DatabaseURL = "sqlite://db/x.db" },
			"database_url: a sqlite URL names no host; use sqlite:///abs/path.db or sqlite:relative.db"},
		{"sqlite without path", func(c *config.Config) { c.DatabaseURL = "sqlite:" },
			"database_url: a sqlite URL needs a path; use sqlite:///abs/path.db or sqlite:relative.db"},
		{"sqlite directory", func(c *config.Config) { c.DatabaseURL = "sqlite:///var/lib/" },
			"database_url: a sqlite URL needs a path; use sqlite:///abs/path.db or sqlite:relative.db"},
		{"sqlite with query", func(c *config.Config) { c.DatabaseURL = "sqlite:x.db?mode=memory" }, "database_url: a sqlite URL takes no query or fragment"},
		{"sqlite bad escape", func(c *config.Config) { c.DatabaseURL = "sqlite:x%zz.db" }, "database_url: a sqlite URL has an invalid escape in its path"},
		{"postgres without slashes", func(c *config.Config) { c.DatabaseURL = "postgres:db" }, "database_url: a PostgreSQL URL starts with postgres://"},
		{"postgres bad port", func(c *config.Config) { c.DatabaseURL = "postgres://db:x/confide" }, `database_url: not a valid URL: invalid port ":x" after host`},
		{"unsupported blob scheme", func(c *config.Config) { c.BlobURL = "gs://bucket" }, `blob_url: unsupported scheme "gs" (use file or s3)`},
		{"blob without scheme", func(c *config.Config) { c.BlobURL = "/var/blobs" }, "blob_url: missing URL scheme: use file:///DIR or s3://BUCKET"},
		{"file with host", func(c *config.Config) { c.BlobURL = "file://nas/blobs" }, "blob_url: a file URL names no host; use file:///abs/dir or file:relative/dir"},
		{"s3 without slashes", func(c *config.Config) { c.BlobURL = "s3:bucket" }, "blob_url: an S3 URL starts with s3://BUCKET"},
		{"s3 bad bucket", func(c *config.Config) { c.BlobURL = "s3://My_Bucket" },
			`blob_url: invalid S3 bucket name "My_Bucket": use 3 to 63 lower-case letters, digits, dots and hyphens`},
		{"s3 bad endpoint", func(c *config.Config) { c.BlobURL = "s3://recordings?endpoint=127.0.0.1:9000" },
			"blob_url: the endpoint parameter must be an http:// or https:// URL, e.g. endpoint=http://127.0.0.1:9000"},
		{"s3 bad query", func(c *config.Config) { c.BlobURL = "s3://recordings?endpoint=%zz" },
			"blob_url: the S3 URL's query is not valid; percent-encode special characters"},
		{"empty root_key_file", func(c *config.Config) { c.RootKeyFile = "" }, "root_key_file: must not be empty"},
		{"empty tls_cert_file", func(c *config.Config) { c.TLSCertFile = "" }, "tls_cert_file: must not be empty"},
		{"empty tls_key_file", func(c *config.Config) { c.TLSKeyFile = "" }, "tls_key_file: must not be empty"},
		{"zero max_recording_bytes", func(c *config.Config) { c.MaxRecordingBytes = 0 }, "max_recording_bytes: must be > 0"},
		{"negative max_recording_bytes", func(c *config.Config) { c.MaxRecordingBytes = -1 }, "max_recording_bytes: must be > 0"},
		{"zero max_body_bytes", func(c *config.Config) { c.MaxBodyBytes = 0 }, "max_body_bytes: must be > 0"},
		{"unknown log_level", func(c *config.Config) { c.LogLevel = "verbose" }, `log_level: must be debug, info, warn or error, not "verbose"`},
		{"unknown log_format", func(c *config.Config) { c.LogFormat = "xml" }, `log_format: must be json or text, not "xml"`},
		{"zero shutdown_timeout", func(c *config.Config) { c.ShutdownTimeout = 0 }, "shutdown_timeout: must be > 0"},
		{"negative read_header_timeout", func(c *config.Config) { c.ReadHeaderTimeout = -1 }, "read_header_timeout: must be > 0"},
		{"zero idle_timeout", func(c *config.Config) { c.IdleTimeout = 0 }, "idle_timeout: must be > 0"},
		{"directory as audit_witness_url", func(c *config.Config) { c.AuditWitnessURL = "file:///mnt/witness" }, "audit_witness_url: must be an s3:// URL (use audit_witness_dir for a directory)"},
		{"unparsable audit_witness_url", func(c *config.Config) { c.AuditWitnessURL = "ftp://x" }, `audit_witness_url: unsupported scheme "ftp" (use file or s3)`},
		{"alert email without SMTP", func(c *config.Config) { c.Monitor.AlertEmail = "soc@example.com" }, "monitor_alert_email: needs an SMTP server: set verification_smtp_addr"},
		{"alert email not an address", func(c *config.Config) {
			c.Monitor.AlertEmail = "soc"
			c.Verification.SMTPAddr, c.Verification.SMTPFrom = "127.0.0.1:25", "confide@example.com"
		}, `monitor_alert_email: "soc" is not a bare e-mail address`},
		{"zero blob_gc_interval", func(c *config.Config) { c.BlobGCInterval = 0 }, "blob_gc_interval: must be > 0"},
		{"audit_retention under 12 months", func(c *config.Config) { c.AuditRetention = 180 * 24 * time.Hour },
			"audit_retention: must be at least 8760h (12 months, PCI DSS 10.5.1) or 0 (forever), or set allow_short_audit_retention: true to accept less (flagged at start)"},
		{"negative audit_witness_interval", func(c *config.Config) { c.AuditWitnessInterval = -time.Second }, "audit_witness_interval: must be >= 0 (0 publishes every checkpoint)"},
		{"negative audit_retention", func(c *config.Config) { c.AuditRetention = -time.Hour }, "audit_retention: must be >= 0 (0 keeps audit events forever)"},
		{"audit_hot_period under 3 months", func(c *config.Config) { c.AuditHotPeriod = 30 * 24 * time.Hour },
			"audit_hot_period: must be at least 2160h (3 months immediately available, PCI DSS 10.5.1) or 0, or set allow_short_audit_retention: true to accept less (flagged at start)"},
		{"audit_hot_period beyond audit_retention", func(c *config.Config) { c.AuditHotPeriod = 9000 * time.Hour },
			"audit_hot_period: must not exceed audit_retention (8760h)"},
		{"short retention allowed, hot still beyond it", func(c *config.Config) {
			c.AllowShortAuditRetention, c.AuditRetention, c.AuditHotPeriod = true, time.Hour, 2*time.Hour
		}, "audit_hot_period: must not exceed audit_retention (1h)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig(t)
			tt.change(&cfg)
			err := cfg.Validate()
			if err == nil {
				t.Fatal("Validate() = nil")
			}
			if err.Error() != tt.want {
				t.Errorf("Validate() =\n%s\nwant\n%s", err, tt.want)
			}
		})
	}
}

func TestValidateReportsEverySetting(t *testing.T) {
	cfg := validConfig(t)
	cfg.Addr = "nope"
	cfg.LogFormat = "xml"
	cfg.BlobGCInterval = 0
	err := cfg.Validate()
	if err == nil {
		t.Fatal("Validate() = nil")
	}
	var keys []string
	for line := range strings.SplitSeq(err.Error(), "\n") {
		key, _, _ := strings.Cut(line, ":")
		keys = append(keys, key)
	}
	if got, want := strings.Join(keys, ","), "addr,log_format,blob_gc_interval"; got != want {
		t.Errorf("Validate() reported %s, want %s:\n%v", got, want, err)
	}
}

func TestValidateAccepts(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(*config.Config)
	}{
		{"postgres", func(c *config.Config) { c.DatabaseURL = "postgres://confide@127.0.0.1:5432/test?sslmode=disable" }},
		{"postgresql", func(c *config.Config) { c.DatabaseURL = "postgresql:///test?host=/run/postgresql" }},
		{"sqlite absolute", func(c *config.Config) { c.DatabaseURL = "sqlite:///var/lib/confide/confide.db" }},
		{"sqlite relative", func(c *config.Config) { c.DatabaseURL = "sqlite:confide.db" }},
		{"file absolute", func(c *config.Config) { c.BlobURL = "file:///var/lib/confide/blobs" }},
		{"s3 with endpoint", func(c *config.Config) { c.BlobURL = "s3://recordings?endpoint=http://127.0.0.1:9000&region=us-east-1" }},
		{"s3 without endpoint", func(c *config.Config) { c.BlobURL = "s3://recordings.example" }},
		{"port zero", func(c *config.Config) { c.Addr = "127.0.0.1:0" }},
		{"all interfaces over TLS", func(c *config.Config) { c.Addr = ":8443" }},
		{"host name", func(c *config.Config) { c.Addr = "vault.example.com:8443" }},
		{"audit kept forever in the database", func(c *config.Config) { c.AuditRetention, c.AuditHotPeriod = 0, 0 }},
		{"audit hot forever, never deleted", func(c *config.Config) { c.AuditRetention, c.AuditHotPeriod = 0, 2160*time.Hour }},
		{"short audit retention, flagged", func(c *config.Config) {
			c.AllowShortAuditRetention, c.AuditRetention, c.AuditHotPeriod = true, 30*24*time.Hour, time.Hour
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig(t)
			tt.change(&cfg)
			if err := cfg.Validate(); err != nil {
				t.Errorf("Validate() = %v", err)
			}
		})
	}
}

func TestInsecureHTTPNeedsLoopback(t *testing.T) {
	tests := []struct {
		addr     string
		loopback bool
	}{
		{"127.0.0.1:8080", true},
		{"127.1.2.3:8080", true},
		{"[::1]:8080", true},
		{"[::ffff:127.0.0.1]:8080", true},
		{"localhost:8080", true},
		{"LocalHost:8080", true},
		{"0.0.0.0:8080", false},
		{"[::]:8080", false},
		{":8080", false},
		{"10.0.0.1:8080", false},
		{"192.168.1.10:8080", false},
		{"[fe80::1]:8080", false},
		{"localhost.example.com:8080", false},
		{"example.com:8080", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			cfg := validConfig(t)
			cfg.Addr = tt.addr
			if got := cfg.IsLoopback(); got != tt.loopback {
				t.Errorf("IsLoopback() = %v, want %v", got, tt.loopback)
			}
			cfg.InsecureHTTP = true
			err := cfg.Validate()
			if tt.loopback && err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
			if !tt.loopback && (err == nil || !strings.HasPrefix(err.Error(), "insecure_http: refused")) {
				t.Errorf("Validate() = %v, want insecure_http refused", err)
			}
		})
	}
}

func TestKinds(t *testing.T) {
	tests := []struct {
		database, blob               string
		dbKind, sqlitePath, blobKind string
		blobDir                      string
	}{
		{"", "", config.DatabaseSQLite, "/data/confide.db", config.BlobFS, "/data/blobs"},
		{"sqlite:///srv/c.db", "file:///srv/blobs", config.DatabaseSQLite, "/srv/c.db", config.BlobFS, "/srv/blobs"},
		{"sqlite:/srv/my%20c.db", "file:/srv/my%20blobs", config.DatabaseSQLite, "/srv/my c.db", config.BlobFS, "/srv/my blobs"},
		{"postgres://u@h/db", "s3://bucket?endpoint=http://127.0.0.1:9000", config.DatabasePostgres, "", config.BlobS3, ""},
		{"postgresql://h/db", "s3://bucket", config.DatabasePostgres, "", config.BlobS3, ""},
		{"mysql://h/db", "gs://bucket", "", "", "", ""},
	}
	for _, tt := range tests {
		c := config.Config{DataDir: "/data", DatabaseURL: tt.database, BlobURL: tt.blob}
		if got := c.DatabaseKind(); got != tt.dbKind {
			t.Errorf("DatabaseKind(%q) = %q, want %q", tt.database, got, tt.dbKind)
		}
		if got := c.SQLitePath(); got != tt.sqlitePath {
			t.Errorf("SQLitePath(%q) = %q, want %q", tt.database, got, tt.sqlitePath)
		}
		if got := c.BlobKind(); got != tt.blobKind {
			t.Errorf("BlobKind(%q) = %q, want %q", tt.blob, got, tt.blobKind)
		}
		if got := c.BlobDir(); got != tt.blobDir {
			t.Errorf("BlobDir(%q) = %q, want %q", tt.blob, got, tt.blobDir)
		}
	}
}
