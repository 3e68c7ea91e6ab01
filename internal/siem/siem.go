// Package siem exports Confide's audit log to security information and
// event management systems (SIEMs).
//
// Each audit record is mapped to an OCSF 1.3 event (see MapOCSF) or to a
// CEF line inside an RFC 5424 syslog message (see FormatCEF and
// FormatSyslog), and delivered by a Sink: a JSON-lines file, an HTTP
// endpoint or a syslog receiver over UDP, TCP or TLS. A Runner per node
// feeds every sink from the audit log, at least once and in order: it
// keeps a persistent cursor per sink in the database, advanced only after
// the sink has accepted a batch, and holds a lease on it so that one node
// at a time delivers to a sink. After a crash or a lost lease a batch may
// be delivered twice; every event carries its audit index (OCSF
// metadata.uid, CEF externalId, the syslog structured data) so that a SIEM
// can drop duplicates.
//
// Audit events carry no personal data, and neither does anything derived
// from them here: actors and resources appear by their random ids only.
package siem

import (
	"encoding/json"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/store"
)

// Record is one audit record prepared for export.
type Record struct {
	Seq   int64       // audit index (1-based), unique and stable per installation
	Event audit.Event // the decoded event
}

// Product identifies the exporting software in OCSF metadata and CEF
// headers.
type Product struct {
	Name    string // "Confide"
	Vendor  string // "Confide"
	Version string // the build version, e.g. "v1.2.3" or "dev"
}

// DefaultProduct returns the Confide product description with version.
func DefaultProduct(version string) Product {
	return Product{Name: "Confide", Vendor: "Confide", Version: version}
}

// FromAudit decodes a stored audit record. A body that does not decode
// (which the hash chain would also flag) yields an event rebuilt from the
// record's search columns, so that one bad record cannot stall export.
func FromAudit(r store.AuditRecord) Record {
	var e audit.Event
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Action == "" {
		e = audit.Event{Action: r.Action, ActorID: r.Actor, Resource: r.Resource, Outcome: audit.Outcome(r.Outcome)}
		if def, ok := audit.Catalogue[r.Action]; ok {
			e.Code = def.Code
		}
	}
	if e.Time.IsZero() {
		e.Time = r.Time
	}
	e.Time = e.Time.UTC()
	return Record{Seq: r.Seq, Event: e}
}

// millis is a time as OCSF and CEF want it: milliseconds since the epoch.
func millis(t time.Time) int64 { return t.UnixMilli() }
