package config

import (
	"net/mail"
	"net/netip"
	"net/url"
	"strings"
)

// MonitorConfig configures detection (docs/MONITOR.md): the rules, the
// honey customers and the delivery of alerts.
type MonitorConfig struct {
	RulesFile      string // YAML rule configuration; empty: the documented defaults
	HoneyCustomers string // comma-separated ids of canary customers
	WebhookURL     string // receives every alert as POSTed JSON; empty: off
	WebhookSecret  string // HMAC-SHA256 key signing webhook bodies; never shown
	AlertEmail     string // comma-separated addresses mailed every alert (through verification_smtp_*); empty: off
}

// AlertRecipients returns the addresses alerts are mailed to.
func (m MonitorConfig) AlertRecipients() []string {
	var out []string
	for _, a := range strings.Split(m.AlertEmail, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// HoneyIDs returns the configured honey customer ids.
func (m MonitorConfig) HoneyIDs() []string {
	var out []string
	for _, id := range strings.Split(m.HoneyCustomers, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// monitorSettings are the detection settings, in the order Effective
// reports them.
func monitorSettings() []*setting {
	return []*setting{
		newSetting("monitor_rules_file", "YAML `file` configuring the detection rules (default: built-in defaults); a relative geoip_db in it is relative to its directory",
			func(c *Config) any { return &c.Monitor.RulesFile }),
		newSetting("monitor_honey_customers", "comma-separated customer `ids` that are honey records: any access is a critical alert",
			func(c *Config) any { return &c.Monitor.HoneyCustomers }),
		newSetting("monitor_webhook_url", "POST every alert as JSON to `URL` (off if empty)",
			func(c *Config) any { return &c.Monitor.WebhookURL }).withRedact(redactURL),
		newSetting("monitor_webhook_secret", "`key` signing webhook bodies with HMAC-SHA256 (X-Confide-Signature)",
			func(c *Config) any { return &c.Monitor.WebhookSecret }).withRedact(func(v string) string {
			if v == "" {
				return ""
			}
			return hidden
		}),
		newSetting("monitor_alert_email", "comma-separated `addresses` mailed every alert, through the SMTP server of verification_smtp_addr (off if empty)",
			func(c *Config) any { return &c.Monitor.AlertEmail }),
	}
}

// resolvePaths makes the rules file path absolute against wd.
func (m *MonitorConfig) resolvePaths(wd string) {
	m.RulesFile = absolute(wd, m.RulesFile)
}

// validate reports the invalid detection settings through fail.
func (m MonitorConfig) validate(fail func(key, format string, args ...any)) {
	if m.WebhookURL != "" {
		u, err := url.Parse(m.WebhookURL)
		switch {
		case err != nil || u.Host == "":
			fail("monitor_webhook_url", "not an absolute URL")
		case u.Scheme == "https":
		case u.Scheme == "http" && isLoopbackName(u.Hostname()):
		default:
			fail("monitor_webhook_url", "must be https:// (http:// only to a loopback address)")
		}
	}
	for _, id := range m.HoneyIDs() {
		if len(id) > 128 {
			fail("monitor_honey_customers", "an id is longer than 128 characters")
		}
	}
	for _, a := range m.AlertRecipients() {
		if _, err := mail.ParseAddress(a); err != nil || strings.ContainsAny(a, "<>\r\n ") {
			fail("monitor_alert_email", "%q is not a bare e-mail address", a)
		}
	}
}

// isLoopbackName reports whether host is localhost or a loopback address.
func isLoopbackName(host string) bool {
	ip, err := netip.ParseAddr(host)
	return strings.EqualFold(host, "localhost") || (err == nil && ip.IsLoopback())
}

// The detection settings follow the general ones.
func init() { settings = append(settings, monitorSettings()...) }
