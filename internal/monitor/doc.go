// Package monitor detects insiders and attackers in the audit stream and
// contains them.
//
// A Detector is a pure, deterministic state machine: it consumes audit
// events in log order and returns Findings (rule, severity, actor, source
// address, evidence as audit indexes). Its time is the events' time, never
// the wall clock, so that the same stream always yields the same findings
// — which makes fail-over replay, the labeled scenarios of package
// scenario, and benchmarks exact. The one outside input, the GeoIP
// database of impossible_travel, is read into memory once when the
// Detector is created, so lookups depend only on that file's content.
//
// The Engine runs one Detector per installation: nodes compete for a lease
// row (store.Monitor); the holder tails the audit log from a persistent
// cursor, stores each finding as an alert (idempotently, by a dedup key
// derived from the triggering event), audits it (alert.raised), locks the
// actor through a Containment when the rule asks for it (containment.lock),
// and queues a webhook delivery. It snapshots the detector state with the
// cursor; a node that takes over restores the snapshot and replays from
// the cursor, and alerts it raises again are deduplicated.
//
// The Service exposes alerts to security admins (list, acknowledge) and
// creates honey (canary) customer records.
package monitor
