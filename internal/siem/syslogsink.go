package siem

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"time"
)

// Syslog transports, as URL schemes.
const (
	SyslogUDP = "udp"     // RFC 5426: one message per datagram
	SyslogTCP = "tcp"     // RFC 6587 octet-counting framing
	SyslogTLS = "tcp+tls" // RFC 5425: octet counting over TLS 1.2+
)

// maxDatagram is the largest UDP payload over IPv4.
const maxDatagram = 65507

// SyslogConfig configures a SyslogSink.
type SyslogConfig struct {
	// URL is udp://host:port, tcp://host:port or tcp+tls://host:port; the
	// port defaults to 514 (udp, tcp) or 6514 (tcp+tls).
	URL string
	// CAFile, for tcp+tls, is a PEM file of the CAs that may sign the
	// receiver's certificate (default: the system's). The certificate must
	// name the URL's host.
	CAFile string
	// Header gives HOSTNAME, APP-NAME and PROCID; DefaultSyslogHeader
	// fills it.
	Header SyslogHeader
	// Timeout bounds connecting and writing one batch (default 30s).
	Timeout time.Duration
}

// DefaultSyslogHeader returns this process's host name, "confide" and its
// process id.
func DefaultSyslogHeader() SyslogHeader {
	host, _ := os.Hostname()
	return SyslogHeader{Hostname: host, AppName: "confide", ProcID: strconv.Itoa(os.Getpid())}
}

// SyslogSink sends records as CEF in RFC 5424 messages to a syslog
// receiver. It keeps one connection open and replaces it after an error
// or when the receiver closes it.
//
// Syslog has no acknowledgement: a batch counts as delivered once the
// kernel has taken it (TCP, TLS) or sent it (UDP). A receiver that is
// down, refuses the connection or has closed it gets the batch again
// later; one that crashes with a batch in its socket buffer loses it, and
// UDP may lose datagrams on the way. Use the file or HTTP sink where that
// matters.
type SyslogSink struct {
	scheme, addr string
	tls          *tls.Config // nil unless tcp+tls
	header       SyslogHeader
	product      Product
	timeout      time.Duration

	conn   net.Conn
	closed chan struct{} // closed once conn's reader sees EOF or an error
}

// NewSyslogSink returns a syslog sink, or an error if the configuration
// is invalid. It does not connect until the first Send.
func NewSyslogSink(c SyslogConfig, p Product) (*SyslogSink, error) {
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") || u.User != nil || u.RawQuery != "" {
		return nil, errors.New("siem: syslog sink: the URL must be udp://host:port, tcp://host:port or tcp+tls://host:port")
	}
	s := &SyslogSink{scheme: u.Scheme, header: c.Header, product: p, timeout: c.Timeout}
	port := u.Port()
	switch u.Scheme {
	case SyslogUDP, SyslogTCP:
		if port == "" {
			port = "514"
		}
		if c.CAFile != "" {
			return nil, fmt.Errorf("siem: syslog sink: a CA file needs the tcp+tls scheme, not %s", u.Scheme)
		}
	case SyslogTLS:
		if port == "" {
			port = "6514"
		}
		s.tls = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: u.Hostname()}
		if c.CAFile != "" {
			if s.tls.RootCAs, err = loadCAs(c.CAFile); err != nil {
				return nil, fmt.Errorf("siem: syslog sink: %w", err)
			}
		}
	default:
		return nil, fmt.Errorf("siem: syslog sink: unknown transport %q: use udp, tcp or tcp+tls", u.Scheme)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return nil, fmt.Errorf("siem: syslog sink: port %q is not a number", port)
	}
	s.addr = net.JoinHostPort(u.Hostname(), port)
	if s.timeout <= 0 {
		s.timeout = 30 * time.Second
	}
	return s, nil
}

// Name implements Sink.
func (s *SyslogSink) Name() string { return "syslog:" + s.scheme + "://" + s.addr }

// Send implements Sink.
func (s *SyslogSink) Send(ctx context.Context, records []Record) error {
	if err := s.send(ctx, records); err != nil {
		s.Close()
		return fmt.Errorf("siem: syslog sink %s: %w", s.Name(), err)
	}
	return nil
}

func (s *SyslogSink) send(ctx context.Context, records []Record) error {
	if s.conn != nil {
		select {
		case <-s.closed:
			s.Close() // the receiver went away: never write into a dead connection
		default:
		}
	}
	if s.conn == nil {
		if err := s.dial(ctx); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(s.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := s.conn.SetWriteDeadline(deadline); err != nil {
		return err
	}
	if s.scheme == SyslogUDP {
		for _, r := range records {
			msg := FormatSyslog(r, s.product, s.header)
			if len(msg) > maxDatagram {
				return fmt.Errorf("record %d: message of %d bytes does not fit a UDP datagram", r.Seq, len(msg))
			}
			if _, err := s.conn.Write(msg); err != nil {
				return err
			}
		}
		return nil
	}
	var buf []byte
	for _, r := range records {
		buf = AppendOctetCounted(buf, FormatSyslog(r, s.product, s.header))
	}
	_, err := s.conn.Write(buf)
	return err
}

// dial connects, and for TCP and TLS starts a reader that notices when
// the receiver closes the connection (receivers never send anything).
func (s *SyslogSink) dial(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	network := "tcp"
	if s.scheme == SyslogUDP {
		network = "udp"
	}
	var conn net.Conn
	var err error
	if s.tls != nil {
		d := tls.Dialer{Config: s.tls}
		conn, err = d.DialContext(ctx, network, s.addr)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, network, s.addr)
	}
	if err != nil {
		return err
	}
	s.conn, s.closed = conn, make(chan struct{})
	if network == "tcp" {
		go func(c net.Conn, closed chan struct{}) {
			io.Copy(io.Discard, c)
			close(closed)
		}(conn, s.closed)
	}
	return nil
}

// Close implements Sink.
func (s *SyslogSink) Close() error {
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}
