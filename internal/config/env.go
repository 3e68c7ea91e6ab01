package config

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// configEnv names the config file when --config is not given.
const configEnv = envPrefix + "CONFIG"

// testEnvPrefix starts variables reserved for Confide's own tests, which
// are never reported as unknown settings.
const testEnvPrefix = envPrefix + "TEST_"

// applyEnv applies the settings found through getenv to c. An empty
// variable counts as unset. It returns warnings for ignored variables.
func applyEnv(c *Config, prov *provenance, getenv func(string) string) ([]string, error) {
	var warnings []string
	var errs []error
	for _, s := range settings {
		name, raw := "", ""
		for _, n := range s.env {
			v := getenv(n)
			switch {
			case v == "":
			case name == "":
				name, raw = n, v
			case v != raw:
				warnings = append(warnings, fmt.Sprintf("%s is ignored because %s is also set", n, name))
			}
		}
		if name == "" {
			continue
		}
		if err := s.set(c, raw); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		prov.sources[s.key] = sourceEnv
	}
	warnings = append(warnings, unknownEnv(getenv)...)
	return warnings, errors.Join(errs...)
}

// unknownEnv returns a warning, sorted by name, for each non-empty
// CONFIDE_* variable of the process environment that names no setting.
// Variables count only if getenv reports them, so that a caller's getenv
// decides what the environment is; CONFIDE_TEST_* variables are skipped.
func unknownEnv(getenv func(string) string) []string {
	known := []string{configEnv}
	for _, s := range settings {
		known = append(known, s.env...)
	}
	var names []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, envPrefix) && !strings.HasPrefix(name, testEnvPrefix) &&
			!slices.Contains(known, name) && !slices.Contains(names, name) && getenv(name) != "" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	warnings := make([]string, 0, len(names))
	for _, name := range names {
		msg := name + " is not a Confide setting and is ignored"
		if guess := closest(name, known); guess != "" {
			msg += " (did you mean " + guess + "?)"
		}
		warnings = append(warnings, msg)
	}
	return warnings
}
