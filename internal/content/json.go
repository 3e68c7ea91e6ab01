package content

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"
)

// decodeStrict decodes the JSON value data into v. want is the value's
// required first character: '{' for an object, '[' for an array. Unknown
// object fields, a value of the wrong type and anything but white space after
// the value are rejected. The error's Field is relative to the value: "" for
// the value itself, or the name of one of its fields.
//
// To locate an error to an element of a nested array, callers decode one
// nesting level at a time, holding the next as json.RawMessage.
func decodeStrict(data []byte, want byte, v any) *Error {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return errorf("", "empty JSON document")
	}
	if trimmed[0] != want {
		if want == '{' {
			return errorf("", "must be a JSON object")
		}
		return errorf("", "must be a JSON array")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf("", "unexpected data after the JSON value")
	}
	return nil
}

// jsonError translates an encoding/json error from decoding data, whose
// message may quote the input, into an *Error that does not.
func jsonError(data []byte, err error) *Error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		// Offset counts the bytes read, including the offending one.
		line, col := position(data, int(syntax.Offset)-1)
		return errorf("", "invalid JSON at line %d, column %d", line, col)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errorf("", "truncated JSON")
	case errors.As(err, &typ):
		if strings.HasPrefix(typ.Value, "number ") {
			// A JSON number that does not fit the Go type: encoding/json
			// appends the number to Value only in this case.
			return errorf(typ.Field, "number out of range")
		}
		return errorf(typ.Field, "%s", kindProblem(typ.Type))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no error type for this case. The field name is
		// part of the input, so it is not repeated.
		return errorf("", "unknown field")
	}
	return errorf("", "invalid JSON")
}

// kindProblem says which JSON type a value decoded into t must have.
func kindProblem(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "must be a string"
	case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int64:
		return "must be a number"
	case reflect.Slice:
		return "must be an array"
	case reflect.Struct, reflect.Map:
		return "must be an object"
	}
	return "has the wrong type"
}

// position returns the 1-based line and column (in characters) of the byte
// at offset off of data.
func position(data []byte, off int) (line, col int) {
	off = max(0, min(off, len(data)))
	before := data[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return line, 1 + utf8.RuneCount(before[lineStart:])
}

// invalidUTF8 returns the offset of the first byte of data that is not part of
// valid UTF-8, or -1.
func invalidUTF8(data []byte) int {
	if utf8.Valid(data) {
		return -1
	}
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}
