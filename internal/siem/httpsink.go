package siem

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"
)

// HTTPConfig configures an HTTPSink.
type HTTPConfig struct {
	// URL receives the batches (https, or http for a collector on the
	// same machine).
	URL string
	// AuthHeader and AuthValue, if AuthValue is set, are sent with every
	// request, e.g. "Authorization" and "Bearer <token>" (AuthHeader
	// defaults to Authorization). AuthValue is a credential: it never
	// appears in errors or logs.
	AuthHeader, AuthValue string
	// CAFile, if set, is a PEM file of the CAs to trust instead of the
	// system's.
	CAFile string
	// Timeout bounds one request (default 30s).
	Timeout time.Duration
	// Client, if set, sends the requests (tests); CAFile and Timeout are
	// then ignored.
	Client *http.Client
}

// HTTPSink POSTs batches of records as a JSON array of OCSF events
// (Content-Type application/json). Any 2xx answer accepts the batch;
// anything else fails it and the Runner retries, honouring Retry-After.
type HTTPSink struct {
	url     *url.URL
	header  string
	value   string
	client  *http.Client
	product Product
	agent   string
}

// NewHTTPSink returns an HTTP sink, or an error if the configuration is
// invalid.
func NewHTTPSink(c HTTPConfig, p Product) (*HTTPSink, error) {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("siem: HTTP sink: the URL must be http(s)://host[:port]/path")
	}
	s := &HTTPSink{url: u, header: c.AuthHeader, value: c.AuthValue, client: c.Client, product: p,
		agent: "Confide/" + p.Version}
	if s.header == "" {
		s.header = "Authorization"
	}
	if s.client == nil {
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if c.CAFile != "" {
			if tc.RootCAs, err = loadCAs(c.CAFile); err != nil {
				return nil, fmt.Errorf("siem: HTTP sink: %w", err)
			}
		}
		timeout := c.Timeout
		if timeout <= 0 {
			timeout = 30 * time.Second
		}
		s.client = &http.Client{Timeout: timeout, Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment, TLSClientConfig: tc, ForceAttemptHTTP2: true,
			MaxIdleConns: 2, IdleConnTimeout: 90 * time.Second,
		}}
	}
	return s, nil
}

// Name implements Sink: the URL without user information or query.
func (s *HTTPSink) Name() string {
	u := *s.url
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return "http:" + u.String()
}

// Send implements Sink.
func (s *HTTPSink) Send(ctx context.Context, records []Record) error {
	body := []byte{'['}
	for i, r := range records {
		if i > 0 {
			body = append(body, ',')
		}
		ev, err := MarshalOCSF(r, s.product)
		if err != nil {
			return fmt.Errorf("siem: HTTP sink: encode record %d: %w", r.Seq, err)
		}
		body = append(body, ev...)
	}
	body = append(body, ']')
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("siem: HTTP sink: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.agent)
	if s.value != "" {
		req.Header.Set(s.header, s.value)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its URL may hold a credential
		}
		return fmt.Errorf("siem: HTTP sink %s: %w", s.Name(), err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		return nil
	}
	return &httpStatusError{sink: s.Name(), code: resp.StatusCode, retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
}

// Close implements Sink.
func (s *HTTPSink) Close() error {
	s.client.CloseIdleConnections()
	return nil
}

// httpStatusError is a refused batch.
type httpStatusError struct {
	sink       string
	code       int
	retryAfter time.Duration
}

func (e *httpStatusError) Error() string {
	return fmt.Sprintf("siem: HTTP sink %s: answered %d %s", e.sink, e.code, http.StatusText(e.code))
}

// RetryAfter implements retryAfterError.
func (e *httpStatusError) RetryAfter() time.Duration { return e.retryAfter }

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP
// date; 0 if absent or invalid.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// loadCAs reads a PEM file of CA certificates.
func loadCAs(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s: no PEM certificate in it", file)
	}
	return pool, nil
}
