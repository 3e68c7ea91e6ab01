package config

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// Validate reports every invalid setting, one error per setting joined with
// errors.Join, each starting with the setting's key ("addr: ..."). The
// errors never contain the credentials a URL may hold.
func (c Config) Validate() error {
	var errs []error
	fail := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}

	if c.DataDir == "" {
		fail("data_dir", "must not be empty")
	}
	if err := checkAddr(c.Addr); err != nil {
		fail("addr", "%v", err)
	} else if c.InsecureHTTP && !c.IsLoopback() {
		host, _, _ := net.SplitHostPort(c.Addr)
		fail("insecure_http", "refused: plain HTTP is only allowed on a loopback address (127.0.0.1, ::1 or localhost), not on %q; serve HTTPS or put a TLS proxy on the same machine", host)
	}
	if _, _, err := parseDatabaseURL(c.DatabaseURL); err != nil {
		fail("database_url", "%v", err)
	}
	if _, _, err := parseBlobURL(c.BlobURL); err != nil {
		fail("blob_url", "%v", err)
	}
	if c.AuditWitnessURL != "" {
		if kind, _, err := parseBlobURL(c.AuditWitnessURL); err != nil {
			fail("audit_witness_url", "%v", err)
		} else if kind != BlobS3 {
			fail("audit_witness_url", "must be an s3:// URL (use audit_witness_dir for a directory)")
		}
	}
	for _, f := range []struct{ key, path string }{
		{"root_key_file", c.RootKeyFile},
		{"tls_cert_file", c.TLSCertFile},
		{"tls_key_file", c.TLSKeyFile},
	} {
		if f.path == "" {
			fail(f.key, "must not be empty")
		}
	}
	if c.MaxRecordingBytes <= 0 {
		fail("max_recording_bytes", "must be > 0")
	}
	if c.MaxBodyBytes <= 0 {
		fail("max_body_bytes", "must be > 0")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		fail("log_level", "must be debug, info, warn or error, not %q", c.LogLevel)
	}
	switch c.LogFormat {
	case "json", "text":
	default:
		fail("log_format", "must be json or text, not %q", c.LogFormat)
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"shutdown_timeout", c.ShutdownTimeout},
		{"read_header_timeout", c.ReadHeaderTimeout},
		{"idle_timeout", c.IdleTimeout},
		{"blob_gc_interval", c.BlobGCInterval},
	} {
		if d.v <= 0 {
			fail(d.key, "must be > 0")
		}
	}
	c.validateAuditRetention(fail)
	if c.AuditWitnessInterval < 0 {
		fail("audit_witness_interval", "must be >= 0 (0 publishes every checkpoint)")
	}
	if c.CardScanInterval < 0 {
		fail("card_scan_interval", "must be >= 0 (0 turns the scan off)")
	}
	c.SIEM.validate(fail)
	c.Monitor.validate(fail)
	c.Identity.validate(fail)
	c.Verification.validate(fail)
	c.Access.validate(fail)
	c.RateLimit.validate(fail)
	if c.Monitor.AlertEmail != "" && c.Verification.SMTPAddr == "" {
		fail("monitor_alert_email", "needs an SMTP server: set verification_smtp_addr")
	}
	c.WebAuthn.validate(c, fail)
	return errors.Join(errs...)
}

// checkAddr checks that addr is host:port with a numeric port; the host may
// be empty (every interface), an IP address or a host name.
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port (e.g. 127.0.0.1:8443 or [::1]:8443)", addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}

// validateAuditRetention checks the audit retention settings.
func (c Config) validateAuditRetention(fail func(key, format string, args ...any)) {
	const hint = "or set allow_short_audit_retention: true to accept less (flagged at start)"
	switch {
	case c.AuditRetention < 0:
		fail("audit_retention", "must be >= 0 (0 keeps audit events forever)")
	case c.AuditRetention > 0 && c.AuditRetention < MinAuditRetention && !c.AllowShortAuditRetention:
		fail("audit_retention", "must be at least %s (12 months, PCI DSS 10.5.1) or 0 (forever), %s", formatDuration(MinAuditRetention), hint)
	}
	switch {
	case c.AuditHotPeriod < 0:
		fail("audit_hot_period", "must be >= 0 (0 keeps audit events in the database until audit_retention)")
	case c.AuditHotPeriod > 0 && c.AuditHotPeriod < MinAuditHotPeriod && !c.AllowShortAuditRetention:
		fail("audit_hot_period", "must be at least %s (3 months immediately available, PCI DSS 10.5.1) or 0, %s", formatDuration(MinAuditHotPeriod), hint)
	case c.AuditRetention > 0 && c.AuditHotPeriod > c.AuditRetention:
		fail("audit_hot_period", "must not exceed audit_retention (%s)", formatDuration(c.AuditRetention))
	}
}
