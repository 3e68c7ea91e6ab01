// Package authz decides whether a principal may perform an action. The
// decision is a pure function of its inputs: no I/O, no clock, no globals
// that change at run time.
//
// This is the interim least-privilege table of the core server. The
// policy-based engine (Cedar policies with conditions on team, active
// interaction, caller verification, working hours, networks and training)
// replaces Table later without changing callers: they ask Decide and get a
// Decision with a machine-readable reason.
package authz

import (
	"slices"

	"github.com/confide-cc/confide/internal/identity"
)

// Action names what a principal wants to do. Values are stable: they appear
// in audit events and denial reasons.
type Action string

// Actions of the core server.
const (
	CustomerCreate    Action = "customer.create"
	CustomerRead      Action = "customer.read" // masked profile
	CustomerSearch    Action = "customer.search"
	CustomerUpdate    Action = "customer.update"
	CustomerReveal    Action = "customer.reveal" // clear values, per field (see RevealFields)
	CustomerErase     Action = "customer.erase"
	InteractionCreate Action = "interaction.create"
	InteractionRead   Action = "interaction.read"
	InteractionList   Action = "interaction.list"
	RecordingUpload   Action = "recording.upload"
	RecordingPlay     Action = "recording.play"
	// RecordingPlayOriginal fetches the unredacted original of a redacted
	// recording (kept only when configured), with a reason.
	RecordingPlayOriginal Action = "recording.play_original"
	AttachmentDownload    Action = "attachment.download"
	TokenManage           Action = "token.manage"
	KeysRotate            Action = "keys.rotate"
	AuditRead             Action = "audit.read"   // checkpoints, entries, proofs
	AuditSearch           Action = "audit.search" // event search
	UserManage            Action = "user.manage"  // create, list and disable users; end anyone's sessions
	SessionOwn            Action = "session.own"  // see, list and end one's own interactive sessions
	AlertList             Action = "alert.list"   // detection alerts
	AlertAck              Action = "alert.ack"
	HoneyCreate           Action = "honey.create" // canary customer records
)

// Table maps each action to the roles allowed to perform it. Anything not
// listed is denied (default deny).
var Table = map[Action][]string{
	CustomerCreate:        {identity.RoleIntegration, identity.RoleAgent, identity.RoleSupervisor},
	CustomerRead:          {identity.RoleIntegration, identity.RoleAgent, identity.RoleSupervisor, identity.RoleQAAnalyst, identity.RolePrivacyOfficer},
	CustomerSearch:        {identity.RoleIntegration, identity.RoleAgent, identity.RoleSupervisor, identity.RolePrivacyOfficer},
	CustomerUpdate:        {identity.RoleIntegration, identity.RoleAgent, identity.RoleSupervisor, identity.RolePrivacyOfficer},
	CustomerReveal:        {identity.RoleAgent, identity.RoleSupervisor, identity.RolePrivacyOfficer},
	CustomerErase:         {identity.RolePrivacyOfficer},
	InteractionCreate:     {identity.RoleIntegration, identity.RoleAgent, identity.RoleSupervisor},
	InteractionRead:       {identity.RoleAgent, identity.RoleSupervisor, identity.RoleQAAnalyst},
	InteractionList:       {identity.RoleIntegration, identity.RoleAgent, identity.RoleSupervisor, identity.RoleQAAnalyst, identity.RolePrivacyOfficer},
	RecordingUpload:       {identity.RoleIntegration},
	RecordingPlay:         {identity.RoleAgent, identity.RoleSupervisor, identity.RoleQAAnalyst},
	RecordingPlayOriginal: {identity.RolePrivacyOfficer},
	AttachmentDownload:    {identity.RoleAgent, identity.RoleSupervisor, identity.RoleQAAnalyst},
	TokenManage:           {identity.RoleSecurityAdmin},
	KeysRotate:            {identity.RoleITSupport, identity.RoleSecurityAdmin},
	AuditRead:             {identity.RoleAuditor},
	AuditSearch:           {identity.RoleAuditor},
	UserManage:            {identity.RoleSecurityAdmin},
	SessionOwn:            {identity.RoleAgent, identity.RoleSupervisor, identity.RoleQAAnalyst, identity.RolePrivacyOfficer, identity.RoleSecurityAdmin, identity.RoleAuditor, identity.RoleITSupport},
	AlertList:             {identity.RoleSecurityAdmin},
	AlertAck:              {identity.RoleSecurityAdmin},
	HoneyCreate:           {identity.RoleSecurityAdmin},
}

// RevealFields maps each role to the profile fields it may reveal in clear.
// Roles absent here reveal nothing.
var RevealFields = map[string][]string{
	identity.RoleAgent:          {"name", "phones", "emails", "address", "date_of_birth"},
	identity.RoleSupervisor:     {"name", "phones", "emails", "address", "date_of_birth", "account_numbers"},
	identity.RolePrivacyOfficer: {"name", "phones", "emails", "address", "date_of_birth", "account_numbers", "attributes"},
}

// Decision is the outcome of an authorization check.
type Decision struct {
	Allow bool
	// Reason is a stable machine-readable explanation of a denial (for
	// example "role_not_permitted"), empty when allowed.
	Reason string
}

// Reasons for denial.
const (
	ReasonNoPrincipal       = "unauthenticated"
	ReasonRoleNotPermitted  = "role_not_permitted"
	ReasonFieldNotPermitted = "field_not_permitted"
	ReasonUnknownAction     = "unknown_action"
)

// Decide reports whether p may perform a.
func Decide(p identity.Principal, a Action) Decision {
	if p.ID == "" {
		return Decision{Reason: ReasonNoPrincipal}
	}
	allowed, ok := Table[a]
	if !ok {
		return Decision{Reason: ReasonUnknownAction}
	}
	for _, r := range p.Roles {
		if slices.Contains(allowed, r) {
			return Decision{Allow: true}
		}
	}
	return Decision{Reason: ReasonRoleNotPermitted}
}

// DecideReveal reports whether p may reveal every one of fields in clear.
// It denies the whole request if any field is not permitted.
func DecideReveal(p identity.Principal, fields []string) Decision {
	if d := Decide(p, CustomerReveal); !d.Allow {
		return d
	}
	for _, f := range fields {
		permitted := false
		for _, r := range p.Roles {
			if slices.Contains(RevealFields[r], f) {
				permitted = true
				break
			}
		}
		if !permitted {
			return Decision{Reason: ReasonFieldNotPermitted}
		}
	}
	return Decision{Allow: true}
}
