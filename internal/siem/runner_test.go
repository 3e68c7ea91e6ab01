package siem_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/siem"
	"github.com/confide-cc/confide/internal/store"
)

// fileSeqs reads an OCSF JSON-lines file and returns each line's
// metadata.uid as a number.
func fileSeqs(t testing.TB, path string) []int64 {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ev siem.OCSFEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %d is not an OCSF event: %v", len(out)+1, err)
		}
		seq, err := strconv.ParseInt(ev.Metadata.UID, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, seq)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// wantSeqs fails unless got is exactly 1..n in order.
func wantSeqs(t testing.TB, got []int64, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%d events delivered, want %d", len(got), n)
	}
	for i, s := range got {
		if s != int64(i+1) {
			t.Fatalf("event %d has index %d, want %d", i, s, i+1)
		}
	}
}

// TestFileSinkResumesFromCursor exports, stops, appends more and starts a
// new runner: it continues where the cursor stands, without duplicates.
func TestFileSinkResumesFromCursor(t *testing.T) {
	st := openStore(t)
	path := filepath.Join(t.TempDir(), "audit.ocsf.jsonl")
	sink := siem.NewFileSink(path, product)
	appendEvents(t, st, 1234)
	r := startRunner(t, st, siem.RunnerOptions{BatchSize: 100}, sink)
	eventually(t, "the first export", func() bool { return cursor(t, st, sink.Name()).Seq == 1234 })
	r.stop()
	if c := cursor(t, st, sink.Name()); c.Holder != "" {
		t.Errorf("lease still held after stop: %+v", c)
	}
	appendEvents(t, st, 300)
	startRunner(t, st, siem.RunnerOptions{BatchSize: 100}, siem.NewFileSink(path, product))
	eventually(t, "the second export", func() bool { return cursor(t, st, sink.Name()).Seq == 1534 })
	wantSeqs(t, fileSeqs(t, path), 1534)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
}

// TestFileSinkUnwritable keeps the cursor while the file cannot be
// written, and delivers everything once it can.
func TestFileSinkUnwritable(t *testing.T) {
	st := openStore(t)
	dir := filepath.Join(t.TempDir(), "missing")
	path := filepath.Join(dir, "audit.jsonl")
	sink := siem.NewFileSink(path, product)
	appendEvents(t, st, 50)
	r := startRunner(t, st, siem.RunnerOptions{}, sink)
	eventually(t, "failed attempts", func() bool { return r.failures() >= 3 })
	if c := cursor(t, st, sink.Name()); c.Seq != 0 {
		t.Fatalf("cursor moved to %d without a delivery", c.Seq)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	eventually(t, "delivery", func() bool { return cursor(t, st, sink.Name()).Seq == 50 })
	wantSeqs(t, fileSeqs(t, path), 50)
}

// TestLeaseOneDeliverer runs two nodes' runners against one sink name:
// only the lease holder writes, so nothing is written twice; when it stops
// the other takes over.
func TestLeaseOneDeliverer(t *testing.T) {
	for _, backend := range []struct {
		name string
		open func(*testing.T) store.Store
	}{
		{"sqlite", func(t *testing.T) store.Store { return openStore(t) }},
		{"postgres", openPostgres},
	} {
		t.Run(backend.name, func(t *testing.T) {
			st := backend.open(t)
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			name := siem.NewFileSink(path, product).Name()
			appendEvents(t, st, 400)
			a := startRunner(t, st, siem.RunnerOptions{Holder: "node-a", BatchSize: 7}, siem.NewFileSink(path, product))
			b := startRunner(t, st, siem.RunnerOptions{Holder: "node-b", BatchSize: 7}, siem.NewFileSink(path, product))
			eventually(t, "export", func() bool { return cursor(t, st, name).Seq == 400 })
			holder := cursor(t, st, name).Holder
			first, second := a, b
			if holder == "node-b" {
				first, second = b, a
			}
			first.stop()
			appendEvents(t, st, 100)
			eventually(t, "takeover", func() bool { return cursor(t, st, name).Seq == 500 })
			second.stop()
			wantSeqs(t, fileSeqs(t, path), 500)
		})
	}
}

// collector is an HTTP SIEM endpoint that fails on demand.
type collector struct {
	mu       sync.Mutex
	fail     []int // statuses to answer before accepting, in order; 0 drops the connection
	seqs     []int64
	auth     []string
	requests int
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests++
	c.auth = append(c.auth, r.Header.Get("X-Api-Key"))
	if len(c.fail) > 0 {
		code := c.fail[0]
		c.fail = c.fail[1:]
		if code == 0 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		http.Error(w, "try later", code)
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var batch []siem.OCSFEvent
	if err := json.Unmarshal(body, &batch); err != nil {
		http.Error(w, "not a JSON array of events", http.StatusBadRequest)
		return
	}
	for _, ev := range batch {
		seq, _ := strconv.ParseInt(ev.Metadata.UID, 10, 64)
		c.seqs = append(c.seqs, seq)
	}
	w.WriteHeader(http.StatusAccepted)
}

func (c *collector) received() []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int64(nil), c.seqs...)
}

// TestHTTPSinkRetries injects server errors, a rate limit and a dropped
// connection: every event arrives once, in order, with the credential.
func TestHTTPSinkRetries(t *testing.T) {
	st := openStore(t)
	c := &collector{fail: []int{500, 503, 0, 429, 502}}
	srv := httptest.NewServer(c)
	defer srv.Close()
	sink, err := siem.NewHTTPSink(siem.HTTPConfig{URL: srv.URL + "/ingest?token=x", AuthHeader: "X-Api-Key", AuthValue: "k-123"}, product)
	if err != nil {
		t.Fatal(err)
	}
	if want := "http:" + srv.URL + "/ingest"; sink.Name() != want {
		t.Errorf("Name() = %q, want %q", sink.Name(), want)
	}
	appendEvents(t, st, 1000)
	r := startRunner(t, st, siem.RunnerOptions{BatchSize: 128}, sink)
	eventually(t, "delivery", func() bool { return cursor(t, st, sink.Name()).Seq == 1000 })
	r.stop()
	wantSeqs(t, c.received(), 1000)
	if r.failures() != 5 {
		t.Errorf("%d failed sends, want 5", r.failures())
	}
	for i, a := range c.auth {
		if a != "k-123" {
			t.Fatalf("request %d carried credential %q", i, a)
		}
	}
}

// TestHTTPSinkErrorsHideCredentials: a failing endpoint's error names the
// sink without the credentials of its URL.
func TestHTTPSinkErrorsHideCredentials(t *testing.T) {
	sink, err := siem.NewHTTPSink(siem.HTTPConfig{URL: "http://user:Secret1@127.0.0.1:1/x?token=Secret2", AuthValue: "Bearer Secret3"}, product)
	if err != nil {
		t.Fatal(err)
	}
	err = sink.Send(t.Context(), []siem.Record{record(1, "customer.read", "success", "")})
	if err == nil {
		t.Fatal("Send to a closed port succeeded")
	}
	for _, s := range []string{"Secret1", "Secret2", "Secret3"} {
		if strings.Contains(err.Error(), s) || strings.Contains(sink.Name(), s) {
			t.Errorf("%q leaks into %q / %q", s, err, sink.Name())
		}
	}
}

func TestSinkConfigErrors(t *testing.T) {
	for _, u := range []string{"ftp://x", "http://", "::"} {
		if _, err := siem.NewHTTPSink(siem.HTTPConfig{URL: u}, product); err == nil {
			t.Errorf("NewHTTPSink(%q) accepted", u)
		}
	}
	for _, c := range []siem.SyslogConfig{
		{URL: "tcp://"}, {URL: "sctp://h:1"}, {URL: "tcp://h:x"}, {URL: "tcp://h:1/path"},
		{URL: "tcp://u@h:1"}, {URL: "tcp://h:1", CAFile: "ca.pem"}, {URL: "tcp+tls://h:1", CAFile: "/nonexistent.pem"},
	} {
		if _, err := siem.NewSyslogSink(c, product); err == nil {
			t.Errorf("NewSyslogSink(%+v) accepted", c)
		}
	}
	for url, name := range map[string]string{
		"udp://h":         "syslog:udp://h:514",
		"tcp://h:1514/":   "syslog:tcp://h:1514",
		"tcp+tls://[::1]": "syslog:tcp+tls://[::1]:6514",
	} {
		s, err := siem.NewSyslogSink(siem.SyslogConfig{URL: url}, product)
		if err != nil {
			t.Errorf("NewSyslogSink(%q): %v", url, err)
			continue
		}
		if s.Name() != name {
			t.Errorf("Name() = %q, want %q", s.Name(), name)
		}
	}
}

// TestArchivedBeforeDelivery archives records (as the audit retention
// policy does) before a sink has received them: the runner says which it
// could not deliver and goes on with the rest.
func TestArchivedBeforeDelivery(t *testing.T) {
	st := openStore(t)
	appendEvents(t, st, 100)
	err := st.Update(t.Context(), func(tx store.Tx) error {
		return tx.ArchiveAudit(t.Context(), store.AuditSegment{Start: 0, End: 60, BlobKey: "audit-archive/x", Keyset: []byte{1}, NewestAt: time.Now(), CreatedAt: time.Now()}, []byte{2})
	})
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	path := filepath.Join(t.TempDir(), "audit.ocsf.jsonl")
	sink := siem.NewFileSink(path, product)
	startRunner(t, st, siem.RunnerOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, sink)
	eventually(t, "delivery of the records still in the database", func() bool { return cursor(t, st, sink.Name()).Seq == 100 })
	if got := fileSeqs(t, path); len(got) != 40 || got[0] != 61 {
		t.Fatalf("delivered %v, want 61..100", got)
	}
	if l := logs.String(); !strings.Contains(l, "archived before delivery") || !strings.Contains(l, "from_seq=1 to_seq=60") {
		t.Errorf("log %q does not name the archived records", l)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
