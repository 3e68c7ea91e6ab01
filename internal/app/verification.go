package app

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"os"

	"github.com/confide-cc/confide/internal/config"
	"github.com/confide-cc/confide/internal/notify"
	"github.com/confide-cc/confide/internal/records"
)

// openVerification builds caller verification: the SMS gateway and SMTP
// senders that are configured, and the limits (docs/VERIFICATION.md).
func (a *App) openVerification(cfg config.Config, log *slog.Logger) error {
	vc := cfg.Verification
	opt := records.VerificationOptions{MaxStarts: vc.MaxStarts, TakeoverThreshold: vc.TakeoverThreshold, TakeoverWindow: vc.TakeoverWindow,
		Now: a.clock.Now} // the node's clock, which tests move (export_test.go)
	if vc.SMSWebhookURL != "" {
		opt.SMS = &notify.SMSWebhook{URL: vc.SMSWebhookURL, Secret: vc.SMSWebhookSecret, Timeout: vc.SendTimeout}
	}
	if vc.SMTPAddr != "" {
		m, err := smtpSender(vc)
		if err != nil {
			return err
		}
		opt.Email = m
	}
	if opt.SMS == nil && opt.Email == nil {
		log.Debug("caller verification: no SMS gateway or SMTP server configured; only knowledge-based checks are available")
	}
	a.Verification = a.Records.NewVerifier(opt)
	return nil
}

// smtpSender is the SMTP client of the configured submission server
// (verification_smtp_*), which sends codes to customers and alerts to
// security staff.
func smtpSender(vc config.VerificationConfig) (*notify.SMTP, error) {
	m := &notify.SMTP{Addr: vc.SMTPAddr, From: vc.SMTPFrom, Username: vc.SMTPUsername, Password: vc.SMTPPassword,
		Security: vc.SMTPSecurity, Timeout: vc.SendTimeout}
	if vc.SMTPCAFile != "" {
		pem, err := os.ReadFile(vc.SMTPCAFile)
		if err != nil {
			return nil, fmt.Errorf("verification_smtp_ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("verification_smtp_ca_file: %s holds no PEM certificate", vc.SMTPCAFile)
		}
		host, _, _ := net.SplitHostPort(vc.SMTPAddr) // validated by config
		m.TLSConfig = &tls.Config{ServerName: host, RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return m, nil
}
