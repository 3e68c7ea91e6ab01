package siem_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/siem"
)

// TestCEFGolden pins the CEF line and the syslog message of one event.
func TestCEFGolden(t *testing.T) {
	r := record(12, "customer.reveal", audit.Denied, "customer/c-0d1e")
	r.Event.Reason = "no_assignment"
	r.Event.Details = map[string]any{"fields": []any{"phones"}}
	h := siem.SyslogHeader{Hostname: "node-1.example", AppName: "confide", ProcID: "4242"}
	golden(t, "cef/customer_reveal.cef", []byte(siem.FormatCEF(r, product)+"\n"))
	golden(t, "cef/customer_reveal.syslog", append(siem.FormatSyslog(r, product, h), '\n'))
}

func TestCEFEscaping(t *testing.T) {
	tests := []struct{ in, header, value string }{
		{"plain", "plain", "plain"},
		{`a|b`, `a\|b`, `a|b`},
		{`a\b`, `a\\b`, `a\\b`},
		{`a=b`, `a=b`, `a\=b`},
		{"a\nb\rc", "a b c", `a\nb\rc`},
		{`\|=`, `\\\|=`, `\\|\=`},
		{"", "", ""},
		{"ünï", "ünï", "ünï"},
	}
	for _, tt := range tests {
		if got := siem.EscapeCEFHeader(tt.in); got != tt.header {
			t.Errorf("EscapeCEFHeader(%q) = %q, want %q", tt.in, got, tt.header)
		}
		if got := siem.EscapeCEFValue(tt.in); got != tt.value {
			t.Errorf("EscapeCEFValue(%q) = %q, want %q", tt.in, got, tt.value)
		}
	}
}

// TestCEFHostileFields puts every special character into the fields an
// event can carry and parses the line back.
func TestCEFHostileFields(t *testing.T) {
	hostile := "x|y\\z=w\r\nv cs1=evil"
	r := record(5, "customer.read", audit.Invalid, "customer/"+hostile)
	r.Event.Reason = hostile
	r.Event.ActorID = hostile
	r.Event.Code = hostile
	line := siem.FormatCEF(r, siem.Product{Name: hostile, Vendor: hostile, Version: hostile})
	header, ext, err := parseCEF(line)
	if err != nil {
		t.Fatalf("%v\n%s", err, line)
	}
	headerHostile := strings.NewReplacer("\r", " ", "\n", " ").Replace(hostile)
	if header[0] != headerHostile || header[3] != headerHostile || header[4] != "customer.read" {
		t.Errorf("header = %q", header)
	}
	for key, want := range map[string]string{"reason": hostile, "suid": hostile, "cs1": "customer/" + hostile, "cs1Label": "resource", "externalId": "5"} {
		if ext[key] != want {
			t.Errorf("%s = %q, want %q", key, ext[key], want)
		}
	}
}

// TestSyslogFormat checks the RFC 5424 header against the grammar.
func TestSyslogFormat(t *testing.T) {
	header := regexp.MustCompile(`^<(\d{1,3})>1 (\S+) (\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32}) \[confide@32473 index="(\d+)"\] CEF:0\|`)
	tests := []struct {
		name   string
		rec    siem.Record
		h      siem.SyslogHeader
		pri    string
		host   string
		msgID  string
		procID string
	}{
		{"informational", record(1, "customer.read", audit.Success, "customer/c1"),
			siem.SyslogHeader{Hostname: "h", AppName: "confide", ProcID: "1"}, "110", "h", "CF-2002", "1"},
		{"critical", record(2, "audit.tamper", audit.Failure, "node"),
			siem.SyslogHeader{Hostname: "h", AppName: "confide", ProcID: "1"}, "106", "h", "CF-6005", "1"},
		{"empty and odd header fields", record(3, "customer.read", audit.Denied, ""),
			siem.SyslogHeader{Hostname: "", AppName: "confide", ProcID: "a b\x00ü"}, "108", "-", "CF-2002", "a_b__"},
		{"long host name", record(4, "customer.read", audit.Success, ""),
			siem.SyslogHeader{Hostname: strings.Repeat("h", 300), AppName: "confide", ProcID: "1"}, "110", strings.Repeat("h", 255), "CF-2002", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := string(siem.FormatSyslog(tt.rec, product, tt.h))
			m := header.FindStringSubmatch(msg)
			if m == nil {
				t.Fatalf("not RFC 5424 with CEF: %q", msg)
			}
			want := []string{tt.pri, "2025-06-01T12:30:45.123456Z", tt.host, "confide", tt.procID, tt.msgID, fmt.Sprint(tt.rec.Seq)}
			for i, w := range want {
				if m[i+1] != w {
					t.Errorf("field %d = %q, want %q", i+1, m[i+1], w)
				}
			}
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("message contains a line break: %q", msg)
			}
		})
	}
}

func TestOctetCounted(t *testing.T) {
	got := siem.AppendOctetCounted([]byte("x"), []byte("<110>1 - - - - - - hello"))
	if want := "x24 <110>1 - - - - - - hello"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := siem.AppendOctetCounted(nil, nil); string(got) != "0 " {
		t.Errorf("empty message framed as %q", got)
	}
}

// parseCEF splits a CEF line into its seven header fields (unescaped) and
// its extension (unescaped values by key). It is the reference reader the
// tests and fuzz targets hold the writer to.
func parseCEF(line string) ([]string, map[string]string, error) {
	rest, ok := strings.CutPrefix(line, "CEF:0|")
	if !ok {
		return nil, nil, fmt.Errorf("no CEF:0| prefix")
	}
	var header []string
	var cur strings.Builder
	i := 0
	for ; i < len(rest) && len(header) < 6; i++ {
		switch c := rest[i]; {
		case c == '\\' && i+1 < len(rest) && (rest[i+1] == '\\' || rest[i+1] == '|'):
			cur.WriteByte(rest[i+1])
			i++
		case c == '\\':
			return nil, nil, fmt.Errorf("stray backslash in header at %d", i)
		case c == '|':
			header = append(header, cur.String())
			cur.Reset()
		case c == '\r' || c == '\n':
			return nil, nil, fmt.Errorf("line break in header")
		default:
			cur.WriteByte(c)
		}
	}
	if len(header) != 6 {
		return nil, nil, fmt.Errorf("%d header fields, want 7", len(header)+1)
	}
	ext := map[string]string{}
	extension := rest[i:]
	if extension == "" {
		return header, ext, nil
	}
	// Keys start the extension or follow a space, and end at an unescaped =.
	key := regexp.MustCompile(`^[A-Za-z0-9_]+=`)
	pos := 0
	for pos < len(extension) {
		k := key.FindString(extension[pos:])
		if k == "" {
			return nil, nil, fmt.Errorf("no key at %d of %q", pos, extension)
		}
		pos += len(k)
		var v strings.Builder
		for pos < len(extension) {
			c := extension[pos]
			if c == '\\' {
				if pos+1 >= len(extension) {
					return nil, nil, fmt.Errorf("trailing backslash")
				}
				switch extension[pos+1] {
				case '\\', '=':
					v.WriteByte(extension[pos+1])
				case 'n':
					v.WriteByte('\n')
				case 'r':
					v.WriteByte('\r')
				default:
					return nil, nil, fmt.Errorf("unknown escape \\%c", extension[pos+1])
				}
				pos += 2
				continue
			}
			if c == '=' {
				return nil, nil, fmt.Errorf("unescaped = in value at %d", pos)
			}
			if c == '\r' || c == '\n' {
				return nil, nil, fmt.Errorf("raw line break in value")
			}
			if c == ' ' && key.MatchString(extension[pos+1:]) {
				pos++
				break
			}
			v.WriteByte(c)
			pos++
		}
		ext[strings.TrimSuffix(k, "=")] = v.String()
	}
	return header, ext, nil
}
