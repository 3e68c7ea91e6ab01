package config

import (
	"log/slog"
	"strings"
)

// source tells which layer a setting's value came from.
type source uint8

// The layers, in increasing order of precedence.
const (
	sourceDefault source = iota
	sourceFile
	sourceEnv
	sourceFlag
)

func (s source) String() string {
	return [...]string{"default", "file", "env", "flag"}[s]
}

// provenance records where Load found each value. It is never modified
// once Load returns.
type provenance struct {
	file       string            // absolute path of the config file read; "" if none
	fileSource source            // where the file's path came from
	sources    map[string]source // by setting key; absent means default
}

func (p *provenance) source(key string) source {
	if p == nil {
		return sourceDefault
	}
	return p.sources[key]
}

// Effective returns the config file read (key "config", empty when none)
// followed by every setting, in a stable order, with its formatted value and
// its source: "default", "file", "env" or "flag". An empty database_url or
// blob_url is shown as the URL it stands for. Passwords in URLs, and the
// values of credential-like URL parameters, are replaced by "***".
func (c Config) Effective() []Setting {
	out := make([]Setting, 0, 1+len(settings))
	file := Setting{Key: "config", Source: sourceDefault.String()}
	if c.prov != nil && c.prov.file != "" {
		file.Value, file.Source = c.prov.file, c.prov.fileSource.String()
	}
	out = append(out, file)
	for _, s := range settings {
		v := s.format(&c)
		if v == "" && s.implicit != nil {
			v = s.implicit(&c)
		}
		out = append(out, Setting{Key: s.key, Value: v, Source: c.prov.source(s.key).String()})
	}
	return out
}

// String formats the effective settings as key=value pairs with
// credentials hidden, so that printing a Config cannot leak them.
func (c Config) String() string {
	var b strings.Builder
	for i, s := range c.Effective() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.Key + "=" + s.Value)
	}
	return b.String()
}

// LogValue implements slog.LogValuer: a group of the effective settings
// with credentials hidden.
func (c Config) LogValue() slog.Value {
	settings := c.Effective()
	attrs := make([]slog.Attr, len(settings))
	for i, s := range settings {
		attrs[i] = slog.String(s.Key, s.Value)
	}
	return slog.GroupValue(attrs...)
}
