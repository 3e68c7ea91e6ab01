package main

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseLoopbackURL(t *testing.T) {
	tests := []struct {
		raw     string
		want    string // the URL kept, when accepted
		wantErr string // part of the error, when refused
	}{
		{raw: "http://127.0.0.1:8443", want: "http://127.0.0.1:8443"},
		{raw: "https://127.0.0.1:8443/", want: "https://127.0.0.1:8443"},
		{raw: "http://127.9.8.7:1/prefix/", want: "http://127.9.8.7:1/prefix"},
		{raw: "http://localhost:8080", want: "http://localhost:8080"},
		{raw: "http://LocalHost", want: "http://LocalHost"},
		{raw: "http://[::1]:8443", want: "http://[::1]:8443"},
		{raw: "http://[::ffff:127.0.0.1]:80", want: "http://[::ffff:127.0.0.1]:80"},
		{raw: "http://10.0.0.1:8443", wantErr: "not loopback"},
		{raw: "http://192.168.1.10", wantErr: "not loopback"},
		{raw: "http://8.8.8.8", wantErr: "not loopback"},
		{raw: "http://[::2]:80", wantErr: "not loopback"},
		{raw: "http://0.0.0.0:80", wantErr: "not loopback"},
		{raw: "http://example.com", wantErr: "not loopback"},
		{raw: "http://localhost.example.com", wantErr: "not loopback"},
		{raw: "http://127.0.0.1.nip.io", wantErr: "not loopback"},
		{raw: "http://2130706433", wantErr: "not loopback"}, // 127.0.0.1 as an integer: not an IP literal Go dials as loopback
		{raw: "http://", wantErr: "not loopback"},
		{raw: "ftp://127.0.0.1", wantErr: "scheme"},
		{raw: "127.0.0.1:8443", wantErr: "not a URL"},
		{raw: "localhost:8443", wantErr: "scheme"},
		{raw: "http://user:pw@127.0.0.1", wantErr: "only scheme"},
		{raw: "http://127.0.0.1/?x=1", wantErr: "only scheme"},
		{raw: "http://127.0.0.1/#x", wantErr: "only scheme"},
		{raw: "http://[::1", wantErr: "not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			u, err := parseLoopbackURL(tt.raw)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseLoopbackURL(%q) = %v, %v; want error containing %q", tt.raw, u, err, tt.wantErr)
				}
				return
			}
			if err != nil || u.String() != tt.want {
				t.Fatalf("parseLoopbackURL(%q) = %v, %v; want %s", tt.raw, u, err, tt.want)
			}
		})
	}
}

func TestDialLoopbackOnly(t *testing.T) {
	tests := []struct {
		address string
		allowed bool
	}{
		{"127.0.0.1:80", true},
		{"127.255.255.254:1", true},
		{"[::1]:443", true},
		{"[::ffff:127.0.0.1]:443", true},
		{"10.1.2.3:80", false},
		{"[fe80::1]:80", false},
		{"0.0.0.0:80", false},
		{"localhost:80", false}, // the dialer sees resolved addresses only
		{"garbage", false},
	}
	for _, tt := range tests {
		err := dialLoopbackOnly("tcp", tt.address, nil)
		if (err == nil) != tt.allowed {
			t.Errorf("dialLoopbackOnly(%q) = %v, want allowed=%v", tt.address, err, tt.allowed)
		}
	}
}

// FuzzParseLoopbackURL checks that no input panics and that every accepted
// URL names this machine.
func FuzzParseLoopbackURL(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:8443", "https://[::1]/x", "http://localhost", "http://10.0.0.1", "http://%31%32%37.0.0.1", "http://[::ffff:7f00:1]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := parseLoopbackURL(raw)
		if err != nil {
			return
		}
		host := u.Hostname()
		if strings.EqualFold(host, "localhost") {
			return
		}
		ip, perr := netip.ParseAddr(host)
		if perr != nil || !ip.Unmap().IsLoopback() {
			t.Fatalf("accepted %q with host %q", raw, host)
		}
	})
}
