package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// SIEMConfig selects where the audit log is exported (docs/SIEM.md).
// Each sink is on when its destination is set; none is on by default.
type SIEMConfig struct {
	File string // OCSF JSON-lines file

	HTTPURL        string // endpoint receiving POSTed arrays of OCSF events
	HTTPAuthHeader string // header carrying HTTPAuth (default Authorization)
	HTTPAuth       string // credential header value, e.g. "Bearer <token>"; never shown
	HTTPCAFile     string // PEM CAs trusted for HTTPURL instead of the system's

	SyslogURL    string // udp://, tcp:// or tcp+tls://host:port: CEF in RFC 5424 messages
	SyslogCAFile string // PEM CAs trusted for a tcp+tls receiver instead of the system's

	PollInterval time.Duration // how often caught-up sinks look for new audit records
}

// Enabled reports whether any SIEM sink is configured.
func (s SIEMConfig) Enabled() bool {
	return s.File != "" || s.HTTPURL != "" || s.SyslogURL != ""
}

// siemSettings are the SIEM export settings, in the order Effective
// reports them.
func siemSettings() []*setting {
	return []*setting{
		newSetting("siem_file", "append the audit log as OCSF JSON lines to `file` (off if empty)",
			func(c *Config) any { return &c.SIEM.File }),
		newSetting("siem_http_url", "POST the audit log as OCSF JSON to `URL` (off if empty)",
			func(c *Config) any { return &c.SIEM.HTTPURL }).withRedact(redactURL),
		newSetting("siem_http_auth_header", "`header` that carries siem_http_auth",
			func(c *Config) any { return &c.SIEM.HTTPAuthHeader }),
		newSetting("siem_http_auth", "credential `value` sent in siem_http_auth_header, e.g. \"Bearer TOKEN\"",
			func(c *Config) any { return &c.SIEM.HTTPAuth }).withRedact(redactSecret),
		newSetting("siem_http_ca_file", "PEM `file` of the CAs trusted for siem_http_url (default: the system's)",
			func(c *Config) any { return &c.SIEM.HTTPCAFile }),
		newSetting("siem_syslog_url", "send the audit log as CEF over syslog to `URL`: udp://, tcp:// or tcp+tls://host:port (off if empty)",
			func(c *Config) any { return &c.SIEM.SyslogURL }),
		newSetting("siem_syslog_ca_file", "PEM `file` of the CAs trusted for a tcp+tls syslog receiver (default: the system's)",
			func(c *Config) any { return &c.SIEM.SyslogCAFile }),
		newSetting("siem_poll_interval", "`duration` between looks for new audit records to export",
			func(c *Config) any { return &c.SIEM.PollInterval }),
	}
}

// siemDefaults are the SIEM settings' defaults.
func siemDefaults() SIEMConfig {
	return SIEMConfig{HTTPAuthHeader: "Authorization", PollInterval: time.Second}
}

// redactSecret hides any non-empty value.
func redactSecret(v string) string {
	if v == "" {
		return ""
	}
	return hidden
}

// resolvePaths makes the SIEM file paths absolute against wd.
func (s *SIEMConfig) resolvePaths(wd string) {
	for _, p := range []*string{&s.File, &s.HTTPCAFile, &s.SyslogCAFile} {
		*p = absolute(wd, *p)
	}
}

// validate reports the invalid SIEM settings through fail.
func (s SIEMConfig) validate(fail func(key, format string, args ...any)) {
	if s.HTTPURL != "" {
		u, err := parseURL(s.HTTPURL)
		switch {
		case err != nil:
			fail("siem_http_url", "%v", err)
		case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
			fail("siem_http_url", "must be https://host[:port]/path")
		case u.Scheme == "http" && !isLoopbackHost(u.Hostname()):
			fail("siem_http_url", "plain http is only allowed to a loopback address; use https")
		}
	} else {
		for _, f := range []struct{ key, v string }{{"siem_http_auth", s.HTTPAuth}, {"siem_http_ca_file", s.HTTPCAFile}} {
			if f.v != "" {
				fail(f.key, "is set but siem_http_url is not")
			}
		}
	}
	if s.HTTPAuth != "" && strings.TrimSpace(s.HTTPAuthHeader) == "" {
		fail("siem_http_auth_header", "must not be empty when siem_http_auth is set")
	}
	if strings.ContainsAny(s.HTTPAuth, "\r\n") {
		fail("siem_http_auth", "must be one line")
	}
	if s.SyslogURL != "" {
		if err := checkSyslogURL(s.SyslogURL); err != nil {
			fail("siem_syslog_url", "%v", err)
		} else if s.SyslogCAFile != "" && !strings.HasPrefix(s.SyslogURL, "tcp+tls://") {
			fail("siem_syslog_ca_file", "needs a tcp+tls:// siem_syslog_url")
		}
	} else if s.SyslogCAFile != "" {
		fail("siem_syslog_ca_file", "is set but siem_syslog_url is not")
	}
	if s.PollInterval <= 0 {
		fail("siem_poll_interval", "must be > 0")
	}
}

// checkSyslogURL checks that raw is udp://, tcp:// or tcp+tls://host[:port].
func checkSyslogURL(raw string) error {
	u, err := parseURL(raw)
	if err != nil {
		return err
	}
	switch u.Scheme {
	case "udp", "tcp", "tcp+tls":
	default:
		return fmt.Errorf("unsupported scheme %q (use udp, tcp or tcp+tls)", u.Scheme)
	}
	if u.Hostname() == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return fmt.Errorf("must be %s://host:port and nothing more", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if err := checkAddr("x:" + p); err != nil {
			return err
		}
	}
	return nil
}

// isLoopbackHost reports whether host is "localhost" or a loopback IP.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// The SIEM settings follow the general ones.
func init() { settings = append(settings, siemSettings()...) }
