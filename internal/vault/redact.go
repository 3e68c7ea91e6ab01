package vault

import (
	"fmt"
	"log/slog"
)

// redactedText is what every secret-holding value prints as.
const redactedText = "REDACTED"

// redacted is embedded in every type that holds key material, so that no
// fmt verb (%v, %+v, %#v, %s, %x, ...), slog handler or text-based encoder
// (encoding/json, YAML) can print its fields. Embedding promotes the
// methods to the outer type and to pointers to it.
type redacted struct{}

// String implements fmt.Stringer.
func (redacted) String() string { return redactedText }

// Format implements fmt.Formatter; it ignores the verb and flags.
func (redacted) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redactedText)) }

// LogValue implements slog.LogValuer.
func (redacted) LogValue() slog.Value { return slog.StringValue(redactedText) }

// MarshalText implements encoding.TextMarshaler, which encoding/json and
// the slog JSON handler use for values nested in structs.
func (redacted) MarshalText() ([]byte, error) { return []byte(redactedText), nil }
