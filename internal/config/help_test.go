package config_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/confide-cc/confide/internal/config"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// TestFlagHelp pins the flags Load defines and their help text.
func TestFlagHelp(t *testing.T) {
	fs := flag.NewFlagSet("confide", flag.ContinueOnError)
	var out bytes.Buffer
	fs.SetOutput(&out)
	if _, _, err := config.Load(fs, nil, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	fs.PrintDefaults()
	golden := filepath.Join("testdata", "flags.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("flag help differs from %s (run go test -update if intended):\n%s", golden, out.Bytes())
	}
}
