package config_test

import (
	"math"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/config"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr string // substring of the error; "" for success
	}{
		{"0", 0, ""},
		{"1", 1, ""},
		{"2147483648", 2147483648, ""},
		{"8B", 8, ""},
		{"1KB", 1000, ""},
		{"10MB", 10_000_000, ""},
		{"2GB", 2_000_000_000, ""},
		{"1TB", 1_000_000_000_000, ""},
		{"1KiB", 1024, ""},
		{"512MiB", 512 << 20, ""},
		{"2GiB", 2 << 30, ""},
		{"3TiB", 3 << 40, ""},
		{"512mib", 512 << 20, ""},
		{"2 GiB", 2 << 30, ""},
		{" 7 ", 7, ""},
		{"9223372036854775807", math.MaxInt64, ""},
		{"8388607TiB", 8388607 << 40, ""},
		{"", 0, "empty size"},
		{"   ", 0, "empty size"},
		{"-1", 0, "must not be negative"},
		{"+1", 0, "must start with a number"},
		{"GiB", 0, "must start with a number"},
		{"1.5GiB", 0, "use a whole number of units"},
		{"1,5GiB", 0, "use a whole number of units"},
		{"2G", 0, `unknown unit "G"`},
		{"1XB", 0, `unknown unit "XB"`},
		{"1 2", 0, `unknown unit "2"`},
		{"2 GB B", 0, `unknown unit "GB B"`},
		{"9223372036854775808", 0, "too large"},
		{"8388608TiB", 0, "too large"},
		{"99999999999999999999999GiB", 0, "too large"},
	}
	for _, tt := range tests {
		got, err := config.ParseSize(tt.in)
		switch {
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ParseSize(%q) = %d, %v; want an error containing %q", tt.in, got, err, tt.wantErr)
		}
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0"},
		{1, "1"},
		{1000, "1000"},
		{1024, "1KiB"},
		{1536 << 20, "1536MiB"},
		{2 << 30, "2GiB"},
		{5 << 40, "5TiB"},
		{2<<30 + 1, "2147483649"},
		{-1024, "-1024"},
	}
	for _, tt := range tests {
		if got := config.FormatSize(tt.in); got != tt.want {
			t.Errorf("FormatSize(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"0", "2GiB", "512 MiB", "10MB", "1.5GiB", "-1", "9223372036854775807", "8388608TiB", "", "kib"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := config.ParseSize(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("ParseSize(%q) = %d, a negative size", s, n)
		}
		back, err := config.ParseSize(config.FormatSize(n))
		if err != nil || back != n {
			t.Fatalf("ParseSize(FormatSize(%d)) = %d, %v", n, back, err)
		}
	})
}
