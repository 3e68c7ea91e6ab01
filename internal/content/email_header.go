package content

import (
	"bytes"
	"net/mail"
	"net/textproto"
	"strings"
)

// parseHeader returns an Email with the fields of the message header set.
func parseHeader(h mail.Header) (Email, error) {
	var e Email
	var err error
	if e.From, err = addressHeader(h, "From", "email.from"); err != nil {
		return Email{}, err
	}
	if len(e.From) == 0 {
		return Email{}, errorf("email.from", "missing")
	}
	if e.To, err = addressHeader(h, "To", "email.to"); err != nil {
		return Email{}, err
	}
	if e.Cc, err = addressHeader(h, "Cc", "email.cc"); err != nil {
		return Email{}, err
	}
	subject, err := singleHeader(h, "Subject", "email.subject")
	if err != nil {
		return Email{}, err
	}
	if e.Subject, err = wordDecoder.DecodeHeader(subject); err != nil {
		return Email{}, errorf("email.subject", "encoded-word in an unsupported charset")
	}
	e.Subject = cleanText(e.Subject)
	date, err := singleHeader(h, "Date", "email.date")
	if err != nil {
		return Email{}, err
	}
	if date != "" {
		if e.Date, err = mail.ParseDate(date); err != nil {
			return Email{}, errorf("email.date", "not a valid RFC 5322 date")
		}
	}
	id, err := singleHeader(h, "Message-ID", "email.message_id")
	if err != nil {
		return Email{}, err
	}
	e.MessageID = cleanText(strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">"))
	return e, nil
}

// singleHeader returns the trimmed value of the header field name, "" if it
// is absent, or an error located at path if it appears more than once.
func singleHeader(h mail.Header, name, path string) (string, error) {
	values := h[textproto.CanonicalMIMEHeaderKey(name)]
	switch len(values) {
	case 0:
		return "", nil
	case 1:
		return strings.TrimSpace(values[0]), nil
	}
	return "", errorf(path, "header field appears more than once")
}

// addressHeader parses the address list in the header field name; a missing
// or blank field yields no addresses.
func addressHeader(h mail.Header, name, path string) ([]Address, error) {
	value, err := singleHeader(h, name, path)
	if err != nil || value == "" {
		return nil, err
	}
	parser := mail.AddressParser{WordDecoder: wordDecoder}
	list, err := parser.ParseList(value)
	if err != nil {
		return nil, errorf(path, "not a valid address list")
	}
	addrs := make([]Address, len(list))
	for i, a := range list {
		addrs[i] = Address{Name: cleanText(a.Name), Address: cleanText(a.Address)}
	}
	return addrs, nil
}

// badHeaderLine returns the 1-based number of the first line of raw's header
// section that net/mail rejects (a first line that starts with white space,
// or a field without a colon), or 0 if there is none.
func badHeaderLine(raw []byte) int {
	lines := bytes.Split(raw, []byte{'\n'})
	fieldLine, fieldHasColon := 0, true
	for i, line := range lines {
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			if i == 0 {
				return 1
			}
			fieldHasColon = fieldHasColon || bytes.IndexByte(line, ':') >= 0
			continue
		}
		if !fieldHasColon {
			return fieldLine
		}
		if len(line) == 0 {
			return 0
		}
		fieldLine, fieldHasColon = i+1, bytes.IndexByte(line, ':') >= 0
	}
	if !fieldHasColon {
		return fieldLine
	}
	return 0
}
