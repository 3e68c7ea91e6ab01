package config_test

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/config"
)

func TestLoadDefaults(t *testing.T) {
	wd := chdirTemp(t)
	cfg, warnings, err := load(t, "", nil)
	if err != nil || len(warnings) != 0 {
		t.Fatalf("Load() = warnings %q, err %v", warnings, err)
	}
	data := filepath.Join(wd, "confide-data")
	want := config.Config{
		DataDir:           data,
		Addr:              "127.0.0.1:8443",
		RootKeyFile:       filepath.Join(data, "root.key"),
		TLSCertFile:       filepath.Join(data, "tls", "cert.pem"),
		TLSKeyFile:        filepath.Join(data, "tls", "key.pem"),
		MaxRecordingBytes: 2147483648,
		MaxBodyBytes:      32 << 20,
		LogLevel:          "info",
		LogFormat:         "json",
		ShutdownTimeout:   30 * time.Second,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		BlobGCInterval:    time.Minute,
	}
	if got := withoutProvenance(cfg); got != want {
		t.Errorf("Load() =\n%+v\nwant\n%+v", got, want)
	}
	if got := cfg.DatabaseKind(); got != config.DatabaseSQLite {
		t.Errorf("DatabaseKind() = %q", got)
	}
	if got := cfg.SQLitePath(); got != filepath.Join(data, "confide.db") {
		t.Errorf("SQLitePath() = %q", got)
	}
	if got := cfg.BlobKind(); got != config.BlobFS {
		t.Errorf("BlobKind() = %q", got)
	}
	if got := cfg.BlobDir(); got != filepath.Join(data, "blobs") {
		t.Errorf("BlobDir() = %q", got)
	}
	if !cfg.UsesDefaultTLSFiles() || !cfg.IsLoopback() {
		t.Errorf("UsesDefaultTLSFiles() = %v, IsLoopback() = %v; want true, true", cfg.UsesDefaultTLSFiles(), cfg.IsLoopback())
	}
	for _, s := range cfg.Effective() {
		if s.Source != "default" {
			t.Errorf("Effective() %s source = %q, want default", s.Key, s.Source)
		}
	}
}

// withoutProvenance copies the exported fields of c, so that it compares
// equal to a Config literal.
func withoutProvenance(c config.Config) config.Config {
	return config.Config{
		DataDir: c.DataDir, Addr: c.Addr, InsecureHTTP: c.InsecureHTTP,
		DatabaseURL: c.DatabaseURL, BlobURL: c.BlobURL, RootKeyFile: c.RootKeyFile,
		TLSCertFile: c.TLSCertFile, TLSKeyFile: c.TLSKeyFile,
		MaxRecordingBytes: c.MaxRecordingBytes, MaxBodyBytes: c.MaxBodyBytes,
		LogLevel: c.LogLevel, LogFormat: c.LogFormat,
		ShutdownTimeout: c.ShutdownTimeout, ReadHeaderTimeout: c.ReadHeaderTimeout,
		IdleTimeout: c.IdleTimeout, BlobGCInterval: c.BlobGCInterval,
	}
}

func TestLoadPrecedence(t *testing.T) {
	// Each layer sets every setting below to its own value; the table says
	// which layers are present and which value must win.
	type layer struct {
		file, env, flag string
	}
	settings := []struct {
		key, envName, flagName string
		values                 layer // the value each layer gives
		get                    func(config.Config) string
		want                   layer // the value Load must produce, as get formats it
	}{
		{"addr", "CONFIDE_ADDR", "addr",
			layer{"127.0.0.1:1001", "127.0.0.1:1002", "127.0.0.1:1003"},
			func(c config.Config) string { return c.Addr },
			layer{"127.0.0.1:1001", "127.0.0.1:1002", "127.0.0.1:1003"}},
		{"max_body_bytes", "CONFIDE_MAX_BODY_BYTES", "max-body-bytes",
			layer{"1MiB", "2097152", "3 MiB"},
			func(c config.Config) string { return config.FormatSize(c.MaxBodyBytes) },
			layer{"1MiB", "2MiB", "3MiB"}},
		{"shutdown_timeout", "CONFIDE_SHUTDOWN_TIMEOUT", "shutdown-timeout",
			layer{"1s", "2s", "3s"},
			func(c config.Config) string { return c.ShutdownTimeout.String() },
			layer{"1s", "2s", "3s"}},
		{"log_level", "CONFIDE_LOG_LEVEL", "log-level",
			layer{"debug", "warn", "error"},
			func(c config.Config) string { return c.LogLevel },
			layer{"debug", "warn", "error"}},
		{"insecure_http", "CONFIDE_INSECURE_HTTP", "insecure-http",
			layer{"true", "false", "true"},
			func(c config.Config) string { return strconvBool(c.InsecureHTTP) },
			layer{"true", "false", "true"}},
	}
	defaults := map[string]string{"addr": "127.0.0.1:8443", "max_body_bytes": "32MiB", "shutdown_timeout": "30s", "log_level": "info", "insecure_http": "false"}

	for _, layers := range []struct {
		name             string
		file, env, flags bool
		wantSource       string
	}{
		{"default", false, false, false, "default"},
		{"file", true, false, false, "file"},
		{"env", false, true, false, "env"},
		{"flag", false, false, true, "flag"},
		{"env over file", true, true, false, "env"},
		{"flag over file", true, false, true, "flag"},
		{"flag over env", false, true, true, "flag"},
		{"flag over env over file", true, true, true, "flag"},
	} {
		t.Run(layers.name, func(t *testing.T) {
			var file strings.Builder
			env := map[string]string{}
			var args []string
			for _, s := range settings {
				if layers.file {
					file.WriteString(s.key + ": " + s.values.file + "\n")
				}
				if layers.env {
					env[s.envName] = s.values.env
				}
				if layers.flags {
					args = append(args, "--"+s.flagName+"="+s.values.flag)
				}
			}
			if layers.file && file.Len() == 0 {
				t.Fatal("empty file")
			}
			cfg := mustLoad(t, file.String(), env, args...)
			for _, s := range settings {
				want := defaults[s.key]
				switch layers.wantSource {
				case "file":
					want = s.want.file
				case "env":
					want = s.want.env
				case "flag":
					want = s.want.flag
				}
				if got := s.get(cfg); got != want {
					t.Errorf("%s = %q, want %q", s.key, got, want)
				}
				if got := effective(t, cfg, s.key); got.Source != layers.wantSource || got.Value != want {
					t.Errorf("Effective() %s = %+v, want value %q from %s", s.key, got, want, layers.wantSource)
				}
			}
		})
	}
}

func strconvBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestLoadConfigFileLocation(t *testing.T) {
	dir := t.TempDir()
	fromEnv := filepath.Join(dir, "env.yaml")
	fromFlag := filepath.Join(dir, "flag.yaml")
	writeFile(t, fromEnv, "log_level: debug\n")
	writeFile(t, fromFlag, "log_level: warn\n")

	tests := []struct {
		name      string
		env       map[string]string
		args      []string
		wantLevel string
		wantFile  config.Setting
	}{
		{"none", nil, nil, "info", config.Setting{Key: "config", Source: "default"}},
		{"CONFIDE_CONFIG", map[string]string{"CONFIDE_CONFIG": fromEnv}, nil, "debug", config.Setting{Key: "config", Value: fromEnv, Source: "env"}},
		{"--config over CONFIDE_CONFIG", map[string]string{"CONFIDE_CONFIG": fromEnv}, []string{"--config", fromFlag}, "warn", config.Setting{Key: "config", Value: fromFlag, Source: "flag"}},
		{"empty --config disables CONFIDE_CONFIG", map[string]string{"CONFIDE_CONFIG": fromEnv}, []string{"--config="}, "info", config.Setting{Key: "config", Source: "default"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustLoad(t, "", tt.env, tt.args...)
			if cfg.LogLevel != tt.wantLevel {
				t.Errorf("LogLevel = %q, want %q", cfg.LogLevel, tt.wantLevel)
			}
			if got := cfg.Effective()[0]; got != tt.wantFile {
				t.Errorf("Effective()[0] = %+v, want %+v", got, tt.wantFile)
			}
		})
	}
}

func TestLoadMissingConfigFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	_, _, err := load(t, "", nil, "--config", missing)
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("Load() error = %v, want one naming %s", err, missing)
	}
}

func TestLoadPositionalArgs(t *testing.T) {
	fs := flag.NewFlagSet("confide", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg, _, err := config.Load(fs, []string{"--addr", "127.0.0.1:9", "users", "list"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9" || !slices.Equal(fs.Args(), []string{"users", "list"}) {
		t.Errorf("Addr = %q, Args() = %q", cfg.Addr, fs.Args())
	}
}

func TestLoadHelp(t *testing.T) {
	_, _, err := load(t, "", nil, "-h")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("Load(-h) error = %v, want flag.ErrHelp", err)
	}
}

func TestLoadDerivedPaths(t *testing.T) {
	wd := chdirTemp(t)
	tests := []struct {
		name                                  string
		env                                   map[string]string
		args                                  []string
		wantData, wantRoot, wantCert, wantKey string
		wantSQLite, wantBlobDir, wantDBURL    string
		wantDefaultTLS                        bool
	}{
		{
			name:     "derived defaults follow a relative data_dir",
			args:     []string{"--data", "d"},
			wantData: "d", wantRoot: "d/root.key", wantCert: "d/tls/cert.pem", wantKey: "d/tls/key.pem",
			wantSQLite: "d/confide.db", wantBlobDir: "d/blobs", wantDefaultTLS: true,
		},
		{
			name:     "CONFIDE_DATA is an alias of CONFIDE_DATA_DIR",
			env:      map[string]string{"CONFIDE_DATA": "alias"},
			wantData: "alias", wantRoot: "alias/root.key", wantCert: "alias/tls/cert.pem", wantKey: "alias/tls/key.pem",
			wantSQLite: "alias/confide.db", wantBlobDir: "alias/blobs", wantDefaultTLS: true,
		},
		{
			name: "explicit relative paths resolve against the working directory",
			args: []string{"--data", "d", "--root-key-file", "keys/root.key", "--tls-cert-file", "c.pem",
				"--database-url", "sqlite:db/x.db", "--blob-url", "file:b"},
			wantData: "d", wantRoot: "keys/root.key", wantCert: "c.pem", wantKey: "d/tls/key.pem",
			wantSQLite: "db/x.db", wantBlobDir: "b", wantDBURL: "sqlite://" + filepath.Join(wd, "db/x.db"),
		},
		{
			name:     "the default TLS paths given explicitly are still the defaults",
			args:     []string{"--data", "d", "--tls-cert-file", "d/tls/cert.pem", "--tls-key-file", "d/tls/key.pem"},
			wantData: "d", wantRoot: "d/root.key", wantCert: "d/tls/cert.pem", wantKey: "d/tls/key.pem",
			wantSQLite: "d/confide.db", wantBlobDir: "d/blobs", wantDefaultTLS: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustLoad(t, "", tt.env, tt.args...)
			abs := func(p string) string { return filepath.Join(wd, p) }
			for _, c := range []struct{ name, got, want string }{
				{"DataDir", cfg.DataDir, abs(tt.wantData)},
				{"RootKeyFile", cfg.RootKeyFile, abs(tt.wantRoot)},
				{"TLSCertFile", cfg.TLSCertFile, abs(tt.wantCert)},
				{"TLSKeyFile", cfg.TLSKeyFile, abs(tt.wantKey)},
				{"SQLitePath()", cfg.SQLitePath(), abs(tt.wantSQLite)},
				{"BlobDir()", cfg.BlobDir(), abs(tt.wantBlobDir)},
			} {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
				}
			}
			if tt.wantDBURL != "" && cfg.DatabaseURL != tt.wantDBURL {
				t.Errorf("DatabaseURL = %q, want %q", cfg.DatabaseURL, tt.wantDBURL)
			}
			if got := cfg.UsesDefaultTLSFiles(); got != tt.wantDefaultTLS {
				t.Errorf("UsesDefaultTLSFiles() = %v, want %v", got, tt.wantDefaultTLS)
			}
		})
	}
}

func TestLoadEnvWarnings(t *testing.T) {
	t.Setenv("CONFIDE_ADRR", "127.0.0.1:1")
	t.Setenv("CONFIDE_FROBNICATE", "1")
	t.Setenv("CONFIDE_TEST_POSTGRES", "postgres://127.0.0.1/test")
	t.Setenv("CONFIDE_EMPTY", "")
	t.Setenv("CONFIDE_DATA_DIR", "canonical")
	t.Setenv("CONFIDE_DATA", "alias")
	fs := flag.NewFlagSet("confide", flag.ContinueOnError)
	cfg, warnings, err := config.Load(fs, nil, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"CONFIDE_DATA is ignored because CONFIDE_DATA_DIR is also set",
		"CONFIDE_ADRR is not a Confide setting and is ignored (did you mean CONFIDE_ADDR?)",
		"CONFIDE_FROBNICATE is not a Confide setting and is ignored",
	}
	if !slices.Equal(warnings, want) {
		t.Errorf("warnings =\n%q\nwant\n%q", warnings, want)
	}
	if filepath.Base(cfg.DataDir) != "canonical" {
		t.Errorf("DataDir = %q, want .../canonical", cfg.DataDir)
	}
	// A variable counts only if getenv reports it.
	_, warnings, err = config.Load(flag.NewFlagSet("confide", flag.ContinueOnError), nil, func(string) string { return "" })
	if err != nil || len(warnings) != 0 {
		t.Errorf("Load() with an empty getenv = %q, %v; want no warnings", warnings, err)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		args []string
		want []string // substrings of the error, in order
	}{
		{name: "unknown YAML key", file: "addr: 127.0.0.1:1\ndata_dri: x\n",
			want: []string{`line 2: unknown key "data_dri" (did you mean "data_dir"?)`}},
		{name: "unknown YAML key without a guess", file: "colour: blue\n",
			want: []string{`line 1: unknown key "colour"`}},
		{name: "repeated YAML key", file: "addr: 127.0.0.1:1\naddr: 127.0.0.1:2\n",
			want: []string{"line 2: addr: already set on line 1"}},
		{name: "list value", file: "log_level: [info]\n",
			want: []string{"line 1: log_level: expected a single value, not a list or mapping"}},
		{name: "null value", file: "log_level:\n",
			want: []string{"line 1: log_level: has no value"}},
		{name: "not a mapping", file: "- addr\n",
			want: []string{"line 1: expected a mapping of setting names to values"}},
		{name: "two documents", file: "addr: 127.0.0.1:1\n---\naddr: 127.0.0.1:2\n",
			want: []string{"must hold a single YAML document"}},
		{name: "YAML syntax", file: "addr: [\n",
			want: []string{"confide.yaml: yaml: "}},
		{name: "mapping key", file: "? [a]\n: b\n",
			want: []string{"line 1: a setting name must be a plain string"}},
		{name: "bad size in file", file: "max_body_bytes: 1.5MiB\n",
			want: []string{`line 1: max_body_bytes: invalid size "1.5MiB": use a whole number`}},
		{name: "bad duration in file", file: "idle_timeout: 30\n",
			want: []string{`line 1: idle_timeout: invalid duration "30"`}},
		{name: "bad boolean in file", file: "insecure_http: yes\n",
			want: []string{`line 1: insecure_http: invalid boolean "yes"`}},
		{name: "every bad line is reported", file: "max_body_bytes: x\nidle_timeout: y\n",
			want: []string{"line 1: max_body_bytes", "line 2: idle_timeout"}},
		{name: "bad size in env", env: map[string]string{"CONFIDE_MAX_RECORDING_BYTES": "2 GB B"},
			want: []string{`CONFIDE_MAX_RECORDING_BYTES: invalid size "2 GB B"`}},
		{name: "bad duration in env", env: map[string]string{"CONFIDE_BLOB_GC_INTERVAL": "soon"},
			want: []string{`CONFIDE_BLOB_GC_INTERVAL: invalid duration "soon"`}},
		{name: "bad size flag", args: []string{"--max-body-bytes", "lots"},
			want: []string{`invalid value "lots" for flag -max-body-bytes`}},
		{name: "unknown flag", args: []string{"--colour", "blue"},
			want: []string{"flag provided but not defined: -colour"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := load(t, tt.file, tt.env, tt.args...)
			if err == nil {
				t.Fatalf("Load() succeeded with %+v", cfg)
			}
			msg := err.Error()
			for _, w := range tt.want {
				i := strings.Index(msg, w)
				if i < 0 {
					t.Fatalf("Load() error = %q, want it to contain %q", msg, w)
				}
				msg = msg[i+len(w):]
			}
		})
	}
}

func TestLoadEmptyFiles(t *testing.T) {
	for _, file := range []string{"\n", "# only a comment\n", "---\n", "~\n", "{}\n"} {
		cfg, _, err := load(t, file, nil)
		if err != nil {
			t.Errorf("Load(%q) error = %v", file, err)
			continue
		}
		if got := effective(t, cfg, "addr"); got.Source != "default" {
			t.Errorf("Load(%q) addr source = %q, want default", file, got.Source)
		}
	}
}

func TestLoadYAMLAnchors(t *testing.T) {
	cfg := mustLoad(t, "shutdown_timeout: &t 5s\nidle_timeout: *t\n", nil)
	if cfg.IdleTimeout != 5*time.Second {
		t.Errorf("IdleTimeout = %v, want 5s", cfg.IdleTimeout)
	}
}

func TestLoadEmptyDataDir(t *testing.T) {
	_, _, err := load(t, "data_dir: ''\n", nil)
	if err == nil || err.Error() != "data_dir: must not be empty" {
		t.Errorf("Load() error = %v, want data_dir: must not be empty", err)
	}
}

func TestLoadReturnsConfigWithValidationError(t *testing.T) {
	cfg, _, err := load(t, "", nil, "--log-level", "loud")
	if err == nil || !strings.HasPrefix(err.Error(), "log_level: ") {
		t.Fatalf("Load() error = %v, want a log_level error", err)
	}
	if cfg.LogLevel != "loud" || effective(t, cfg, "log_level").Source != "flag" {
		t.Errorf("Load() config = %+v, want the loaded values", cfg)
	}
}
