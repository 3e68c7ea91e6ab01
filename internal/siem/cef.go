package siem

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// cefSeverity maps OCSF severities to CEF's 0-10 scale (Low 0-3,
// Medium 4-6, High 7-8, Very-High 9-10).
var cefSeverity = map[int]int{
	severityUnknown:       0,
	severityInformational: 1,
	severityLow:           3,
	severityMedium:        5,
	severityHigh:          7,
	severityCritical:      9,
}

// FormatCEF returns r as one ArcSight Common Event Format line:
//
//	CEF:0|<vendor>|<product>|<version>|<event code>|<action>|<severity>|<extension>
//
// with the header escaped by EscapeCEFHeader and the extension values by
// EscapeCEFValue. The extension holds rt (event time, ms), externalId (the
// audit index), cat (the OCSF class), act, outcome, reason, suid (actor id),
// src (client IP), cs1 resource, cs2 request id, cs3 roles and cs4 details
// (JSON), each custom string with its label; empty values are left out.
// The line contains no CR or LF.
func FormatCEF(r Record, p Product) string {
	e := r.Event
	c := classify(e.Action)
	var b strings.Builder
	b.WriteString("CEF:0")
	for _, h := range []string{p.Vendor, p.Name, p.Version, e.Code, e.Action,
		strconv.Itoa(cefSeverity[severity(c.class, e)])} {
		b.WriteByte('|')
		b.WriteString(EscapeCEFHeader(h))
	}
	b.WriteByte('|')
	first := true
	ext := func(key, value string) {
		if value == "" {
			return
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		b.WriteString(key)
		b.WriteByte('=')
		b.WriteString(EscapeCEFValue(value))
	}
	ext("rt", strconv.FormatInt(millis(e.Time), 10))
	ext("externalId", strconv.FormatInt(r.Seq, 10))
	ext("cat", c.class.Name)
	ext("act", e.Action)
	ext("outcome", string(e.Outcome))
	ext("reason", e.Reason)
	ext("suid", e.ActorID)
	if ip, err := netip.ParseAddr(e.Origin); err == nil {
		ext("src", ip.String())
	}
	custom := func(n int, label, value string) {
		if value == "" {
			return
		}
		ext("cs"+strconv.Itoa(n)+"Label", label)
		ext("cs"+strconv.Itoa(n), value)
	}
	custom(1, "resource", e.Resource)
	custom(2, "requestId", e.RequestID)
	custom(3, "roles", strings.Join(e.Roles, ","))
	if len(e.Details) > 0 {
		if js, err := marshal(e.Details); err == nil {
			custom(4, "details", string(js))
		}
	}
	return b.String()
}

// EscapeCEFHeader escapes a CEF header field: backslash and pipe get a
// backslash; CR and LF, which a header cannot hold, become spaces; each
// byte of invalid UTF-8 becomes U+FFFD.
func EscapeCEFHeader(s string) string {
	if !strings.ContainsAny(s, "\\|\r\n") && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '|':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\r', '\n':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// EscapeCEFValue escapes a CEF extension value: backslash and equals sign
// get a backslash, CR and LF become \r and \n, each byte of invalid UTF-8
// becomes U+FFFD.
func EscapeCEFValue(s string) string {
	if !strings.ContainsAny(s, "\\=\r\n") && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '=':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\r':
			b.WriteString(`\r`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
