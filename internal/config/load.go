package config

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// Load defines a flag for every setting on fs, plus --config, parses args
// with fs and returns the effective configuration with the warnings found
// on the way. fs must not define those flags already. Positional arguments
// are left in fs.Args(). getenv reads the environment (os.Getenv in
// production).
//
// Values are taken, each overriding the one before, from the defaults, the
// YAML file named by --config or else CONFIDE_CONFIG, the CONFIDE_*
// environment variables (an empty variable counts as unset) and the flags
// given in args. Relative paths are then made absolute against the working
// directory, and root_key_file, tls_cert_file and tls_key_file default to
// files in data_dir.
//
// Warnings name ignored environment variables: CONFIDE_* variables that
// are not settings (CONFIDE_TEST_* excepted) and aliases overridden by the
// canonical name. They never include values.
//
// A flag, file or environment error returns a zero Config. A Validate
// error returns the loaded Config with it, so that it can be shown.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (Config, []string, error) {
	values := registerFlags(fs)
	if err := fs.Parse(args); err != nil {
		return Config{}, nil, err
	}
	wd, err := os.Getwd()
	if err != nil {
		return Config{}, nil, fmt.Errorf("config: resolving relative paths: %w", err)
	}
	cfg := defaults()
	prov := &provenance{sources: make(map[string]source)}

	path, given := configFile(fs)
	prov.fileSource = sourceFlag
	if !given {
		path, prov.fileSource = getenv(configEnv), sourceEnv
	}
	if path != "" {
		path = absolute(wd, path)
		if err := loadFile(&cfg, prov, path); err != nil {
			return Config{}, nil, err
		}
		prov.file = path
	}
	warnings, err := applyEnv(&cfg, prov, getenv)
	if err != nil {
		return Config{}, warnings, err
	}
	if err := applyFlags(&cfg, prov, values); err != nil {
		return Config{}, warnings, err
	}
	cfg.resolvePaths(prov, wd)
	cfg.prov = prov
	warnings = append(warnings, cfg.Identity.warnings()...)
	return cfg, warnings, cfg.Validate()
}

// resolvePaths makes every path absolute against the working directory wd,
// including those in sqlite: and file: URLs, and derives the defaults of the
// files kept in data_dir.
func (c *Config) resolvePaths(prov *provenance, wd string) {
	c.DataDir = absolute(wd, c.DataDir)
	for _, f := range []struct {
		key   string
		field *string
		def   func(dataDir string) string
	}{
		{"root_key_file", &c.RootKeyFile, defaultRootKeyFile},
		{"tls_cert_file", &c.TLSCertFile, defaultTLSCertFile},
		{"tls_key_file", &c.TLSKeyFile, defaultTLSKeyFile},
	} {
		if prov.source(f.key) == sourceDefault {
			*f.field = f.def(c.DataDir)
		}
		*f.field = absolute(wd, *f.field)
	}
	if kind, p, err := parseDatabaseURL(c.DatabaseURL); err == nil && kind == DatabaseSQLite && p != "" {
		c.DatabaseURL = pathURL("sqlite", absolute(wd, p))
	}
	if kind, p, err := parseBlobURL(c.BlobURL); err == nil && kind == BlobFS && p != "" {
		c.BlobURL = pathURL("file", absolute(wd, p))
	}
	c.SIEM.resolvePaths(wd)
	c.Monitor.resolvePaths(wd)
	c.Verification.resolvePaths(wd)
	c.Access.resolvePaths(wd)
}

// absolute returns path made absolute against wd and cleaned; "" stays "".
func absolute(wd, path string) string {
	switch {
	case path == "":
		return ""
	case filepath.IsAbs(path):
		return filepath.Clean(path)
	}
	return filepath.Join(wd, path)
}
