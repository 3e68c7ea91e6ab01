package config_test

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/confide-cc/confide/internal/config"
)

// load runs config.Load with a fresh flag set, the given environment and,
// when file is not empty, a config file holding file named by --config.
func load(t *testing.T, file string, env map[string]string, args ...string) (config.Config, []string, error) {
	t.Helper()
	if file != "" {
		path := filepath.Join(t.TempDir(), "confide.yaml")
		if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append([]string{"--config", path}, args...)
	}
	fs := flag.NewFlagSet("confide", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return config.Load(fs, args, func(k string) string { return env[k] })
}

// mustLoad is load for inputs that must be valid.
func mustLoad(t *testing.T, file string, env map[string]string, args ...string) config.Config {
	t.Helper()
	cfg, _, err := load(t, file, env, args...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg
}

// effective returns the setting with the given key from cfg.Effective().
func effective(t *testing.T, cfg config.Config, key string) config.Setting {
	t.Helper()
	for _, s := range cfg.Effective() {
		if s.Key == key {
			return s
		}
	}
	t.Fatalf("Effective() has no %q", key)
	return config.Setting{}
}

// chdirTemp changes into a new temporary directory and returns its path as
// the working directory reports it.
func chdirTemp(t *testing.T) string {
	t.Helper()
	t.Chdir(t.TempDir())
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
