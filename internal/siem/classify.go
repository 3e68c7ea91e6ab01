package siem

import (
	"strings"

	"github.com/confide-cc/confide/internal/audit"
)

// Class is an OCSF event class.
type Class struct {
	UID          int
	Name         string
	CategoryUID  int
	CategoryName string
}

// The OCSF classes Confide's events map to.
var (
	ClassDetectionFinding  = Class{2004, "Detection Finding", 2, "Findings"}
	ClassAccountChange     = Class{3001, "Account Change", 3, "Identity & Access Management"}
	ClassAuthentication    = Class{3002, "Authentication", 3, "Identity & Access Management"}
	ClassAPIActivity       = Class{6003, "API Activity", 6, "Application Activity"}
	ClassDatastoreActivity = Class{6005, "Datastore Activity", 6, "Application Activity"}
)

// activity is an OCSF activity of a class.
type activity struct {
	id   int
	name string
}

// other is the activity of every class for verbs it has no name for.
var other = activity{99, "Other"}

// classification is where an audit action lands in OCSF.
type classification struct {
	class    Class
	activity activity
}

// nouns of actions by the class they map to. An action is noun.verb;
// nouns not listed here are API Activity.
var (
	authenticationNouns = set("auth", "login", "logout", "session", "sso", "mfa")
	accountNouns        = set("token", "user", "role", "account", "group", "containment", "elevation")
	datastoreNouns      = set("customer", "interaction", "recording", "attachment")
	findingNouns        = set("alert", "monitor")
	// readVerbs make alert and account actions plain API reads: listing
	// alerts is not a finding, listing tokens does not change an account.
	readVerbs = set("list", "read", "get", "search", "view", "export")
)

// Activities by class, keyed by the verb of the action.
var (
	authenticationActivities = verbs(
		activity{1, "Logon"}, "login", "logon", "authenticate", "verify", "create", "start", "refresh",
		activity{2, "Logoff"}, "logout", "logoff", "end", "expire", "revoke", "delete",
	)
	accountActivities = verbs(
		activity{1, "Create"}, "create", "add", "invite", "enroll",
		activity{2, "Enable"}, "enable", "activate", "unlock",
		activity{3, "Password Change"}, "password", "password_change",
		activity{4, "Password Reset"}, "reset", "password_reset",
		activity{5, "Disable"}, "disable", "deactivate", "suspend", "revoke",
		activity{6, "Delete"}, "delete", "remove",
		activity{7, "Attach Policy"}, "assign", "grant", "attach", "elevate", "approve",
		activity{8, "Detach Policy"}, "unassign", "detach", "drop",
		activity{9, "Lock"}, "lock",
	)
	mfaFactorActivities = verbs(
		activity{10, "MFA Factor Enable"}, "enroll", "enable", "add",
		activity{11, "MFA Factor Disable"}, "disable", "remove", "reset", "delete",
	)
	datastoreActivities = verbs(
		activity{1, "Read"}, "read", "reveal", "play", "download", "get", "export",
		activity{2, "Update"}, "update", "rectify",
		activity{4, "Query"}, "search", "query",
		activity{6, "Create"}, "create", "upload", "ingest",
		activity{7, "Delete"}, "erase", "delete",
		activity{8, "List"}, "list",
	)
	findingActivities = verbs(
		activity{1, "Create"}, "raised", "raise", "create", "fire", "open",
		activity{2, "Update"}, "ack", "acknowledge", "update", "assign", "escalate",
		activity{3, "Close"}, "close", "resolve", "dismiss",
	)
	apiActivities = verbs(
		activity{1, "Create"}, "create", "add", "upload",
		activity{2, "Read"}, "read", "list", "get", "search", "export", "verify", "view",
		activity{3, "Update"}, "update", "rotate", "rewrap", "set", "start", "stop",
		activity{4, "Delete"}, "delete", "revoke", "erase", "remove",
	)
)

// classify maps an audit action to its OCSF class and activity.
func classify(action string) classification {
	noun, verb := splitAction(action)
	switch {
	case datastoreNouns[noun]:
		return classification{ClassDatastoreActivity, lookup(datastoreActivities, verb)}
	case findingNouns[noun] && !readVerbs[verb]:
		return classification{ClassDetectionFinding, lookup(findingActivities, verb)}
	case noun == "mfa" && mfaFactorActivities[verb] != (activity{}):
		return classification{ClassAccountChange, mfaFactorActivities[verb]}
	case authenticationNouns[noun]:
		return classification{ClassAuthentication, lookup(authenticationActivities, verb)}
	case accountNouns[noun] && !readVerbs[verb]:
		return classification{ClassAccountChange, lookup(accountActivities, verb)}
	default:
		return classification{ClassAPIActivity, lookup(apiActivities, verb)}
	}
}

// splitAction splits noun.verb; a longer action (noun.sub.verb) keeps its
// first part as the noun and its last as the verb.
func splitAction(action string) (noun, verb string) {
	noun, rest, _ := strings.Cut(action, ".")
	if i := strings.LastIndexByte(rest, '.'); i >= 0 {
		rest = rest[i+1:]
	}
	return noun, rest
}

// OCSF severities.
const (
	severityUnknown       = 0
	severityInformational = 1
	severityLow           = 2
	severityMedium        = 3
	severityHigh          = 4
	severityCritical      = 5
)

var severityNames = map[int]string{
	severityUnknown:       "Unknown",
	severityInformational: "Informational",
	severityLow:           "Low",
	severityMedium:        "Medium",
	severityHigh:          "High",
	severityCritical:      "Critical",
}

// actionSeverity raises the severity of actions that always deserve
// attention, whatever their outcome.
var actionSeverity = map[string]int{
	"audit.tamper":     severityCritical,
	"containment.lock": severityHigh,
}

// findingSeverity reads a finding's severity from its "severity" detail.
var findingSeverity = map[string]int{
	"info":          severityInformational,
	"informational": severityInformational,
	"low":           severityLow,
	"medium":        severityMedium,
	"high":          severityHigh,
	"critical":      severityCritical,
}

// severity returns the OCSF severity of e in class c: a finding's own
// severity (Medium if it states none), an action's fixed severity, or one
// derived from the outcome (refusals and failures are Medium).
func severity(c Class, e audit.Event) int {
	if c == ClassDetectionFinding {
		if s, ok := e.Details["severity"].(string); ok {
			if id, ok := findingSeverity[strings.ToLower(s)]; ok {
				return id
			}
		}
		return severityMedium
	}
	if id, ok := actionSeverity[e.Action]; ok {
		return id
	}
	switch e.Outcome {
	case audit.Success:
		return severityInformational
	case audit.NotFound, audit.Invalid:
		return severityLow
	case audit.Denied, audit.Failure:
		return severityMedium
	default:
		return severityUnknown
	}
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// verbs builds a verb → activity table from activities, each followed by
// its verbs.
func verbs(spec ...any) map[string]activity {
	m := map[string]activity{}
	var cur activity
	for _, s := range spec {
		switch v := s.(type) {
		case activity:
			cur = v
		case string:
			m[v] = cur
		}
	}
	return m
}

func lookup(table map[string]activity, verb string) activity {
	if a, ok := table[verb]; ok {
		return a
	}
	return other
}
