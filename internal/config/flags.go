package config

import (
	"flag"
	"fmt"
)

// configFlag names the flag that gives the config file.
const configFlag = "config"

// flagValue is the flag.Value of one setting. Set checks the syntax of the
// value at once, so that the flag package reports the faulty flag; the
// value is applied to the Config after the file and environment layers.
type flagValue struct {
	setting *setting
	def     string // default shown by the flag package's help
	raw     string
	set     bool
}

// String returns the value given on the command line, or the default.
func (v *flagValue) String() string {
	if v.set {
		return v.raw
	}
	return v.def
}

// Set checks raw and records it.
func (v *flagValue) Set(raw string) error {
	var scratch Config
	if err := v.setting.set(&scratch, raw); err != nil {
		return err
	}
	v.raw, v.set = raw, true
	return nil
}

// IsBoolFlag lets boolean settings be given as a bare --name.
func (v *flagValue) IsBoolFlag() bool {
	if v.setting == nil {
		return false
	}
	_, ok := v.setting.field(&Config{}).(*bool)
	return ok
}

// registerFlags defines a flag for every setting, and --config, on fs.
func registerFlags(fs *flag.FlagSet) []*flagValue {
	def := defaults()
	values := make([]*flagValue, len(settings))
	for i, s := range settings {
		v := &flagValue{setting: s}
		if !v.IsBoolFlag() {
			v.def = s.format(&def)
		}
		values[i] = v
		fs.Var(v, s.flag, fmt.Sprintf("%s (env %s)", s.usage, s.env[0]))
	}
	fs.String(configFlag, "", fmt.Sprintf("YAML config `file` (env %s)", configEnv))
	return values
}

// configFile returns the --config value and whether it was given.
func configFile(fs *flag.FlagSet) (path string, given bool) {
	fs.Visit(func(f *flag.Flag) {
		if f.Name == configFlag {
			path, given = f.Value.String(), true
		}
	})
	return path, given
}

// applyFlags applies the settings given on the command line to c.
func applyFlags(c *Config, prov *provenance, values []*flagValue) error {
	for _, v := range values {
		if !v.set {
			continue
		}
		if err := v.setting.set(c, v.raw); err != nil {
			return fmt.Errorf("--%s: %w", v.setting.flag, err)
		}
		prov.sources[v.setting.key] = sourceFlag
	}
	return nil
}
