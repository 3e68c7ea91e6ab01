package siem_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/siem"
)

// FuzzCEF puts arbitrary text into every field of an event that reaches
// the CEF line and checks that the reference reader gets each value back
// exactly, with no line break anywhere.
func FuzzCEF(f *testing.F) {
	for _, s := range []string{"", "a|b", `a\b`, "a=b", "a\nb", "\\", "|", "=", " k=v", "x\\=y\\|z\r\n", "ü\xff"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		r := record(1, "customer.read", audit.Success, "customer/"+a)
		r.Event.Reason, r.Event.ActorID, r.Event.Code, r.Event.RequestID = b, a, b, a+b
		p := siem.Product{Name: a, Vendor: b, Version: a}
		line := siem.FormatCEF(r, p)
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("line break in %q", line)
		}
		header, ext, err := parseCEF(line)
		if err != nil {
			t.Fatalf("%v: %q", err, line)
		}
		// Invalid UTF-8 comes out as U+FFFD, byte by byte.
		ab := string([]rune(a + b))
		a, b = string([]rune(a)), string([]rune(b))
		flat := strings.NewReplacer("\r", " ", "\n", " ")
		if header[0] != flat.Replace(b) || header[1] != flat.Replace(a) || header[2] != flat.Replace(a) || header[3] != flat.Replace(b) {
			t.Errorf("header %q from vendor %q product %q code %q", header, b, a, b)
		}
		want := map[string]string{"suid": a, "reason": b, "cs1": "customer/" + a, "cs2": ab}
		for k, v := range want {
			if v == "" {
				continue
			}
			if ext[k] != v {
				t.Errorf("%s = %q, want %q (line %q)", k, ext[k], v, line)
			}
		}
	})
}

// FuzzSyslogFraming frames arbitrary messages by octet counting and reads
// them back as an RFC 6587 receiver does.
func FuzzSyslogFraming(f *testing.F) {
	f.Add("hello", "", "12 x\n")
	f.Add("<110>1 - - - - - - CEF:0|", " ", "\x00\xff")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		msgs := []string{a, b, c}
		var stream []byte
		for _, m := range msgs {
			stream = siem.AppendOctetCounted(stream, []byte(m))
		}
		got, err := readOctetCounted(bufio.NewReader(bytes.NewReader(stream)))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(msgs) {
			t.Fatalf("read %d messages, want %d", len(got), len(msgs))
		}
		for i := range msgs {
			if got[i] != msgs[i] {
				t.Errorf("message %d = %q, want %q", i, got[i], msgs[i])
			}
		}
	})
}

// FuzzSyslogHeader feeds arbitrary header fields and event codes: the
// result must keep the RFC 5424 header shape.
func FuzzSyslogHeader(f *testing.F) {
	f.Add("host", "confide", "42", "CF-2002")
	f.Add("", "", "", "")
	f.Add("a b", "\x00", "ü", strings.Repeat("x", 40))
	shape := regexp.MustCompile(`^<\d{1,3}>1 \S+ [!-~]{1,255} [!-~]{1,48} [!-~]{1,128} [!-~]{1,32} \[confide@32473 index="\d+"\] CEF:0\|`)
	f.Fuzz(func(t *testing.T, host, app, proc, code string) {
		r := record(3, "customer.read", audit.Success, "")
		r.Event.Code = code
		msg := siem.FormatSyslog(r, product, siem.SyslogHeader{Hostname: host, AppName: app, ProcID: proc})
		if !shape.Match(msg) {
			t.Fatalf("bad header: %q", msg)
		}
		if !utf8.Valid(msg[:bytes.Index(msg, []byte(" CEF:0|"))]) {
			t.Fatalf("header is not ASCII: %q", msg)
		}
	})
}

// readOctetCounted reads RFC 6587 octet-counted frames until EOF.
func readOctetCounted(r *bufio.Reader) ([]string, error) {
	var out []string
	for {
		n, err := r.ReadString(' ')
		if err == io.EOF && n == "" {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("frame length: %w", err)
		}
		size, err := strconv.Atoi(strings.TrimSuffix(n, " "))
		if err != nil || size < 0 {
			return nil, fmt.Errorf("bad frame length %q", n)
		}
		buf := make([]byte, size)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("frame body: %w", err)
		}
		out = append(out, string(buf))
	}
}
