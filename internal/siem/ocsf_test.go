package siem_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/siem"
	"github.com/confide-cc/confide/internal/store"
)

// TestOCSFGolden pins the complete OCSF encoding of one event per class.
func TestOCSFGolden(t *testing.T) {
	alert := record(41, "alert.raised", audit.Success, "alert/al-9")
	alert.Event.ActorID, alert.Event.ActorKind, alert.Event.Roles, alert.Event.Origin, alert.Event.RequestID = "system:monitor", "system", nil, "", ""
	alert.Event.Details = map[string]any{"rule": "bulk_access", "severity": "high", "evidence": []any{float64(12), float64(13)}}
	denied := record(7, "token.revoke", audit.Denied, "token/t-55")
	denied.Event.Reason = "forbidden"
	reveal := record(12, "customer.reveal", audit.Success, "customer/c-0d1e")
	reveal.Event.Details = map[string]any{"fields": []any{"phones"}}
	for _, tt := range []struct {
		file string
		rec  siem.Record
	}{
		{"ocsf/authentication.json", record(3, "session.create", audit.Failure, "user/u-7f3a")},
		{"ocsf/account_change.json", denied},
		{"ocsf/api_activity.json", record(5, "keys.rotate", audit.Success, "")},
		{"ocsf/datastore_activity.json", reveal},
		{"ocsf/detection_finding.json", alert},
	} {
		t.Run(tt.file, func(t *testing.T) {
			line, err := siem.MarshalOCSF(tt.rec, product)
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, line, "", "  "); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			golden(t, tt.file, append(pretty.Bytes(), '\n'))
		})
	}
}

// TestOCSFClasses maps every catalogue action, and a few that other
// parts of Confide may add, to its class and activity.
func TestOCSFClasses(t *testing.T) {
	tests := []struct {
		action   string
		class    int
		activity int
	}{
		{"session.create", 3002, 1},
		{"login.verify", 3002, 1},
		{"session.revoke", 3002, 2},
		{"auth.logout", 3002, 2},
		{"mfa.verify", 3002, 1},
		{"mfa.enroll", 3001, 10},
		{"mfa.reset", 3001, 11},
		{"token.create", 3001, 1},
		{"token.revoke", 3001, 5},
		{"token.list", 6003, 2},
		{"user.lock", 3001, 9},
		{"role.assign", 3001, 7},
		{"containment.lock", 3001, 9},
		{"customer.create", 6005, 6},
		{"customer.read", 6005, 1},
		{"customer.search", 6005, 4},
		{"customer.update", 6005, 2},
		{"customer.reveal", 6005, 1},
		{"customer.erase", 6005, 7},
		{"interaction.create", 6005, 6},
		{"interaction.list", 6005, 8},
		{"recording.upload", 6005, 6},
		{"recording.play", 6005, 1},
		{"attachment.download", 6005, 1},
		{"alert.raised", 2004, 1},
		{"alert.ack", 2004, 2},
		{"alert.resolve", 2004, 3},
		{"monitor.rule.fire", 2004, 1},
		{"alert.list", 6003, 2},
		{"keys.rotate", 6003, 3},
		{"system.start", 6003, 3},
		{"request.denied", 6003, 99},
		{"audit.export", 6003, 2},
		{"audit.tamper", 6003, 99},
		{"honey.create", 6003, 1},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			ev := siem.MapOCSF(record(1, tt.action, audit.Success, ""), product)
			if ev.ClassUID != tt.class || ev.ActivityID != tt.activity {
				t.Errorf("class %d activity %d, want %d %d", ev.ClassUID, ev.ActivityID, tt.class, tt.activity)
			}
			if ev.TypeUID != ev.ClassUID*100+ev.ActivityID || ev.CategoryUID != ev.ClassUID/1000 {
				t.Errorf("type_uid %d, category_uid %d do not follow class %d", ev.TypeUID, ev.CategoryUID, ev.ClassUID)
			}
		})
	}
	for action := range audit.Catalogue {
		ev := siem.MapOCSF(record(1, action, audit.Success, ""), product)
		if ev.ActivityName == "" || ev.ClassName == "" || ev.Message == "" {
			t.Errorf("%s: incomplete mapping %+v", action, ev)
		}
	}
}

// TestOCSFSeverityAndStatus covers outcomes and fixed severities.
func TestOCSFSeverityAndStatus(t *testing.T) {
	finding := func(sev any) siem.Record {
		r := record(1, "alert.raised", audit.Success, "alert/a1")
		r.Event.Details = map[string]any{"severity": sev}
		return r
	}
	tests := []struct {
		name             string
		rec              siem.Record
		severity, status int
	}{
		{"success", record(1, "customer.read", audit.Success, "customer/c1"), 1, 1},
		{"not found", record(1, "customer.read", audit.NotFound, "customer/c1"), 2, 2},
		{"invalid", record(1, "customer.create", audit.Invalid, ""), 2, 2},
		{"denied", record(1, "customer.read", audit.Denied, "customer/c1"), 3, 2},
		{"failure", record(1, "session.create", audit.Failure, ""), 3, 2},
		{"tamper", record(1, "audit.tamper", audit.Failure, "node"), 5, 2},
		{"containment", record(1, "containment.lock", audit.Success, "user/u1"), 4, 1},
		{"critical finding", finding("CRITICAL"), 5, 1},
		{"finding without severity", finding(nil), 3, 1},
		{"finding with a bad severity", finding(7), 3, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := siem.MapOCSF(tt.rec, product)
			if ev.SeverityID != tt.severity || ev.StatusID != tt.status {
				t.Errorf("severity %d status %d, want %d %d", ev.SeverityID, ev.StatusID, tt.severity, tt.status)
			}
		})
	}
}

// TestOCSFNoInvalidOrigin keeps a malformed origin out of src_endpoint.
func TestOCSFNoInvalidOrigin(t *testing.T) {
	r := record(1, "customer.read", audit.Success, "customer/c1")
	r.Event.Origin = "not an ip"
	if ev := siem.MapOCSF(r, product); ev.SrcEndpoint != nil {
		t.Errorf("src_endpoint = %+v", ev.SrcEndpoint)
	}
}

// TestFromAudit decodes stored records, including a body that does not
// decode, which falls back on the search columns.
func TestFromAudit(t *testing.T) {
	ev := audit.Event{Code: "CF-2002", Action: "customer.read", Time: eventTime, ActorID: "u1", Resource: "customer/c1", Outcome: audit.Success}
	body, err := audit.Canonical(ev)
	if err != nil {
		t.Fatal(err)
	}
	got := siem.FromAudit(store.AuditRecord{Seq: 9, Time: eventTime, Body: body})
	if got.Seq != 9 || got.Event.Action != "customer.read" || !got.Event.Time.Equal(eventTime) {
		t.Errorf("FromAudit = %+v", got)
	}
	bad := siem.FromAudit(store.AuditRecord{Seq: 10, Time: eventTime, Body: []byte("{"),
		Actor: "u2", Action: "token.list", Resource: "token", Outcome: "success"})
	want := audit.Event{Code: "CF-1004", Action: "token.list", Time: eventTime, ActorID: "u2", Resource: "token", Outcome: audit.Success}
	if bad.Seq != 10 || !equalEvents(bad.Event, want) {
		t.Errorf("FromAudit(bad body) = %+v, want %+v", bad.Event, want)
	}
}

func equalEvents(a, b audit.Event) bool {
	ja, _ := audit.Canonical(a)
	jb, _ := audit.Canonical(b)
	return bytes.Equal(ja, jb)
}

// TestOCSFCarriesNoFreeText checks that everything in an OCSF event comes
// from the event's ids, the catalogue or fixed names: the exporter adds
// no text of its own that could carry personal data.
func TestOCSFCarriesNoFreeText(t *testing.T) {
	r := record(77, "customer.update", audit.Success, "customer/c-1")
	line, err := siem.MarshalOCSF(r, product)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatal(err)
	}
	var strs []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case string:
			strs = append(strs, v)
		}
	}
	walk(m)
	allowed := []string{"u-7f3a", "c-1", "customer/c-1", "192.0.2.10", "req-01", "agent", "77", "CF-2004",
		"customer.update", "success", "Confide", "v1.2.3", siem.OCSFVersion, "User", audit.Catalogue["customer.update"].Description}
	for _, s := range strs {
		if slices.Contains(allowed, s) {
			continue
		}
		if strings.ContainsAny(s, "0123456789@") {
			t.Errorf("unexpected value %q in %s", s, line)
		}
	}
}
