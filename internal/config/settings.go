package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// envPrefix starts the name of every Confide environment variable.
const envPrefix = "CONFIDE_"

// setting describes one configuration setting: its names in the config
// file, the environment and the command line, and the Config field it sets.
type setting struct {
	key   string   // YAML key
	flag  string   // flag name, without dashes
	env   []string // environment variables, the canonical name first
	usage string   // one-line help for the flag
	// field returns a pointer to the setting's Config field: *string,
	// *bool, *int, *int64 (a byte size) or *time.Duration.
	field func(*Config) any
	// redact hides credentials in a formatted value; nil for plain values.
	redact func(string) string
	// implicit, if set, gives what an empty value means, for Effective.
	implicit func(*Config) string
}

// settings lists every setting in the order Effective reports them.
var settings = []*setting{
	newSetting("data_dir", "`directory` for the default database, blobs, root key and TLS files",
		func(c *Config) any { return &c.DataDir }).withFlag("data").withEnvAlias(envPrefix + "DATA"),
	newSetting("addr", "`host:port` to listen on",
		func(c *Config) any { return &c.Addr }),
	newSetting("insecure_http", "serve plain HTTP instead of HTTPS (loopback addr only)",
		func(c *Config) any { return &c.InsecureHTTP }),
	newSetting("database_url", "database `URL`: sqlite:PATH or postgres://... (default: SQLite file <data>/confide.db)",
		func(c *Config) any { return &c.DatabaseURL }).withRedact(redactURL).
		withImplicit(func(c *Config) string { return pathURL("sqlite", c.SQLitePath()) }),
	newSetting("blob_url", "blob store `URL`: file:///DIR or s3://BUCKET?endpoint=... (default: directory <data>/blobs)",
		func(c *Config) any { return &c.BlobURL }).withRedact(redactURL).
		withImplicit(func(c *Config) string { return pathURL("file", c.BlobDir()) }),
	newSetting("root_key_file", "root key `file` (default <data>/root.key)",
		func(c *Config) any { return &c.RootKeyFile }),
	newSetting("tls_cert_file", "TLS certificate PEM `file` (default <data>/tls/cert.pem)",
		func(c *Config) any { return &c.TLSCertFile }),
	newSetting("tls_key_file", "TLS private key PEM `file` (default <data>/tls/key.pem)",
		func(c *Config) any { return &c.TLSKeyFile }),
	newSetting("max_recording_bytes", "largest recording upload, a `size` such as 2GiB",
		func(c *Config) any { return &c.MaxRecordingBytes }),
	newSetting("max_body_bytes", "largest JSON or email request body, a `size` such as 32MiB",
		func(c *Config) any { return &c.MaxBodyBytes }),
	newSetting("log_level", "log `level`: debug, info, warn or error",
		func(c *Config) any { return &c.LogLevel }),
	newSetting("log_format", "log `format`: json or text",
		func(c *Config) any { return &c.LogFormat }),
	newSetting("shutdown_timeout", "`duration` allowed for in-flight requests to finish on shutdown",
		func(c *Config) any { return &c.ShutdownTimeout }),
	newSetting("read_header_timeout", "`duration` allowed to read request headers",
		func(c *Config) any { return &c.ReadHeaderTimeout }),
	newSetting("idle_timeout", "`duration` an idle keep-alive connection stays open",
		func(c *Config) any { return &c.IdleTimeout }),
	newSetting("blob_gc_interval", "`duration` between runs of the orphaned-blob collector",
		func(c *Config) any { return &c.BlobGCInterval }),
	newSetting("keep_original_audio", "also keep the unredacted original of a redacted recording, encrypted, readable only by a privacy officer with a reason",
		func(c *Config) any { return &c.KeepOriginalAudio }),
	newSetting("card_scan_interval", "`duration` between scans of stored content for card numbers (0 turns the scan off)",
		func(c *Config) any { return &c.CardScanInterval }),
	newSetting("audit_witness_dir", "`directory` that receives copies of signed audit checkpoints, one per audit_witness_interval (off if empty)",
		func(c *Config) any { return &c.AuditWitnessDir }),
	newSetting("audit_witness_url", "S3 `URL` (s3://BUCKET[/PREFIX]?endpoint=..., like blob_url) that receives copies of signed audit checkpoints, one per audit_witness_interval (off if empty)",
		func(c *Config) any { return &c.AuditWitnessURL }).withRedact(redactURL),
	newSetting("audit_witness_interval", "`duration` between the checkpoints published to audit_witness_dir and audit_witness_url while events arrive (0: every checkpoint, up to 5 a second)",
		func(c *Config) any { return &c.AuditWitnessInterval }),
	newSetting("audit_hot_period", "`duration` audit events stay in the database, searchable; older ones move to encrypted archive segments in the blob store (0: until audit_retention; at least 2160h, 3 months, unless allow_short_audit_retention)",
		func(c *Config) any { return &c.AuditHotPeriod }),
	newSetting("audit_retention", "`duration` audit events are kept, after which archived ones are deleted for good (0: forever; at least 8760h, 12 months, unless allow_short_audit_retention)",
		func(c *Config) any { return &c.AuditRetention }),
	newSetting("allow_short_audit_retention", "accept audit_retention or audit_hot_period below PCI DSS 10.5.1 (12 months kept, 3 months hot); flagged at start",
		func(c *Config) any { return &c.AllowShortAuditRetention }),
}

// defaults returns the built-in defaults. The paths derived from data_dir
// (root_key_file, tls_cert_file, tls_key_file) are filled in by Load once
// data_dir is known.
func defaults() Config {
	return Config{
		DataDir:              "./confide-data",
		Addr:                 "127.0.0.1:8443",
		MaxRecordingBytes:    2 << 30,
		MaxBodyBytes:         32 << 20,
		LogLevel:             "info",
		LogFormat:            "json",
		ShutdownTimeout:      30 * time.Second,
		ReadHeaderTimeout:    10 * time.Second,
		IdleTimeout:          120 * time.Second,
		BlobGCInterval:       time.Minute,
		SIEM:                 siemDefaults(),
		Identity:             identityDefaults(),
		Verification:         verificationDefaults(),
		CardScanInterval:     24 * time.Hour,
		AuditWitnessInterval: 10 * time.Second,
		AuditHotPeriod:       MinAuditHotPeriod,
		AuditRetention:       MinAuditRetention,
	}
}

func newSetting(key, usage string, field func(*Config) any) *setting {
	return &setting{
		key:   key,
		flag:  strings.ReplaceAll(key, "_", "-"),
		env:   []string{envPrefix + strings.ToUpper(key)},
		usage: usage,
		field: field,
	}
}

func (s *setting) withFlag(name string) *setting { s.flag = name; return s }

func (s *setting) withEnvAlias(name string) *setting { s.env = append(s.env, name); return s }

func (s *setting) withRedact(f func(string) string) *setting { s.redact = f; return s }

func (s *setting) withImplicit(f func(*Config) string) *setting { s.implicit = f; return s }

// set parses raw and stores it in the setting's field of c. Its errors
// quote raw only for settings that cannot hold credentials.
func (s *setting) set(c *Config, raw string) error {
	switch p := s.field(c).(type) {
	case *string:
		*p = raw
	case *bool:
		v, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("invalid boolean %q: use true or false", raw)
		}
		*p = v
	case *int64:
		v, err := ParseSize(raw)
		if err != nil {
			return err
		}
		*p = v
	case *int:
		v, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("invalid number %q: use a whole number, e.g. 5", raw)
		}
		*p = v
	case *time.Duration:
		v, err := time.ParseDuration(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("invalid duration %q: use a number with a unit, e.g. 30s, 2m or 1h30m", raw)
		}
		*p = v
	default:
		panic(fmt.Sprintf("config: setting %s has unsupported field type %T", s.key, p))
	}
	return nil
}

// format returns the setting's value in c as it would be written in a
// config file, with credentials hidden.
func (s *setting) format(c *Config) string {
	var v string
	switch p := s.field(c).(type) {
	case *string:
		v = *p
	case *bool:
		v = strconv.FormatBool(*p)
	case *int64:
		v = FormatSize(*p)
	case *int:
		v = strconv.Itoa(*p)
	case *time.Duration:
		v = formatDuration(*p)
	default:
		panic(fmt.Sprintf("config: setting %s has unsupported field type %T", s.key, p))
	}
	if s.redact != nil {
		v = s.redact(v)
	}
	return v
}

// settingKeys returns the YAML keys of all settings.
func settingKeys() []string {
	keys := make([]string, len(settings))
	for i, s := range settings {
		keys[i] = s.key
	}
	return keys
}

// settingByKey returns the setting with the given YAML key, or nil.
func settingByKey(key string) *setting {
	for _, s := range settings {
		if s.key == key {
			return s
		}
	}
	return nil
}

// formatDuration formats d like time.Duration.String without the trailing
// zero units: "1m" rather than "1m0s", "1h" rather than "1h0m0s".
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
