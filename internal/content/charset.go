package content

import (
	"errors"
	"io"
	"mime"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
)

// errUnsupportedCharset is returned for a charset that is not decoded.
var errUnsupportedCharset = errors.New("unsupported charset")

// wordDecoder decodes RFC 2047 encoded-words in header fields, in every
// charset that decodeText supports. It is safe for concurrent use.
var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// decodeText converts data in the named charset to valid UTF-8 text.
//
// A missing charset, "utf-8" and "us-ascii" are read as UTF-8. Any other name
// is resolved by the WHATWG Encoding Standard, as web browsers do: so
// "iso-8859-1" is read as its superset windows-1252, and Shift_JIS, GB18030,
// ISO-2022-JP, KOI8-R, UTF-16 and the rest are supported. Names the standard
// does not know, and those it maps to its "replacement" encoding (which would
// turn the whole text into one U+FFFD), are rejected with
// errUnsupportedCharset. Byte sequences invalid in the charset become U+FFFD,
// and a leading byte-order mark is removed.
func decodeText(charset string, data []byte) (string, error) {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
	default:
		enc, err := lookupCharset(charset)
		if err != nil {
			return "", err
		}
		if data, err = enc.NewDecoder().Bytes(data); err != nil {
			return "", errUnsupportedCharset
		}
	}
	return strings.TrimPrefix(cleanText(string(data)), "\uFEFF"), nil
}

func lookupCharset(name string) (encoding.Encoding, error) {
	enc, err := htmlindex.Get(strings.TrimSpace(name))
	if err != nil || enc == encoding.Replacement {
		return nil, errUnsupportedCharset
	}
	return enc, nil
}

// charsetReader is the mime.WordDecoder hook for charsets it does not decode
// itself (it knows only UTF-8, US-ASCII and ISO-8859-1).
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	enc, err := lookupCharset(charset)
	if err != nil {
		return nil, err
	}
	return enc.NewDecoder().Reader(input), nil
}

// cleanText replaces invalid UTF-8 and NUL characters in s with U+FFFD, so
// that it passes encodingProblem.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}
