package content

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"unicode"
)

// maxBoundaryLen is the longest boundary RFC 2046 allows.
const maxBoundaryLen = 70

// mimeParser walks the MIME entity tree of one message, enforcing its limits.
type mimeParser struct {
	limits    EmailLimits
	parts     int // body parts seen so far
	textBytes int // decoded text so far
}

// body is what an entity contributes to an Email.
type body struct {
	text, html  string
	attachments []Attachment
}

// entity parses the MIME entity at path with header h and content r. depth
// is its multipart nesting depth; defaultType applies when h has no
// Content-Type.
func (p *mimeParser) entity(path string, h textproto.MIMEHeader, r io.Reader, depth int, defaultType string) (body, error) {
	mediaType, params, err := parseContentType(h.Get("Content-Type"), defaultType)
	if err != nil {
		return body{}, errorf(path, "malformed Content-Type")
	}
	disposition, dispParams, err := parseDisposition(h.Get("Content-Disposition"))
	if err != nil {
		return body{}, errorf(path, "malformed Content-Disposition")
	}
	encoding := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))
	if strings.HasPrefix(mediaType, "multipart/") {
		return p.multipart(path, mediaType, params["boundary"], encoding, r, depth)
	}
	data, err := decodeTransfer(path, encoding, r)
	if err != nil {
		return body{}, err
	}
	isText := mediaType == "text/plain" || mediaType == "text/html"
	if !isText || disposition == "attachment" {
		a := Attachment{FileName: fileName(dispParams["filename"], params["name"]), ContentType: mediaType, Data: data}
		return body{attachments: []Attachment{a}}, nil
	}
	text, err := decodeText(params["charset"], data)
	if err != nil {
		return body{}, errorf(path, "unsupported charset")
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if p.textBytes += len(text); p.textBytes > p.limits.MaxTextBytes {
		return body{}, errorf("email.body", "text parts decode to more than %d bytes", p.limits.MaxTextBytes)
	}
	if mediaType == "text/html" {
		return body{html: text}, nil
	}
	return body{text: text}, nil
}

// multipart parses the parts of a multipart entity. The text of alternative
// parts replaces earlier alternatives (RFC 2046 orders them from least to
// most faithful); the text of other multiparts' parts is joined.
func (p *mimeParser) multipart(path, mediaType, boundary, encoding string, r io.Reader, depth int) (body, error) {
	switch {
	case depth+1 > p.limits.MaxDepth:
		return body{}, errorf(path, "multipart nesting deeper than %d levels", p.limits.MaxDepth)
	case !isIdentityEncoding(encoding):
		return body{}, errorf(path, "multipart entity with a Content-Transfer-Encoding other than 7bit, 8bit or binary")
	case boundary == "":
		return body{}, errorf(path, "multipart entity without a boundary parameter")
	case len(boundary) > maxBoundaryLen:
		return body{}, errorf(path, "boundary longer than %d characters", maxBoundaryLen)
	}
	childType := "text/plain"
	if mediaType == "multipart/digest" {
		childType = "message/rfc822"
	}
	var out body
	watch := &closeWatcher{r: r, delimiter: []byte("--" + boundary + "--")}
	mr := multipart.NewReader(watch, boundary)
	for i := 0; ; i++ {
		partPath := index(path+".parts", i)
		part, err := mr.NextRawPart()
		switch {
		case err == io.EOF && !watch.sawClose():
			// multipart.Reader also returns a bare io.EOF when the input
			// ends inside a part's header.
			return body{}, errorf(path, "truncated: the message ends before the closing boundary")
		case err == io.EOF && i == 0:
			return body{}, errorf(path, "multipart entity with no parts")
		case err == io.EOF:
			return out, nil
		case errors.Is(err, io.EOF) && i == 0:
			// multipart.Reader wraps io.EOF when no delimiter line was found.
			return body{}, errorf(path, "no part starts with the declared boundary")
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return body{}, errorf(path, "truncated: the message ends before the closing boundary")
		case err != nil:
			return body{}, errorf(partPath, "malformed part header")
		}
		if p.parts++; p.parts > p.limits.MaxParts {
			return body{}, errorf("email.body", "more than %d MIME parts", p.limits.MaxParts)
		}
		child, err := p.entity(partPath, part.Header, part, depth+1, childType)
		if err != nil {
			return body{}, err
		}
		if mediaType == "multipart/alternative" {
			out.replace(child)
		} else {
			out.join(child)
		}
	}
}

// closeWatcher passes reads through from r and notes whether a line holding
// the close delimiter of a multipart body (delimiter, then optional white
// space) has passed, which multipart.Reader does not report.
type closeWatcher struct {
	r         io.Reader
	delimiter []byte // "--" + boundary + "--"
	matched   int    // bytes of delimiter that start the current line
	skipLine  bool   // the current line cannot be the close delimiter
	seen      bool   // a whole close-delimiter line has passed
}

func (w *closeWatcher) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	w.scan(p[:n])
	return n, err
}

func (w *closeWatcher) scan(b []byte) {
	for len(b) > 0 {
		if w.skipLine {
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				return
			}
			b = b[i:]
			w.skipLine = false
		}
		c := b[0]
		b = b[1:]
		switch {
		case c == '\n':
			w.seen = w.seen || w.matched == len(w.delimiter)
			w.matched = 0
		case w.matched < len(w.delimiter) && c == w.delimiter[w.matched]:
			w.matched++
		case w.matched == len(w.delimiter) && (c == ' ' || c == '\t' || c == '\r'):
		default:
			w.skipLine, w.matched = true, 0
		}
	}
}

// sawClose reports whether the close delimiter has passed, counting one on
// the last line without a line end.
func (w *closeWatcher) sawClose() bool {
	return w.seen || w.matched == len(w.delimiter)
}

// join appends c's text, HTML and attachments to b's.
func (b *body) join(c body) {
	b.text = joinText(b.text, c.text)
	b.html = joinText(b.html, c.html)
	b.attachments = append(b.attachments, c.attachments...)
}

// replace takes c as a better alternative of b: its text and HTML, if any,
// replace b's; its attachments are added.
func (b *body) replace(c body) {
	if c.text != "" {
		b.text = c.text
	}
	if c.html != "" {
		b.html = c.html
	}
	b.attachments = append(b.attachments, c.attachments...)
}

// joinText joins two texts, separated by a line end if a does not end with one.
func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	case strings.HasSuffix(a, "\n"):
		return a + b
	}
	return a + "\n" + b
}

// parseContentType returns the lower-case media type and parameters of a
// Content-Type value, or defaultType if it is blank. A value whose
// parameters alone are malformed keeps its media type and loses its
// parameters, as mime.ParseMediaType allows.
func parseContentType(value, defaultType string) (string, map[string]string, error) {
	if strings.TrimSpace(value) == "" {
		return defaultType, nil, nil
	}
	mediaType, params, err := mime.ParseMediaType(value)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return "", nil, err
	}
	if !strings.Contains(mediaType, "/") {
		return "", nil, errors.New("media type without a subtype")
	}
	return mediaType, params, nil
}

// parseDisposition returns the lower-case disposition type and parameters of
// a Content-Disposition value, or "" if it is blank.
func parseDisposition(value string) (string, map[string]string, error) {
	if strings.TrimSpace(value) == "" {
		return "", nil, nil
	}
	disposition, params, err := mime.ParseMediaType(value)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return "", nil, err
	}
	return disposition, params, nil
}

func isIdentityEncoding(encoding string) bool {
	switch encoding {
	case "", "7bit", "8bit", "binary":
		return true
	}
	return false
}

// decodeTransfer reads r and removes its Content-Transfer-Encoding.
// Base64 may contain line breaks and other white space, and may omit its
// padding.
func decodeTransfer(path, encoding string, r io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(r)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, errorf(path, "truncated: the message ends before the closing boundary")
	case err != nil:
		return nil, errorf(path, "unreadable content")
	}
	switch {
	case isIdentityEncoding(encoding):
		return raw, nil
	case encoding == "quoted-printable":
		data, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return nil, errorf(path, "invalid quoted-printable content")
		}
		return data, nil
	case encoding == "base64":
		compact := bytes.TrimRight(bytes.Map(dropSpace, raw), "=")
		data := make([]byte, base64.RawStdEncoding.DecodedLen(len(compact)))
		n, err := base64.RawStdEncoding.Decode(data, compact)
		if err != nil {
			return nil, errorf(path, "invalid base64 content")
		}
		return data[:n], nil
	}
	return nil, errorf(path, "unsupported Content-Transfer-Encoding")
}

// dropSpace is a bytes.Map function that removes ASCII white space.
func dropSpace(r rune) rune {
	if r < unicode.MaxASCII && unicode.IsSpace(r) {
		return -1
	}
	return r
}

// fileName returns an attachment's file name from the Content-Disposition
// filename parameter, or else the Content-Type name parameter: decoded from
// RFC 2047 encoded-words (which many mailers use there), without any
// directory part, and with control characters replaced by "_".
func fileName(dispositionName, typeName string) string {
	name := dispositionName
	if name == "" {
		name = typeName
	}
	if decoded, err := wordDecoder.DecodeHeader(name); err == nil {
		name = decoded
	}
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '_'
		}
		return r
	}, cleanText(name))
}
