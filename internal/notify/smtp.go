package notify

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// SMTP security modes.
const (
	SMTPStartTLS = "starttls" // plain connection upgraded with STARTTLS, which must be offered
	SMTPTLS      = "tls"      // TLS from the first byte (port 465)
	SMTPNone     = "none"     // no TLS: only for a relay on the same machine
)

// SMTP sends email through a submission server.
type SMTP struct {
	Addr     string // host:port
	From     string // envelope and header sender, a bare address
	Username string // PLAIN authentication when set
	Password string
	Security string        // SMTPStartTLS (default), SMTPTLS or SMTPNone
	Timeout  time.Duration // whole delivery; default 10s
	Subject  string        // default "Your verification code"
	// TLSConfig overrides the TLS settings (default: verify the server
	// name of Addr against the system roots).
	TLSConfig *tls.Config
	// Hostname is sent in EHLO (default "localhost").
	Hostname string
}

// Send implements Sender.
func (m *SMTP) Send(ctx context.Context, to, message string) error {
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if strings.ContainsAny(to, "\r\n<>") || strings.ContainsAny(m.From, "\r\n<>") {
		return &Error{Channel: "email", Stage: "address", Detail: "invalid address"}
	}
	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return &Error{Channel: "email", Stage: "connect", Detail: "invalid server address"}
	}
	tlsConf := m.TLSConfig
	if tlsConf == nil {
		tlsConf = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return &Error{Channel: "email", Stage: "connect", Detail: safeDetail(err)}
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// Closing the connection when ctx ends unblocks a stuck exchange.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if m.Security == SMTPTLS {
		tc := tls.Client(conn, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return &Error{Channel: "email", Stage: "tls", Detail: safeDetail(err)}
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return &Error{Channel: "email", Stage: "greeting", Detail: safeDetail(err)}
	}
	defer c.Close()
	step := func(stage string, err error) error {
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return &Error{Channel: "email", Stage: stage, Detail: safeDetail(ctx.Err())}
		}
		return &Error{Channel: "email", Stage: stage, Detail: safeDetail(err)}
	}
	hostname := m.Hostname
	if hostname == "" {
		hostname = "localhost"
	}
	if err := step("ehlo", c.Hello(hostname)); err != nil {
		return err
	}
	if m.Security == "" || m.Security == SMTPStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return &Error{Channel: "email", Stage: "starttls", Detail: "server does not offer STARTTLS"}
		}
		if err := step("starttls", c.StartTLS(tlsConf)); err != nil {
			return err
		}
	}
	if m.Username != "" {
		// net/smtp's PLAIN refuses to send the password without TLS unless
		// the server is on localhost.
		if err := step("auth", c.Auth(smtp.PlainAuth("", m.Username, m.Password, host))); err != nil {
			return err
		}
	}
	if err := step("mail", c.Mail(m.From)); err != nil {
		return err
	}
	if err := step("rcpt", c.Rcpt(to)); err != nil {
		return err
	}
	w, err := c.Data()
	if err := step("data", err); err != nil {
		return err
	}
	if _, err := w.Write(m.compose(to, message)); err != nil {
		return step("data", err)
	}
	if err := step("data", w.Close()); err != nil {
		return err
	}
	return step("quit", c.Quit())
}

// compose builds a plain-text RFC 5322 message (LF line endings; the SMTP
// data writer sends CRLF).
func (m *SMTP) compose(to, message string) []byte {
	subject := m.Subject
	if subject == "" {
		subject = "Your verification code"
	}
	var id [12]byte
	rand.Read(id[:])
	domain := "confide.invalid"
	if at := strings.LastIndexByte(m.From, '@'); at >= 0 {
		domain = m.From[at+1:]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\n", m.From)
	fmt.Fprintf(&b, "To: %s\n", to)
	fmt.Fprintf(&b, "Subject: %s\n", subject)
	fmt.Fprintf(&b, "Date: %s\n", time.Now().UTC().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\n", hex.EncodeToString(id[:]), domain)
	b.WriteString("MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\nAuto-Submitted: auto-generated\n\n")
	b.WriteString(strings.ReplaceAll(message, "\r\n", "\n"))
	b.WriteString("\n")
	// net/smtp's data writer turns \n into CRLF and dot-stuffs lines.
	return []byte(b.String())
}
