package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// sizeUnits maps each accepted unit, in lower case, to its number of bytes.
// Decimal units (KB, MB, ...) are powers of 1000 and binary units (KiB,
// MiB, ...) powers of 1024, as in IEC 80000-13.
var sizeUnits = map[string]int64{
	"":    1,
	"b":   1,
	"kb":  1e3,
	"mb":  1e6,
	"gb":  1e9,
	"tb":  1e12,
	"kib": 1 << 10,
	"mib": 1 << 20,
	"gib": 1 << 30,
	"tib": 1 << 40,
}

// binaryUnits lists the units FormatSize uses, largest first.
var binaryUnits = []struct {
	name  string
	bytes int64
}{
	{"TiB", 1 << 40},
	{"GiB", 1 << 30},
	{"MiB", 1 << 20},
	{"KiB", 1 << 10},
}

// ParseSize parses a byte count: a whole non-negative number optionally
// followed by a unit, such as "2147483648", "2GiB", "512 MiB" or "10MB".
// Units are case-insensitive: B, KB, MB, GB, TB (powers of 1000) and KiB,
// MiB, GiB, TiB (powers of 1024). It returns an error, never panics, for
// anything else, including fractions, negative numbers and values that do
// not fit in an int64.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	digits := 0
	for digits < len(t) && t[digits] >= '0' && t[digits] <= '9' {
		digits++
	}
	switch {
	case t == "":
		return 0, errors.New("empty size")
	case t[0] == '-':
		return 0, fmt.Errorf("invalid size %q: must not be negative", s)
	case digits == 0:
		return 0, fmt.Errorf("invalid size %q: must start with a number, e.g. 512MiB", s)
	case digits < len(t) && (t[digits] == '.' || t[digits] == ','):
		return 0, fmt.Errorf("invalid size %q: use a whole number of units, e.g. 1536MiB for 1.5GiB", s)
	}
	n, err := strconv.ParseInt(t[:digits], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	unit := strings.TrimSpace(t[digits:])
	mult, ok := sizeUnits[strings.ToLower(unit)]
	if !ok {
		return 0, fmt.Errorf("invalid size %q: unknown unit %q (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)", s, unit)
	}
	if n > math.MaxInt64/mult {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return n * mult, nil
}

// FormatSize formats n bytes in the largest binary unit that represents it
// exactly ("2GiB", "1536MiB"), or as a plain number of bytes. ParseSize
// reads every result back to n.
func FormatSize(n int64) string {
	for _, u := range binaryUnits {
		if n > 0 && n%u.bytes == 0 {
			return strconv.FormatInt(n/u.bytes, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}
