package siem

import (
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"

	"github.com/confide-cc/confide/internal/audit"
)

// OCSFVersion is the OCSF schema version events are written in.
const OCSFVersion = "1.3.0"

// OCSFEvent is one audit record as an OCSF event. Fields a class does not
// define stay empty and are omitted; Confide's own fields go to Unmapped.
type OCSFEvent struct {
	ClassUID     int           `json:"class_uid"`
	ClassName    string        `json:"class_name"`
	CategoryUID  int           `json:"category_uid"`
	CategoryName string        `json:"category_name"`
	ActivityID   int           `json:"activity_id"`
	ActivityName string        `json:"activity_name"`
	TypeUID      int           `json:"type_uid"` // ClassUID*100 + ActivityID
	TypeName     string        `json:"type_name"`
	SeverityID   int           `json:"severity_id"`
	Severity     string        `json:"severity"`
	Time         int64         `json:"time"` // milliseconds since the epoch
	StatusID     int           `json:"status_id"`
	Status       string        `json:"status"`
	StatusCode   string        `json:"status_code,omitempty"`   // the audit outcome
	StatusDetail string        `json:"status_detail,omitempty"` // the machine-readable reason
	Message      string        `json:"message,omitempty"`       // the catalogue's description of the event
	Metadata     OCSFMetadata  `json:"metadata"`
	Actor        *OCSFActor    `json:"actor,omitempty"`
	SrcEndpoint  *OCSFEndpoint `json:"src_endpoint,omitempty"`
	// User is the account authenticated (Authentication) or changed
	// (Account Change).
	User        *OCSFUser        `json:"user,omitempty"`
	API         *OCSFAPI         `json:"api,omitempty"`
	Resources   []OCSFResource   `json:"resources,omitempty"`
	FindingInfo *OCSFFindingInfo `json:"finding_info,omitempty"`
	Unmapped    OCSFUnmapped     `json:"unmapped"`
}

// OCSFMetadata is the OCSF metadata object.
type OCSFMetadata struct {
	Version        string      `json:"version"`
	Product        OCSFProduct `json:"product"`
	UID            string      `json:"uid"`                       // the audit index: the key to deduplicate on
	EventCode      string      `json:"event_code"`                // the Confide event code, e.g. CF-2002
	CorrelationUID string      `json:"correlation_uid,omitempty"` // the request id
}

// OCSFProduct is the OCSF product object.
type OCSFProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version"`
}

// OCSFActor is the OCSF actor object.
type OCSFActor struct {
	User OCSFUser `json:"user"`
}

// OCSFUser is the OCSF user object, by id only.
type OCSFUser struct {
	UID    string `json:"uid"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type,omitempty"`
}

// OCSFEndpoint is the OCSF network endpoint object.
type OCSFEndpoint struct {
	IP string `json:"ip"`
}

// OCSFAPI is the OCSF api object.
type OCSFAPI struct {
	Operation string          `json:"operation"`
	Request   *OCSFAPIRequest `json:"request,omitempty"`
	Service   OCSFService     `json:"service"`
}

// OCSFAPIRequest is the OCSF request object.
type OCSFAPIRequest struct {
	UID string `json:"uid"`
}

// OCSFService is the OCSF service object.
type OCSFService struct {
	Name string `json:"name"`
}

// OCSFResource is the OCSF resource details object.
type OCSFResource struct {
	UID  string `json:"uid"`
	Type string `json:"type"`
}

// OCSFFindingInfo is the OCSF finding information object.
type OCSFFindingInfo struct {
	UID      string        `json:"uid"`
	Title    string        `json:"title"`
	Desc     string        `json:"desc,omitempty"`
	Analytic *OCSFAnalytic `json:"analytic,omitempty"`
}

// OCSFAnalytic is the OCSF analytic object (the detection rule).
type OCSFAnalytic struct {
	Name   string `json:"name"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type"`
}

// OCSFUnmapped holds the audit event's fields that OCSF has no place for.
type OCSFUnmapped struct {
	Code     string         `json:"code"`
	Action   string         `json:"action"`
	Resource string         `json:"resource,omitempty"`
	Roles    []string       `json:"roles,omitempty"`
	Details  map[string]any `json:"details,omitempty"`
}

// MapOCSF maps r to its OCSF event (see docs/SIEM.md for the mapping).
func MapOCSF(r Record, p Product) OCSFEvent {
	e := r.Event
	c := classify(e.Action)
	sev := severity(c.class, e)
	out := OCSFEvent{
		ClassUID:     c.class.UID,
		ClassName:    c.class.Name,
		CategoryUID:  c.class.CategoryUID,
		CategoryName: c.class.CategoryName,
		ActivityID:   c.activity.id,
		ActivityName: c.activity.name,
		TypeUID:      c.class.UID*100 + c.activity.id,
		TypeName:     c.class.Name + ": " + c.activity.name,
		SeverityID:   sev,
		Severity:     severityNames[sev],
		Time:         millis(e.Time),
		StatusCode:   string(e.Outcome),
		StatusDetail: e.Reason,
		Message:      audit.Catalogue[e.Action].Description,
		Metadata: OCSFMetadata{
			Version:        OCSFVersion,
			Product:        OCSFProduct{Name: p.Name, VendorName: p.Vendor, Version: p.Version},
			UID:            strconv.FormatInt(r.Seq, 10),
			EventCode:      e.Code,
			CorrelationUID: e.RequestID,
		},
		Unmapped: OCSFUnmapped{Code: e.Code, Action: e.Action, Resource: e.Resource, Roles: e.Roles, Details: e.Details},
	}
	out.StatusID, out.Status = status(c.class, c.activity, e.Outcome)
	if e.ActorID != "" {
		out.Actor = &OCSFActor{User: actorUser(e.ActorID, e.ActorKind)}
	}
	if ip, err := netip.ParseAddr(e.Origin); err == nil {
		out.SrcEndpoint = &OCSFEndpoint{IP: ip.String()}
	}
	resType, resID := splitResource(e.Resource)
	switch c.class {
	case ClassAuthentication, ClassAccountChange:
		if resType == "user" || resType == "token" || resType == "account" {
			out.User = &OCSFUser{UID: resID, TypeID: 99, Type: resType}
		} else if out.Actor != nil {
			u := out.Actor.User
			out.User = &u
		}
	case ClassAPIActivity, ClassDatastoreActivity:
		out.API = &OCSFAPI{Operation: e.Action, Service: OCSFService{Name: p.Name}}
		if e.RequestID != "" {
			out.API.Request = &OCSFAPIRequest{UID: e.RequestID}
		}
	}
	if (c.class == ClassAPIActivity || c.class == ClassDetectionFinding) && resID != "" {
		out.Resources = []OCSFResource{{UID: resID, Type: resType}}
	}
	if c.class == ClassDetectionFinding {
		out.FindingInfo = findingInfo(r, resType, resID)
	}
	return out
}

// MarshalOCSF returns the JSON encoding of MapOCSF(r, p), without HTML
// escaping and without a trailing newline.
func MarshalOCSF(r Record, p Product) ([]byte, error) {
	return marshal(MapOCSF(r, p))
}

func marshal(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}

// status returns the OCSF status of an event: for findings the finding's
// state (New, In Progress, Resolved), for other classes Success or Failure.
func status(c Class, a activity, o audit.Outcome) (int, string) {
	if c == ClassDetectionFinding {
		switch a.id {
		case 1:
			return 1, "New"
		case 2:
			return 2, "In Progress"
		case 3:
			return 4, "Resolved"
		}
		return 99, "Other"
	}
	switch o {
	case audit.Success:
		return 1, "Success"
	case "":
		return 0, "Unknown"
	default:
		return 2, "Failure"
	}
}

// actorUser describes the acting principal: OCSF user types are User (1,
// people), System (3) and Other (99, service accounts).
func actorUser(id, kind string) OCSFUser {
	switch kind {
	case "human":
		return OCSFUser{UID: id, TypeID: 1, Type: "User"}
	case "system":
		return OCSFUser{UID: id, TypeID: 3, Type: "System"}
	case "":
		return OCSFUser{UID: id, TypeID: 0, Type: "Unknown"}
	default:
		return OCSFUser{UID: id, TypeID: 99, Type: kind}
	}
}

// splitResource splits "customer/<id>" into its type and id; a resource
// without a slash ("node") is a type without id.
func splitResource(resource string) (typ, id string) {
	typ, id, _ = strings.Cut(resource, "/")
	return typ, id
}

// findingInfo describes an alert: its id (the alert's resource id, else
// the audit index), the rule that raised it and the catalogue description.
func findingInfo(r Record, resType, resID string) *OCSFFindingInfo {
	e := r.Event
	fi := &OCSFFindingInfo{UID: resID, Title: audit.Catalogue[e.Action].Description}
	if fi.UID == "" || resType != "alert" {
		fi.UID = "audit-" + strconv.FormatInt(r.Seq, 10)
	}
	if rule, ok := e.Details["rule"].(string); ok && rule != "" {
		fi.Title = rule
		fi.Desc = audit.Catalogue[e.Action].Description
		fi.Analytic = &OCSFAnalytic{Name: rule, TypeID: 1, Type: "Rule"}
	}
	return fi
}
