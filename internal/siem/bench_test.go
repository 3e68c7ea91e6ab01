package siem_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/siem"
)

// benchBatch is one batch of typical records.
func benchBatch(n int) []siem.Record {
	out := make([]siem.Record, n)
	actions := []string{"customer.read", "token.create", "recording.play", "alert.raised", "keys.rotate"}
	for i := range out {
		out[i] = record(int64(i+1), actions[i%len(actions)], audit.Success, fmt.Sprintf("customer/c-%d", i))
	}
	return out
}

func BenchmarkMapOCSF(b *testing.B) {
	r := benchBatch(1)[0]
	for b.Loop() {
		if _, err := siem.MarshalOCSF(r, product); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormatSyslog(b *testing.B) {
	r := benchBatch(1)[0]
	h := siem.DefaultSyslogHeader()
	for b.Loop() {
		siem.FormatSyslog(r, product, h)
	}
}

// BenchmarkSinkSend sends batches of 500 records through each sink to a
// real receiver: a file, an HTTP server, rsyslogd over UDP, TCP and TLS.
func BenchmarkSinkSend(b *testing.B) {
	const batch = 500
	recs := benchBatch(batch)
	sinks := map[string]func(b *testing.B) siem.Sink{
		"file": func(b *testing.B) siem.Sink {
			return siem.NewFileSink(filepath.Join(b.TempDir(), "out.jsonl"), product)
		},
		"http": func(b *testing.B) siem.Sink {
			srv := httptest.NewServer(&collector{})
			b.Cleanup(srv.Close)
			s, err := siem.NewHTTPSink(siem.HTTPConfig{URL: srv.URL}, product)
			if err != nil {
				b.Fatal(err)
			}
			return s
		},
	}
	rs := newRsyslog(b, rsyslogPorts{udp: freePort(b, "udp"), tcp: freePort(b, "tcp"), tls: freePort(b, "tcp")})
	rs.start()
	for _, transport := range []string{siem.SyslogUDP, siem.SyslogTCP, siem.SyslogTLS} {
		sinks["syslog-"+transport] = func(b *testing.B) siem.Sink {
			cfg := siem.SyslogConfig{URL: syslogURL(rs, transport), Header: siem.DefaultSyslogHeader()}
			if transport == siem.SyslogTLS {
				cfg.CAFile = rs.caFile
			}
			s, err := siem.NewSyslogSink(cfg, product)
			if err != nil {
				b.Fatal(err)
			}
			return s
		}
	}
	for _, name := range []string{"file", "http", "syslog-udp", "syslog-tcp", "syslog-tcp+tls"} {
		b.Run(name, func(b *testing.B) {
			s := sinks[name](b)
			defer s.Close()
			ctx := context.Background()
			start := time.Now()
			for b.Loop() {
				if err := s.Send(ctx, recs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "events/s")
		})
	}
}

// BenchmarkRunnerFile measures the whole pipeline on SQLite: read 20,000
// audit records in batches of 500, write them to a file sink (fsync per
// batch) and advance the cursor.
func BenchmarkRunnerFile(b *testing.B) {
	const n = 20000
	st := openStore(b)
	appendEvents(b, st, n)
	dir := b.TempDir()
	i := 0
	start := time.Now()
	for b.Loop() {
		i++
		sink := siem.NewFileSink(filepath.Join(dir, fmt.Sprintf("out-%d.jsonl", i)), product)
		r := startRunner(b, st, siem.RunnerOptions{BatchSize: 500, PollInterval: time.Millisecond}, sink)
		eventually(b, "export", func() bool { return cursor(b, st, sink.Name()).Seq == n })
		r.stop()
	}
	b.ReportMetric(float64(b.N*n)/time.Since(start).Seconds(), "events/s")
}
