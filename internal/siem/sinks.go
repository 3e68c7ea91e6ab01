package siem

import (
	"github.com/confide-cc/confide/internal/config"
)

// NewSinks builds the sinks c configures (none if c.Enabled() is false),
// in the order file, HTTP, syslog.
func NewSinks(c config.SIEMConfig, p Product) ([]Sink, error) {
	var sinks []Sink
	if c.File != "" {
		sinks = append(sinks, NewFileSink(c.File, p))
	}
	if c.HTTPURL != "" {
		s, err := NewHTTPSink(HTTPConfig{URL: c.HTTPURL, AuthHeader: c.HTTPAuthHeader, AuthValue: c.HTTPAuth, CAFile: c.HTTPCAFile}, p)
		if err != nil {
			return nil, err
		}
		sinks = append(sinks, s)
	}
	if c.SyslogURL != "" {
		s, err := NewSyslogSink(SyslogConfig{URL: c.SyslogURL, CAFile: c.SyslogCAFile, Header: DefaultSyslogHeader()}, p)
		if err != nil {
			return nil, err
		}
		sinks = append(sinks, s)
	}
	return sinks, nil
}
