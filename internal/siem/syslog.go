package siem

import (
	"strconv"
	"strings"
)

// syslogTime is the layout of RFC 5424 timestamps written here (UTC,
// microseconds: the most RFC 5424 allows).
const syslogTime = "2006-01-02T15:04:05.000000Z"

// SyslogHeader holds the RFC 5424 header fields that describe the sender.
type SyslogHeader struct {
	Hostname string // the node's host name ("-" if empty)
	AppName  string // "confide"
	ProcID   string // the process id
}

// facilityLogAudit is the syslog facility of every message: 13, log audit.
const facilityLogAudit = 13

// sdID names Confide's structured-data element. 32473 is the private
// enterprise number reserved for documentation (RFC 5612); receivers only
// need the name to be stable.
const sdID = "confide@32473"

// syslogSeverity maps OCSF severities to syslog severities.
var syslogSeverity = map[int]int{
	severityUnknown:       6, // informational
	severityInformational: 6,
	severityLow:           5, // notice
	severityMedium:        4, // warning
	severityHigh:          3, // error
	severityCritical:      2, // critical
}

// FormatSyslog returns r as an RFC 5424 message whose MSG is its CEF line:
//
//	<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [confide@32473 index="N"] CEF:0|...
//
// PRI is facility log audit (13) with a severity from the event's, the
// timestamp is the event time in UTC with microseconds, MSGID is the event
// code and the structured data carries the audit index. Header fields are
// reduced to printable US-ASCII and cut to their RFC 5424 lengths.
func FormatSyslog(r Record, p Product, h SyslogHeader) []byte {
	e := r.Event
	c := classify(e.Action)
	pri := facilityLogAudit*8 + syslogSeverity[severity(c.class, e)]
	var b strings.Builder
	b.WriteByte('<')
	b.WriteString(strconv.Itoa(pri))
	b.WriteString(">1 ")
	b.WriteString(e.Time.UTC().Format(syslogTime))
	for _, f := range []struct {
		v   string
		max int
	}{{h.Hostname, 255}, {h.AppName, 48}, {h.ProcID, 128}, {e.Code, 32}} {
		b.WriteByte(' ')
		b.WriteString(headerField(f.v, f.max))
	}
	b.WriteString(` [` + sdID + ` index="`)
	b.WriteString(strconv.FormatInt(r.Seq, 10))
	b.WriteString(`"] `)
	b.WriteString(FormatCEF(r, p))
	return []byte(b.String())
}

// headerField returns s as an RFC 5424 header field: printable US-ASCII
// (other bytes become '_'), at most max bytes, "-" (the nil value) if
// empty.
func headerField(s string, max int) string {
	if s == "" {
		return "-"
	}
	if len(s) > max {
		s = s[:max]
	}
	return strings.Map(func(r rune) rune {
		if r < 33 || r > 126 {
			return '_'
		}
		return r
	}, s)
}

// AppendOctetCounted appends msg framed by octet counting (RFC 6587
// section 3.4.1, as RFC 5425 requires for TLS): its length in decimal, a
// space, then msg.
func AppendOctetCounted(dst, msg []byte) []byte {
	dst = strconv.AppendInt(dst, int64(len(msg)), 10)
	dst = append(dst, ' ')
	return append(dst, msg...)
}
