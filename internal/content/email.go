package content

import (
	"bytes"
	"mime"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Email is an e-mail message parsed from its raw RFC 5322 form. All strings
// are valid UTF-8 without NUL characters.
type Email struct {
	From []Address `json:"from"`
	To   []Address `json:"to,omitempty"`
	Cc   []Address `json:"cc,omitempty"`
	// Subject is decoded from any RFC 2047 encoded-words.
	Subject string `json:"subject,omitempty"`
	// Date is the zero time if the message has no Date header.
	Date time.Time `json:"date,omitzero"`
	// MessageID is the Message-ID header without its angle brackets.
	MessageID string `json:"message_id,omitempty"`
	// TextBody and HTMLBody are the decoded text/plain and text/html bodies,
	// with CRLF line ends turned into LF. HTMLBody is untrusted HTML: it must
	// never be rendered unescaped.
	TextBody    string       `json:"text_body,omitempty"`
	HTMLBody    string       `json:"html_body,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Address is one mailbox of an address header. Both fields are customer data.
type Address struct {
	// Name is the display name, decoded from any RFC 2047 encoded-words.
	Name string `json:"name,omitempty"`
	// Address is the addr-spec, such as "user@example.com".
	Address string `json:"address"`
}

// Attachment is a body part that is not part of the message text: any part
// with "Content-Disposition: attachment", and any part whose media type is
// not text/plain, text/html or multipart/*.
type Attachment struct {
	// FileName is the name the sender gave, without any directory part and
	// with control characters replaced by "_"; it may be empty. It must not
	// be used as a file system path.
	FileName string `json:"file_name,omitempty"`
	// ContentType is the lower-case media type without parameters, such as
	// "application/pdf" or "message/rfc822".
	ContentType string `json:"content_type"`
	// Data is the content with its transfer encoding removed.
	Data []byte `json:"data"`
}

// EmailLimits bounds the work ParseEmail does for one message. A zero or
// negative field means its default.
type EmailLimits struct {
	// MaxBytes is the largest raw message accepted. Default 32 MiB.
	MaxBytes int
	// MaxParts is the most body parts a message may have at any depth,
	// multipart containers included; the top-level body is not counted.
	// Default 256.
	MaxParts int
	// MaxDepth is the deepest multipart nesting allowed: the parts of a
	// multipart top-level body are at depth 1. Default 8.
	MaxDepth int
	// MaxTextBytes is the most UTF-8 text that the text/plain and text/html
	// parts may decode to, all together. Default 4 MiB.
	MaxTextBytes int
}

func (l EmailLimits) withDefaults() EmailLimits {
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&l.MaxBytes, 32<<20)
	set(&l.MaxParts, 256)
	set(&l.MaxDepth, 8)
	set(&l.MaxTextBytes, 4<<20)
	return l
}

// ParseEmail parses a raw RFC 5322 message, as received by a mail server, and
// returns its addresses, subject, date, message ID, text and HTML bodies and
// attachments. The message must have exactly one From header with at least
// one address; To, Cc, Subject, Date and Message-ID are optional but may each
// appear at most once and must be well-formed when present. MIME structure,
// transfer encodings and charsets are handled as docs/TRANSCRIPT-FORMAT.md
// describes. Errors are *Error values located at paths such as "email.date"
// or "email.body.parts[1].parts[0]".
//
// A successful result passes [Email.Validate].
func ParseEmail(raw []byte, limits EmailLimits) (Email, error) {
	limits = limits.withDefaults()
	switch {
	case len(raw) == 0:
		return Email{}, errorf("email", "empty")
	case len(raw) > limits.MaxBytes:
		return Email{}, errorf("email", "larger than %d bytes", limits.MaxBytes)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		if line := badHeaderLine(raw); line > 0 {
			return Email{}, errorf("email.header", "malformed header field at line %d", line)
		}
		return Email{}, errorf("email.header", "malformed header section")
	}
	e, err := parseHeader(msg.Header)
	if err != nil {
		return Email{}, err
	}
	p := mimeParser{limits: limits}
	b, err := p.entity("email.body", textproto.MIMEHeader(msg.Header), msg.Body, 0, "text/plain")
	if err != nil {
		return Email{}, err
	}
	e.TextBody, e.HTMLBody, e.Attachments = b.text, b.html, b.attachments
	return e, nil
}

// Validate reports, as an *Error, the first invariant of ParseEmail's results
// that e breaks, or nil: there is at least one From address; every address
// has an "@"; every string is valid UTF-8 without NUL; every attachment has a
// lower-case "type/subtype" media type without parameters. Size limits are
// not checked; they belong to ParseEmail.
func (e Email) Validate() error {
	if len(e.From) == 0 {
		return errorf("email.from", "missing")
	}
	for _, list := range []struct {
		path  string
		addrs []Address
	}{{"email.from", e.From}, {"email.to", e.To}, {"email.cc", e.Cc}} {
		for i, a := range list.addrs {
			path := index(list.path, i)
			switch {
			case encodingProblem(a.Name) != "":
				return errorf(path+".name", "%s", encodingProblem(a.Name))
			case encodingProblem(a.Address) != "":
				return errorf(path+".address", "%s", encodingProblem(a.Address))
			case !strings.Contains(a.Address, "@"):
				return errorf(path+".address", "not an e-mail address")
			}
		}
	}
	for _, f := range []struct{ path, value string }{
		{"email.subject", e.Subject},
		{"email.message_id", e.MessageID},
		{"email.text_body", e.TextBody},
		{"email.html_body", e.HTMLBody},
	} {
		if p := encodingProblem(f.value); p != "" {
			return errorf(f.path, "%s", p)
		}
	}
	for i, a := range e.Attachments {
		path := index("email.attachments", i)
		if p := encodingProblem(a.FileName); p != "" {
			return errorf(path+".file_name", "%s", p)
		}
		if mt, params, err := mime.ParseMediaType(a.ContentType); err != nil || mt != a.ContentType ||
			len(params) > 0 || !strings.Contains(mt, "/") {
			return errorf(path+".content_type", "not a lower-case type/subtype media type")
		}
	}
	return nil
}
