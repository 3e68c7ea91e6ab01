package config

import (
	"net"
	"net/mail"
	"strings"
	"time"
)

// VerificationConfig configures caller identity verification
// (docs/VERIFICATION.md): how one-time codes reach customers and when
// repeated failures raise an account-takeover signal.
type VerificationConfig struct {
	SMSWebhookURL    string // SMS gateway receiving POST {"to","message"}; empty: no sms method
	SMSWebhookSecret string // sent as a bearer token to the gateway; never shown

	SMTPAddr     string // host:port of the submission server; empty: no email method
	SMTPFrom     string // sender address of code emails
	SMTPUsername string // PLAIN authentication when set
	SMTPPassword string // never shown
	SMTPSecurity string // starttls (default), tls or none (loopback only)
	SMTPCAFile   string // PEM CAs trusted for the SMTP server instead of the system's

	SendTimeout time.Duration // bound on one delivery (gateway request or SMTP session)

	MaxStarts         int           // verifications one interaction may start
	TakeoverThreshold int           // failed verifications of one customer that raise the signal ...
	TakeoverWindow    time.Duration // ... within this window
}

// verificationDefaults are the verification settings' defaults.
func verificationDefaults() VerificationConfig {
	return VerificationConfig{SMTPSecurity: "starttls", SendTimeout: 10 * time.Second,
		MaxStarts: 5, TakeoverThreshold: 3, TakeoverWindow: 24 * time.Hour}
}

// verificationSettings are the verification settings, in the order
// Effective reports them.
func verificationSettings() []*setting {
	return []*setting{
		newSetting("verification_sms_webhook_url", "SMS gateway `URL` receiving one-time codes as POSTed JSON {to, message} (sms method off if empty)",
			func(c *Config) any { return &c.Verification.SMSWebhookURL }).withRedact(redactURL),
		newSetting("verification_sms_webhook_secret", "bearer `token` sent to the SMS gateway",
			func(c *Config) any { return &c.Verification.SMSWebhookSecret }).withRedact(redactSecret),
		newSetting("verification_smtp_addr", "SMTP submission server `host:port` for one-time codes by email (email method off if empty)",
			func(c *Config) any { return &c.Verification.SMTPAddr }),
		newSetting("verification_smtp_from", "sender `address` of code emails",
			func(c *Config) any { return &c.Verification.SMTPFrom }),
		newSetting("verification_smtp_username", "SMTP `user` name (no authentication if empty)",
			func(c *Config) any { return &c.Verification.SMTPUsername }),
		newSetting("verification_smtp_password", "SMTP `password`",
			func(c *Config) any { return &c.Verification.SMTPPassword }).withRedact(redactSecret),
		newSetting("verification_smtp_security", "SMTP connection `security`: starttls, tls or none (none only to a loopback server)",
			func(c *Config) any { return &c.Verification.SMTPSecurity }),
		newSetting("verification_smtp_ca_file", "PEM `file` of the CAs trusted for the SMTP server (default: the system's)",
			func(c *Config) any { return &c.Verification.SMTPCAFile }),
		newSetting("verification_send_timeout", "`duration` allowed for delivering one code",
			func(c *Config) any { return &c.Verification.SendTimeout }),
		newSetting("verification_max_starts", "`number` of verifications one interaction may start at most",
			func(c *Config) any { return &c.Verification.MaxStarts }),
		newSetting("verification_takeover_threshold", "`number` of failed verifications of one customer that raise an account-takeover signal",
			func(c *Config) any { return &c.Verification.TakeoverThreshold }),
		newSetting("verification_takeover_window", "`duration` within which verification failures count towards the takeover signal",
			func(c *Config) any { return &c.Verification.TakeoverWindow }),
	}
}

// validate reports the invalid verification settings through fail.
func (v VerificationConfig) validate(fail func(key, format string, args ...any)) {
	if v.SMSWebhookURL != "" {
		u, err := parseURL(v.SMSWebhookURL)
		switch {
		case err != nil:
			fail("verification_sms_webhook_url", "%v", err)
		case (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			fail("verification_sms_webhook_url", "must be https://host[:port]/path")
		case u.Scheme == "http" && !isLoopbackHost(u.Hostname()):
			fail("verification_sms_webhook_url", "plain http is only allowed to a loopback address; use https")
		}
	} else if v.SMSWebhookSecret != "" {
		fail("verification_sms_webhook_secret", "is set but verification_sms_webhook_url is not")
	}
	if strings.ContainsAny(v.SMSWebhookSecret, "\r\n") {
		fail("verification_sms_webhook_secret", "must be one line")
	}
	switch v.SMTPSecurity {
	case "starttls", "tls", "none":
	default:
		fail("verification_smtp_security", "must be starttls, tls or none, not %q", v.SMTPSecurity)
	}
	if v.SMTPAddr != "" {
		host, _, err := net.SplitHostPort(v.SMTPAddr)
		if cerr := checkAddr(v.SMTPAddr); cerr != nil || err != nil || host == "" {
			fail("verification_smtp_addr", "must be host:port, e.g. smtp.example.com:587")
		} else if v.SMTPSecurity == "none" && !isLoopbackHost(host) {
			fail("verification_smtp_security", "none (no TLS) is only allowed to a loopback server; use starttls or tls")
		}
		if a, err := mail.ParseAddress(v.SMTPFrom); v.SMTPFrom == "" || err != nil || a.Name != "" || a.Address != v.SMTPFrom {
			fail("verification_smtp_from", "must be a bare email address, e.g. verify@example.com")
		}
		if v.SMTPPassword != "" && v.SMTPUsername == "" {
			fail("verification_smtp_username", "must be set when verification_smtp_password is")
		}
	} else {
		for _, f := range []struct{ key, v string }{{"verification_smtp_from", v.SMTPFrom}, {"verification_smtp_username", v.SMTPUsername}, {"verification_smtp_password", v.SMTPPassword}} {
			if f.v != "" {
				fail(f.key, "is set but verification_smtp_addr is not")
			}
		}
	}
	if v.SMTPCAFile != "" && (v.SMTPAddr == "" || v.SMTPSecurity == "none") {
		fail("verification_smtp_ca_file", "needs verification_smtp_addr with security starttls or tls")
	}
	if strings.ContainsAny(v.SMTPUsername+v.SMTPPassword, "\r\n") {
		fail("verification_smtp_password", "user name and password must be one line")
	}
	if v.SendTimeout <= 0 {
		fail("verification_send_timeout", "must be > 0")
	}
	if v.MaxStarts < 1 || v.MaxStarts > 100 {
		fail("verification_max_starts", "must be 1 to 100")
	}
	if v.TakeoverThreshold < 1 {
		fail("verification_takeover_threshold", "must be >= 1")
	}
	if v.TakeoverWindow <= 0 {
		fail("verification_takeover_window", "must be > 0")
	}
}

// resolvePaths makes the SMTP CA file path absolute against wd.
func (v *VerificationConfig) resolvePaths(wd string) {
	v.SMTPCAFile = absolute(wd, v.SMTPCAFile)
}

// The verification settings follow the general ones.
func init() { settings = append(settings, verificationSettings()...) }
