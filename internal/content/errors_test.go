package content_test

import (
	"encoding/json"
	"errors"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/content"
)

// canary stands for customer data. Every input below puts it in the part of
// the content that is wrong, where an error message would be most tempted to
// quote it.
const canary = "PIIcanary7"

func TestErrorsNeverQuoteContent(t *testing.T) {
	transcript := func(s string) func() error {
		return func() error { _, err := content.ParseTranscript([]byte(s)); return err }
	}
	messages := func(s string) func() error {
		return func() error { _, err := content.ParseMessages([]byte(s)); return err }
	}
	mailMsg := func(s string) func() error {
		return func() error { _, err := content.ParseEmail([]byte(s), content.EmailLimits{}); return err }
	}
	const from = "From: a@example.com"
	const c = canary
	cases := map[string]func() error{
		"transcript unknown field":      transcript(`{"turns":[],"` + c + `":1}`),
		"turn unknown field":            transcript(doc(`{"speaker":"agent","start":0,"end":1,"text":"x","` + c + `":1}`)),
		"transcript syntax":             transcript(`{"turns":[` + c + `]}`),
		"transcript truncated":          transcript(`{"turns":[{"text":"` + c),
		"transcript invalid UTF-8":      transcript(`{"turns":[{"text":"` + c + "\xff\"}]}"),
		"speaker":                       transcript(doc(`{"speaker":"` + c + `","start":0,"end":1,"text":"x"}`)),
		"start type":                    transcript(doc(`{"speaker":"agent","start":"` + c + `","end":1,"text":"x"}`)),
		"text with NUL":                 transcript(doc(`{"speaker":"agent","start":0,"end":1,"text":"` + c + `\u0000"}`)),
		"text and bad times":            transcript(doc(`{"speaker":"agent","start":2,"end":1,"text":"` + c + `"}`)),
		"word not in text":              transcript(doc(`{"speaker":"agent","start":0,"end":1,"text":"x","words":[{"word":"` + c + `","start":0,"end":1}]}`)),
		"word type":                     transcript(doc(`{"speaker":"agent","start":0,"end":1,"text":"x","words":[{"word":["` + c + `"],"start":0,"end":1}]}`)),
		"message from":                  messages(`[{"from":"` + c + `\n","at":"2025-03-01T14:05:09Z","text":"x"}]`),
		"message at":                    messages(`[{"from":"a","at":"` + c + `","text":"x"}]`),
		"message unknown field":         messages(`[{"from":"a","at":"2025-03-01T14:05:09Z","text":"x","` + c + `":1}]`),
		"email header line":             mailMsg(from + "\r\n" + c + "\r\n\r\nbody"),
		"email From":                    mailMsg("From: " + c + " <" + c + "@\r\n\r\nbody"),
		"email two From":                mailMsg("From: " + c + "@example.com\r\nFrom: " + c + "@example.org\r\n\r\nbody"),
		"email To":                      mailMsg(from + "\r\nTo: " + c + "\r\n\r\nbody"),
		"email Date":                    mailMsg(from + "\r\nDate: " + c + "\r\n\r\nbody"),
		"email Subject charset":         mailMsg(from + "\r\nSubject: =?" + c + "?Q?" + c + "?=\r\n\r\nbody"),
		"email Content-Type":            mailMsg(from + "\r\nContent-Type: " + c + "\r\n\r\nbody"),
		"email charset":                 mailMsg(from + "\r\nContent-Type: text/plain; charset=" + c + "\r\n\r\n" + c),
		"email Content-Disposition":     mailMsg(from + "\r\nContent-Disposition: " + c + "@\r\n\r\nbody"),
		"email transfer encoding":       mailMsg(from + "\r\nContent-Transfer-Encoding: " + c + "\r\n\r\nbody"),
		"email base64":                  mailMsg(from + "\r\nContent-Transfer-Encoding: base64\r\n\r\n" + c + "!"),
		"email quoted-printable":        mailMsg(from + "\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + c + "\x01"),
		"email boundary never used":     mailMsg(from + "\r\nContent-Type: multipart/mixed; boundary=" + c + "\r\n\r\n" + c),
		"email part header":             mailMsg(from + "\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + c + "\r\n\r\nx\r\n--b--"),
		"email truncated part":          mailMsg(from + "\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n" + c),
		"email boundary too long":       mailMsg(from + "\r\nContent-Type: multipart/mixed; boundary=" + strings.Repeat(c, 8) + "\r\n\r\nx"),
		"email text limit":              mailMsg(from + "\r\n\r\n" + strings.Repeat(c, 500_000)),
		"email raw limit":               mailMsg(from + "\r\n\r\n" + strings.Repeat(c, 4_000_000)),
		"email Subject appears twice":   mailMsg(from + "\r\nSubject: " + c + "\r\nSubject: " + c + "\r\n\r\nx"),
		"email group without addresses": mailMsg("From: " + c + ":;\r\n\r\nx"),
	}
	for name, parse := range cases {
		t.Run(name, func(t *testing.T) {
			err := parse()
			var ce *content.Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v (%T), want a *content.Error", err, err)
			}
			if strings.Contains(strings.ToLower(err.Error()), strings.ToLower(canary)) {
				t.Errorf("error quotes the content: %q", err)
			}
		})
	}
}

// TestLibraryErrorsQuoteContent shows why the package translates errors: the
// standard library's own messages quote the input. If this test starts
// failing, the library changed and the translation may be simplified.
func TestLibraryErrorsQuoteContent(t *testing.T) {
	var v struct{}
	dec := json.NewDecoder(strings.NewReader(`{"` + canary + `":1}`))
	dec.DisallowUnknownFields()
	jsonErr := dec.Decode(&v)
	_, mailErr := mail.ReadMessage(strings.NewReader("From: a@example.com\r\n" + canary + "\r\n\r\n"))
	_, timeErr := time.Parse(time.RFC3339, canary)
	for _, err := range []error{jsonErr, mailErr, timeErr} {
		if err == nil || !strings.Contains(err.Error(), canary) {
			t.Errorf("library error %v does not quote the input", err)
		}
	}
}
