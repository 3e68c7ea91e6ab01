package content

import "fmt"

// Error reports why content was rejected. It is safe to show to the client that
// submitted the content and to log: Field and Problem are built only from the
// package's own vocabulary, indices and offsets, never from the content.
//
// Underlying errors from decoders are deliberately not wrapped, because their
// messages may quote the input.
type Error struct {
	// Field locates the problem as a path in the submitted document, for
	// example "transcript.turns[3].words[2].end", "messages[0].at" or
	// "email.body.parts[1]".
	Field string
	// Problem describes what is wrong, for example "end before start".
	Problem string
}

// Error returns "Field: Problem".
func (e *Error) Error() string { return e.Field + ": " + e.Problem }

// errorf returns an *Error for field whose problem is formatted from format
// and args. Callers must pass only package-owned text and numbers as args.
func errorf(field, format string, args ...any) *Error {
	return &Error{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// index returns the path of element i of the array at path.
func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// in returns e with its Field, which is relative to the element at prefix,
// made absolute. Validation builds paths this way, only for the one element
// that is wrong.
func (e *Error) in(prefix string) *Error {
	if e.Field == "" {
		e.Field = prefix
	} else {
		e.Field = prefix + "." + e.Field
	}
	return e
}
