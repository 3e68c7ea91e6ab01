package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// parseLoopbackURL parses the base URL of the server under load and refuses
// any that does not name this machine: the host must be "localhost" or a
// loopback IP literal (127.0.0.0/8, ::1). The result has no trailing slash.
func parseLoopbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("--url: not a URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("--url: scheme must be http or https")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("--url: give only scheme, host, port and an optional path prefix")
	}
	host := u.Hostname()
	if !strings.EqualFold(host, "localhost") {
		ip, err := netip.ParseAddr(host)
		if err != nil || !ip.Unmap().IsLoopback() {
			return nil, fmt.Errorf("--url: host %q is not loopback: confide-load only targets this machine (127.0.0.0/8, ::1, localhost)", host)
		}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// dialLoopbackOnly is a net.Dialer Control function that refuses to connect
// to any address but a loopback one, so that neither DNS ("localhost"
// resolving elsewhere) nor a redirect can send load off this machine.
func dialLoopbackOnly(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("refusing to dial %q: %w", address, err)
	}
	if !ap.Addr().Unmap().IsLoopback() {
		return fmt.Errorf("refusing to dial %s: not a loopback address", ap.Addr())
	}
	return nil
}

// loopbackDialer returns a dialer that connects only to loopback addresses.
func loopbackDialer() *net.Dialer {
	return &net.Dialer{Control: dialLoopbackOnly}
}
