package content_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/content"
)

var update = flag.Bool("update", false, "rewrite the expected results in testdata")

// TestParseEmailGolden parses every testdata/email/*.eml and compares the
// result, as JSON, with the .json file beside it. Run with -update to rewrite
// the .json files after reviewing a change.
func TestParseEmailGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/email/*.eml")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			raw, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			e, err := content.ParseEmail(raw, content.EmailLimits{})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Validate(); err != nil {
				t.Fatalf("result does not validate: %v", err)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(e); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			golden := strings.TrimSuffix(in, ".eml") + ".json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("result differs from %s (rerun with -update after checking):\n%s", golden, got)
			}

			// The same message with the CRLF line ends of the wire parses
			// to the same result, apart from line ends inside attachments
			// that have no transfer encoding.
			crlf, err := content.ParseEmail(bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n")), content.EmailLimits{})
			if err != nil {
				t.Fatalf("CRLF form: %v", err)
			}
			lf := e
			lf.Attachments = slices.Clone(e.Attachments)
			for _, es := range []content.Email{crlf, lf} {
				for i := range es.Attachments {
					es.Attachments[i].Data = bytes.ReplaceAll(es.Attachments[i].Data, []byte("\r\n"), []byte("\n"))
				}
			}
			if !reflect.DeepEqual(crlf, lf) {
				t.Errorf("CRLF form parses differently:\n%+v\nwant\n%+v", crlf, e)
			}
		})
	}
}

// email joins header lines and a body into a raw message with CRLF line ends.
func email(body string, header ...string) string {
	return strings.Join(header, "\r\n") + "\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
}

// multipartEmail is a message whose body is multipart/mixed with boundary "b".
func multipartEmail(body string) string {
	return email(body, "From: a@example.com", `Content-Type: multipart/mixed; boundary="b"`)
}

func TestParseEmailErrors(t *testing.T) {
	const from = "From: a@example.com"
	deep := func(levels int) string {
		// levels nested multipart/mixed entities around one text part.
		body := "--p" + strings.Repeat("x", levels) + "\n\nx\n--p" + strings.Repeat("x", levels) + "--"
		for i := levels - 1; i >= 1; i-- {
			b := "p" + strings.Repeat("x", i)
			body = "--" + b + "\nContent-Type: multipart/mixed; boundary=" + b + "x\n\n" + body + "\n--" + b + "--"
		}
		return email(body, from, "Content-Type: multipart/mixed; boundary=px")
	}
	manyParts := multipartEmail(strings.Repeat("--b\n\nx\n", 5) + "--b--")

	tests := []struct {
		name   string
		raw    string
		limits content.EmailLimits
		want   string
	}{
		{"empty", "", content.EmailLimits{}, "email: empty"},
		{"too large", email("0123456789", from), content.EmailLimits{MaxBytes: 20}, "email: larger than 20 bytes"},
		// Header section.
		{"header line without colon", "From: a@example.com\r\nSubject: x\r\nnot a header\r\n\r\nbody", content.EmailLimits{}, "email.header: malformed header field at line 3"},
		{"bad line after folded field", "From: a@example.com\nSubject: x\n continued\nbad\n\nbody", content.EmailLimits{}, "email.header: malformed header field at line 4"},
		{"first line continues", " From: a@example.com\r\n\r\nbody", content.EmailLimits{}, "email.header: malformed header field at line 1"},
		{"headers only, last bad", "From: a@example.com\nbad", content.EmailLimits{}, "email.header: malformed header field at line 2"},
		{"missing From", email("x", "To: b@example.com"), content.EmailLimits{}, "email.from: missing"},
		{"blank From", email("x", "From:  "), content.EmailLimits{}, "email.from: missing"},
		{"From group without members", email("x", "From: undisclosed:;"), content.EmailLimits{}, "email.from: missing"},
		{"two From fields", email("x", from, "From: b@example.com"), content.EmailLimits{}, "email.from: header field appears more than once"},
		{"bad From", email("x", "From: Jane <jane@"), content.EmailLimits{}, "email.from: not a valid address list"},
		{"bad To", email("x", from, "To: jane.example.com"), content.EmailLimits{}, "email.to: not a valid address list"},
		{"bad Cc", email("x", from, "Cc: <a@example.com"), content.EmailLimits{}, "email.cc: not a valid address list"},
		{"unknown charset in name", email("x", "From: =?x-unknown?Q?J?= <a@example.com>"), content.EmailLimits{}, "email.from: not a valid address list"},
		{"two Subjects", email("x", from, "Subject: a", "Subject: b"), content.EmailLimits{}, "email.subject: header field appears more than once"},
		{"unknown charset in Subject", email("x", from, "Subject: =?x-unknown?Q?a?="), content.EmailLimits{}, "email.subject: encoded-word in an unsupported charset"},
		{"bad Date", email("x", from, "Date: yesterday at noon"), content.EmailLimits{}, "email.date: not a valid RFC 5322 date"},
		{"impossible Date", email("x", from, "Date: Tue, 31 Feb 2025 10:00:00 +0000"), content.EmailLimits{}, "email.date: not a valid RFC 5322 date"},
		{"two Dates", email("x", from, "Date: Tue, 4 Mar 2025 09:15:02 +0100", "Date: Tue, 4 Mar 2025 09:15:02 +0100"), content.EmailLimits{}, "email.date: header field appears more than once"},
		{"two Message-IDs", email("x", from, "Message-ID: <a@b>", "Message-ID: <c@d>"), content.EmailLimits{}, "email.message_id: header field appears more than once"},
		// Body entity.
		{"malformed Content-Type", email("x", from, "Content-Type: text/"), content.EmailLimits{}, "email.body: malformed Content-Type"},
		{"Content-Type without subtype", email("x", from, "Content-Type: text"), content.EmailLimits{}, "email.body: malformed Content-Type"},
		{"malformed Content-Disposition", email("x", from, "Content-Disposition: @"), content.EmailLimits{}, "email.body: malformed Content-Disposition"},
		{"unsupported transfer encoding", email("x", from, "Content-Transfer-Encoding: x-uuencode"), content.EmailLimits{}, "email.body: unsupported Content-Transfer-Encoding"},
		{"invalid base64", email("SGVsbG8*", from, "Content-Transfer-Encoding: base64"), content.EmailLimits{}, "email.body: invalid base64 content"},
		{"truncated base64", email("SGVsbG8gd", from, "Content-Transfer-Encoding: base64"), content.EmailLimits{}, "email.body: invalid base64 content"},
		{"invalid quoted-printable", email("a\x01b", from, "Content-Transfer-Encoding: quoted-printable"), content.EmailLimits{}, "email.body: invalid quoted-printable content"},
		{"unsupported charset", email("x", from, "Content-Type: text/plain; charset=x-unknown"), content.EmailLimits{}, "email.body: unsupported charset"},
		{"replacement charset", email("x", from, "Content-Type: text/plain; charset=iso-2022-kr"), content.EmailLimits{}, "email.body: unsupported charset"},
		{"text too long", email("0123456789", from), content.EmailLimits{MaxTextBytes: 9}, "email.body: text parts decode to more than 9 bytes"},
		// Multipart structure.
		{"no boundary parameter", email("--b\n\nx\n--b--", from, "Content-Type: multipart/mixed"), content.EmailLimits{}, "email.body: multipart entity without a boundary parameter"},
		{"boundary too long", email("x", from, "Content-Type: multipart/mixed; boundary="+strings.Repeat("b", 71)), content.EmailLimits{}, "email.body: boundary longer than 70 characters"},
		{"encoded multipart", email("x", from, "Content-Type: multipart/mixed; boundary=b", "Content-Transfer-Encoding: base64"), content.EmailLimits{}, "email.body: multipart entity with a Content-Transfer-Encoding other than 7bit, 8bit or binary"},
		{"boundary never used", multipartEmail("--other\n\nx\n--other--"), content.EmailLimits{}, "email.body: no part starts with the declared boundary"},
		{"empty multipart body", multipartEmail(""), content.EmailLimits{}, "email.body: no part starts with the declared boundary"},
		{"only the closing boundary", multipartEmail("--b--"), content.EmailLimits{}, "email.body: multipart entity with no parts"},
		{"truncated: no closing boundary", multipartEmail("--b\n\nfirst\n--b\n\nsecond, cut off"), content.EmailLimits{}, "email.body.parts[1]: truncated: the message ends before the closing boundary"},
		{"truncated inside a part header", multipartEmail("--b\n\nfirst\n--b\nContent-Type: te"), content.EmailLimits{}, "email.body: truncated: the message ends before the closing boundary"},
		{"truncated right after a delimiter", multipartEmail("--b\n\nfirst\n--b"), content.EmailLimits{}, "email.body: truncated: the message ends before the closing boundary"},
		{"truncated in the first part header", multipartEmail("--b\nContent-Type: text/plain"), content.EmailLimits{}, "email.body: truncated: the message ends before the closing boundary"},
		{"truncated in a nested part", multipartEmail("--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nok\n--c\n\ncut"), content.EmailLimits{}, "email.body.parts[0].parts[1]: truncated: the message ends before the closing boundary"},
		{"malformed part header", multipartEmail("--b\nnot a header\n\nx\n--b--"), content.EmailLimits{}, "email.body.parts[0]: malformed part header"},
		{"error in a nested part", multipartEmail("--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nok\n--c\nContent-Transfer-Encoding: base64\n\n!!\n--c--\n--b--"), content.EmailLimits{}, "email.body.parts[0].parts[1]: invalid base64 content"},
		{"too many parts", manyParts, content.EmailLimits{MaxParts: 4}, "email.body: more than 4 MIME parts"},
		{"too deep", deep(3), content.EmailLimits{MaxDepth: 2}, "email.body.parts[0].parts[0]: multipart nesting deeper than 2 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := content.ParseEmail([]byte(tt.raw), tt.limits)
			wantError(t, err, tt.want)
			if !reflect.DeepEqual(got, content.Email{}) {
				t.Errorf("got a non-zero email with the error")
			}
		})
	}

	// The limits that reject above are the exact limits: one more passes.
	for _, tt := range []struct {
		name   string
		raw    string
		limits content.EmailLimits
	}{
		{"parts", manyParts, content.EmailLimits{MaxParts: 5}},
		{"depth", deep(3), content.EmailLimits{MaxDepth: 3}},
		{"text", email("0123456789", from), content.EmailLimits{MaxTextBytes: 10}},
		{"size", email("0123456789", from), content.EmailLimits{MaxBytes: len(email("0123456789", from))}},
	} {
		if _, err := content.ParseEmail([]byte(tt.raw), tt.limits); err != nil {
			t.Errorf("at the %s limit: %v", tt.name, err)
		}
	}
}

// TestParseEmailStructure checks how parts become bodies and attachments,
// beyond what the golden files show.
func TestParseEmailStructure(t *testing.T) {
	const from = "From: a@example.com"
	tests := []struct {
		name        string
		raw         string
		text, html  string
		attachments []string // content types
	}{
		{"no Content-Type is text/plain", email("hi", from), "hi", "", nil},
		{"unparseable parameters keep the media type",
			email("hi", from, "Content-Type: text/html; charset"), "", "hi", nil},
		{"text attachment is not body text",
			email("hi", from, "Content-Type: text/plain", "Content-Disposition: attachment"), "", "", []string{"text/plain"}},
		{"inline text with a file name is body text",
			email("hi", from, "Content-Disposition: inline; filename=a.txt"), "hi", "", nil},
		{"other text types are attachments",
			email("BEGIN:VCALENDAR", from, "Content-Type: text/calendar"), "", "", []string{"text/calendar"}},
		{"the last alternative wins",
			multipartEmail("--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nplain one\n--c\n\nplain two\n--c--\n--b--"),
			"plain two", "", nil},
		{"digest parts default to message/rfc822",
			email("--d\n\nFrom: x@example.com\n\nforwarded\n--d--", from, "Content-Type: multipart/digest; boundary=d"),
			"", "", []string{"message/rfc822"}},
		{"base64 with spaces and no padding",
			email("SGVs bG8\n", from, "Content-Transfer-Encoding: BASE64"), "Hello", "", nil},
		{"UTF-16 loses its byte-order mark",
			email("\xff\xfea\x00", from, "Content-Type: text/plain; charset=UTF-16"), "a", "", nil},
		{"bytes invalid in the charset are replaced",
			email("\x82\xa0\xff", from, "Content-Type: text/plain; charset=shift_jis"), "あ\uFFFD", "", nil},
		{"NUL and invalid UTF-8 are replaced",
			email("a\x00b\xffc", from), "a\uFFFDb\uFFFDc", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := content.ParseEmail([]byte(tt.raw), content.EmailLimits{})
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, a := range e.Attachments {
				types = append(types, a.ContentType)
			}
			if e.TextBody != tt.text || e.HTMLBody != tt.html || !reflect.DeepEqual(types, tt.attachments) {
				t.Errorf("got text %q, html %q, attachments %v; want %q, %q, %v",
					e.TextBody, e.HTMLBody, types, tt.text, tt.html, tt.attachments)
			}
			if err := e.Validate(); err != nil {
				t.Errorf("result does not validate: %v", err)
			}
		})
	}
}

func TestEmailValidate(t *testing.T) {
	valid := func() content.Email {
		return content.Email{
			From:        []content.Address{{Name: "Jane", Address: "jane@example.com"}},
			To:          []content.Address{{Address: "b@example.com"}},
			Attachments: []content.Attachment{{ContentType: "application/pdf"}},
		}
	}
	if err := valid().Validate(); err != nil {
		t.Fatalf("valid email: %v", err)
	}
	tests := []struct {
		name   string
		change func(*content.Email)
		want   string
	}{
		{"no From", func(e *content.Email) { e.From = nil }, "email.from: missing"},
		{"address without @", func(e *content.Email) { e.To[0].Address = "jane" }, "email.to[0].address: not an e-mail address"},
		{"invalid UTF-8 name", func(e *content.Email) { e.From[0].Name = "\xff" }, "email.from[0].name: not valid UTF-8"},
		{"NUL in subject", func(e *content.Email) { e.Subject = "a\x00" }, "email.subject: contains a NUL character"},
		{"invalid UTF-8 text", func(e *content.Email) { e.TextBody = "\xff" }, "email.text_body: not valid UTF-8"},
		{"invalid UTF-8 HTML", func(e *content.Email) { e.HTMLBody = "\xff" }, "email.html_body: not valid UTF-8"},
		{"upper-case media type", func(e *content.Email) { e.Attachments[0].ContentType = "Application/PDF" }, "email.attachments[0].content_type: not a lower-case type/subtype media type"},
		{"media type with parameters", func(e *content.Email) { e.Attachments[0].ContentType = "text/plain; charset=utf-8" }, "email.attachments[0].content_type: not a lower-case type/subtype media type"},
		{"media type without subtype", func(e *content.Email) { e.Attachments[0].ContentType = "text" }, "email.attachments[0].content_type: not a lower-case type/subtype media type"},
		{"NUL in file name", func(e *content.Email) { e.Attachments[0].FileName = "a\x00" }, "email.attachments[0].file_name: contains a NUL character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := valid()
			tt.change(&e)
			wantError(t, e.Validate(), tt.want)
		})
	}
}
