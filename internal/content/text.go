package content

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// textProblem returns what is wrong with s as stored text, or "" if nothing
// is: it must be at most maxBytes long and pass encodingProblem.
func textProblem(s string, maxBytes int) string {
	if len(s) > maxBytes {
		return fmt.Sprintf("longer than %d bytes", maxBytes)
	}
	return encodingProblem(s)
}

// encodingProblem returns what is wrong with the encoding of s, or "" if
// nothing is: it must be valid UTF-8 and hold no NUL character (PostgreSQL
// text columns cannot store one).
func encodingProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "not valid UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "contains a NUL character"
	}
	return ""
}

// isBlank reports whether s is empty or only white space.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// hasControl reports whether s holds a control character (C0, DEL or C1).
func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}
