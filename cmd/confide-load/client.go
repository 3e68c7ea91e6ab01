package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"time"
)

// client sends requests to the server under load over HTTP/1.1 keep-alive
// connections, one per concurrent request at most, to loopback addresses only.
type client struct {
	base  *url.URL
	token string
	http  *http.Client
}

func newClient(o options) *client {
	tr := &http.Transport{
		DialContext:         loopbackDialer().DialContext,
		MaxIdleConns:        o.concurrency,
		MaxIdleConnsPerHost: o.concurrency,
		MaxConnsPerHost:     o.concurrency,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: o.timeout,
		DisableCompression:  true,
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: o.insecureSkipVerify, MinVersion: tls.VersionTLS12},
	}
	return &client{
		base:  o.base,
		token: o.token,
		http: &http.Client{
			Transport: tr,
			Timeout:   o.timeout,
			// A redirect is reported as its status, never followed.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// do sends r and returns the response; the caller closes its body.
func (c *client) do(ctx context.Context, r request) (*http.Response, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.base.String()+r.path, body)
	if err != nil {
		return nil, err
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return c.http.Do(req)
}

// errorBodyPrefix is how much of a refusal's body exchange keeps.
const errorBodyPrefix = 240

// exchange sends r, reads the whole response and returns its status code
// and, unless the status is 2xx, the start of its body (Confide's error
// bodies hold a code and a message safe to show).
func (c *client) exchange(ctx context.Context, r request) (status int, refusal string, err error) {
	res, err := c.do(ctx, r)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		b, _ := io.ReadAll(io.LimitReader(res.Body, errorBodyPrefix))
		refusal = res.Status + ": " + string(bytes.TrimSpace(b))
	}
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return 0, "", err
	}
	return res.StatusCode, refusal, nil
}

func (c *client) close() { c.http.CloseIdleConnections() }
