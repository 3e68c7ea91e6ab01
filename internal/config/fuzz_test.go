package config_test

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/confide-cc/confide/internal/config"
)

func FuzzLoadYAML(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "addr: [", "a: &a [*a, *a]\nb: *a\n", "? [a]\n: b\n", "max_body_bytes: !!binary aGk=\n", "---\n---\n", "{", "\t"} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fs := flag.NewFlagSet("confide", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		cfg, _, err := config.Load(fs, []string{"--config", path, "--data", dir}, func(string) string { return "" })
		if err != nil {
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Load() succeeded but Validate() = %v", err)
		}
		if len(cfg.Effective()) == 0 {
			t.Fatal("Effective() is empty")
		}
	})
}
