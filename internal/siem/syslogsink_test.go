package siem_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/siem"
)

// syslogURL returns the sink URL of a transport of r.
func syslogURL(r *rsyslog, transport string) string {
	port := map[string]int{siem.SyslogUDP: r.ports.udp, siem.SyslogTCP: r.ports.tcp, siem.SyslogTLS: r.ports.tls}[transport]
	return fmt.Sprintf("%s://127.0.0.1:%d", transport, port)
}

// indexes returns, for the lines from host, the audit index of each.
func indexes(t testing.TB, lines []line, host string) []int64 {
	t.Helper()
	sd := regexp.MustCompile(`^\[confide@32473 index="(\d+)"\]$`)
	var out []int64
	for _, l := range lines {
		if l.hostname != host {
			continue
		}
		m := sd.FindStringSubmatch(l.sd)
		if m == nil {
			t.Fatalf("structured data %q", l.sd)
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, n)
	}
	return out
}

// TestSyslogToRsyslog exports through each transport to a real rsyslogd
// and checks what rsyslog parsed out of every message.
func TestSyslogToRsyslog(t *testing.T) {
	rs := newRsyslog(t, rsyslogPorts{udp: freePort(t, "udp"), tcp: freePort(t, "tcp"), tls: freePort(t, "tcp")})
	rs.start()
	const n = 300
	for _, transport := range []string{siem.SyslogUDP, siem.SyslogTCP, siem.SyslogTLS} {
		t.Run(transport, func(t *testing.T) {
			st := openStore(t)
			appendEvents(t, st, n)
			host := "node-" + strings.ReplaceAll(transport, "+", "-")
			cfg := siem.SyslogConfig{URL: syslogURL(rs, transport), Header: siem.SyslogHeader{Hostname: host, AppName: "confide", ProcID: "77"}}
			if transport == siem.SyslogTLS {
				cfg.CAFile = rs.caFile
			}
			sink, err := siem.NewSyslogSink(cfg, product)
			if err != nil {
				t.Fatal(err)
			}
			startRunner(t, st, siem.RunnerOptions{BatchSize: 64}, sink)
			eventually(t, "rsyslog to write every message", func() bool { return len(indexes(t, rs.lines(), host)) >= n })
			var got []line
			for _, l := range rs.lines() {
				if l.hostname == host {
					got = append(got, l)
				}
			}
			wantSeqs(t, indexes(t, got, host), n)
			actions := []string{"customer.read", "token.create", "recording.play", "alert.raised", "keys.rotate"}
			for i, l := range got {
				action := actions[i%len(actions)]
				if l.version != "1" || l.app != "confide" || l.procID != "77" {
					t.Fatalf("line %d header: %+v", i, l)
				}
				if want := "2025-06-01T12:30:45."; !strings.HasPrefix(l.timestamp, want) {
					t.Errorf("line %d timestamp %q", i, l.timestamp)
				}
				code := map[string]string{"customer.read": "CF-2002", "token.create": "CF-1002", "recording.play": "CF-3005", "alert.raised": "CF-8001", "keys.rotate": "CF-4001"}[action]
				if l.msgID != code {
					t.Errorf("line %d MSGID %q, want %q", i, l.msgID, code)
				}
				wantPrefix := fmt.Sprintf("CEF:0|Confide|Confide|v1.2.3|%s|%s|", code, action)
				if !strings.HasPrefix(l.msg, wantPrefix) || !strings.Contains(l.msg, fmt.Sprintf(" externalId=%d ", i+1)) {
					t.Errorf("line %d MSG %q, want prefix %q and externalId=%d", i, l.msg, wantPrefix, i+1)
				}
				if _, _, err := parseCEF(l.msg); err != nil {
					t.Errorf("line %d: %v", i, err)
				}
				wantPRI := "110" // log audit, informational
				if action == "alert.raised" {
					wantPRI = "108" // a finding: medium severity, warning
				}
				if l.pri != wantPRI {
					t.Errorf("line %d PRI %s, want %s", i, l.pri, wantPRI)
				}
			}
		})
	}
}

// TestSyslogTLSVerifiesReceiver refuses a receiver whose certificate is
// not signed by the configured CA (here: the system's CAs).
func TestSyslogTLSVerifiesReceiver(t *testing.T) {
	rs := newRsyslog(t, rsyslogPorts{tls: freePort(t, "tcp")})
	rs.start()
	sink, err := siem.NewSyslogSink(siem.SyslogConfig{URL: syslogURL(rs, siem.SyslogTLS)}, product)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	err = sink.Send(t.Context(), []siem.Record{record(1, "customer.read", "success", "")})
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Send to an untrusted receiver: %v, want a certificate error", err)
	}
}

// TestSyslogReceiverDownThenBack exports to a receiver that is down at
// first, comes up, goes down again while more events are written and
// comes back: it ends up with every event.
func TestSyslogReceiverDownThenBack(t *testing.T) {
	needRsyslog(t)
	for _, transport := range []string{siem.SyslogTCP, siem.SyslogTLS} {
		t.Run(transport, func(t *testing.T) {
			ports := rsyslogPorts{tcp: freePort(t, "tcp")}
			if transport == siem.SyslogTLS {
				ports = rsyslogPorts{tls: freePort(t, "tcp")}
			}
			rs := newRsyslog(t, ports)
			st := openStore(t)
			sink, err := siem.NewSyslogSink(siem.SyslogConfig{URL: syslogURL(rs, transport), CAFile: rs.caFile,
				Header: siem.SyslogHeader{Hostname: "h", AppName: "confide", ProcID: "1"}}, product)
			if err != nil {
				t.Fatal(err)
			}
			appendEvents(t, st, 100)
			r := startRunner(t, st, siem.RunnerOptions{BatchSize: 32}, sink)
			eventually(t, "failed attempts while the receiver is down", func() bool { return r.failures() >= 3 })
			if c := cursor(t, st, sink.Name()); c.Seq != 0 {
				t.Fatalf("cursor at %d while the receiver is down", c.Seq)
			}
			rs.start()
			eventually(t, "the backlog", func() bool { return cursor(t, st, sink.Name()).Seq == 100 && len(rs.lines()) >= 100 })

			rs.stop()
			before := r.failures()
			appendEvents(t, st, 150)
			eventually(t, "failed attempts while the receiver is down again", func() bool { return r.failures() >= before+3 })
			rs.start()
			eventually(t, "the second backlog", func() bool { return cursor(t, st, sink.Name()).Seq == 250 })
			eventually(t, "rsyslog to write the second backlog", func() bool { return len(distinct(indexes(t, rs.lines(), "h"))) == 250 })
			got := distinct(indexes(t, rs.lines(), "h"))
			for i := int64(1); i <= 250; i++ {
				if !got[i] {
					t.Errorf("event %d lost", i)
				}
			}
		})
	}
}

func distinct(seqs []int64) map[int64]bool {
	m := map[int64]bool{}
	for _, s := range seqs {
		m[s] = true
	}
	return m
}
