// Package authz decides whether a principal may perform an action on a
// resource. Rights are Cedar policies (policies/*.cedar, validated against
// policies/schema.cedarschema), overridable by operators; the server
// computes the facts a decision needs (assignment to a live interaction,
// caller verification, team, working hours, network, training, lock,
// break-glass) and Engine.Decide evaluates the policies over them. The
// decision is a pure function of its inputs: no I/O, no clock.
package authz

import (
	"slices"
	"sync"

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

// AllActions lists every action of the server, sorted.
func AllActions() []Action {
	out := []Action{CustomerCreate, CustomerRead, CustomerSearch, CustomerUpdate, CustomerReveal, CustomerErase,
		InteractionCreate, InteractionRead, InteractionList, RecordingUpload, RecordingPlay, RecordingPlayOriginal,
		AttachmentDownload, TokenManage, KeysRotate, AuditRead, AuditSearch, UserManage, SessionOwn, AlertList,
		AlertAck, HoneyCreate, VerificationStart, VerificationCheck, InteractionEnd, BreakGlassRequest,
		BreakGlassReview, BreakGlassList, UserMFAReset, UserUpdate, UserTraining}
	slices.Sort(out)
	return out
}

// RevealableFields are the profile fields a reveal may name (the
// records.Fields of a profile).
var RevealableFields = []string{"name", "phones", "emails", "address", "date_of_birth", "account_numbers", "attributes"}

// Decision is the outcome of an authorization check.
type Decision struct {
	Allow bool
	// Reason is a stable machine-readable explanation of a denial (for
	// example "role_not_permitted"): the condition that failed. Empty when
	// allowed.
	Reason string
}

// Reasons for denial. Forbid policies name theirs in @reason; these are
// the built-in ones.
const (
	ReasonNoPrincipal       = "unauthenticated"
	ReasonRoleNotPermitted  = "role_not_permitted"
	ReasonFieldNotPermitted = "field_not_permitted"
	ReasonUnknownAction     = "unknown_action"
	ReasonNotAssigned       = "not_assigned"
	ReasonNotInTeam         = "not_in_team"
	ReasonNotOwnInteraction = "not_own_interaction"
	ReasonInteractionEnded  = "interaction_ended"
	ReasonCallerNotVerified = "caller_not_verified"
	ReasonOutsideHours      = "outside_working_hours"
	ReasonNetworkNotAllowed = "network_not_allowed"
	ReasonTrainingExpired   = "training_expired"
	ReasonAccountLocked     = "account_locked"
	ReasonSelfApproval      = "self_approval_not_permitted"
	ReasonConditionsNotMet  = "conditions_not_met"
	ReasonPolicyError       = "policy_error"
)

var (
	builtinOnce   sync.Once
	builtinEngine *Engine
)

// Builtin returns the engine of the built-in policies with default
// options. It panics if they do not compile (a test guarantees they do).
func Builtin() *Engine {
	builtinOnce.Do(func() {
		e, err := Load("", Options{})
		if err != nil {
			panic("authz: built-in policies: " + err.Error())
		}
		builtinEngine = e
	})
	return builtinEngine
}

// Decide is the role-level decision of the built-in policies: whether p's
// roles permit a at all, assuming every resource condition holds
// (assigned, verified, in team, in hours, network, training). It still
// denies a locked account. Code that knows the resource asks an Engine
// with the facts instead (records.Service, the API).
func Decide(p identity.Principal, a Action) Decision {
	return Builtin().DecideRole(p, a)
}

// DecideRole is Decide with e's policies.
func (e *Engine) DecideRole(p identity.Principal, a Action) Decision {
	f := Favourable()
	f.Locked = p.Attributes["locked"] == "true"
	res := Resource{Live: true}
	fields := []string{""}
	if a == CustomerReveal {
		fields = RevealableFields
	}
	var first Decision
	for _, self := range []bool{false, true} {
		f.Self = self
		for _, fld := range fields {
			f.Field = fld
			d := e.Decide(Request{Principal: p, Action: a, Resource: res, Facts: f})
			if d.Allow {
				return d
			}
			if first.Reason == "" {
				first = d
			}
		}
	}
	return first
}

// Favourable returns facts under which every condition holds: the
// role-level view.
func Favourable() Facts {
	return Facts{Assigned: true, Verified: true, InTeam: true, InHours: true, NetworkOK: true, TrainingCurrent: true}
}

// Table returns, for each action, the roles the policies of e permit it to
// under favourable facts (integration as a service account, other roles as
// people). It is how docs/ACCESS.md and the OpenAPI description list rights.
func (e *Engine) Table() map[Action][]string {
	out := map[Action][]string{}
	for _, a := range AllActions() {
		for _, r := range identity.Roles {
			if e.DecideRole(RolePrincipal(r), a).Allow {
				out[a] = append(out[a], r)
			}
		}
	}
	return out
}

// RevealFields returns, for each role, the profile fields e's policies let
// it reveal under favourable facts. Roles that reveal nothing are absent.
func (e *Engine) RevealFields() map[string][]string {
	out := map[string][]string{}
	for _, r := range identity.Roles {
		f := Favourable()
		for _, fld := range RevealableFields {
			f.Field = fld
			if e.Decide(Request{Principal: RolePrincipal(r), Action: CustomerReveal, Facts: f}).Allow {
				out[r] = append(out[r], fld)
			}
		}
	}
	return out
}

// RolePrincipal returns a principal holding only role r: a service account
// for integration, a person otherwise.
func RolePrincipal(r string) identity.Principal {
	k := identity.KindHuman
	if r == identity.RoleIntegration {
		k = identity.KindService
	}
	return identity.Principal{ID: "role:" + r, Kind: k, Roles: []string{r}}
}

// Table maps each action to the roles the built-in policies allow it
// (role level, see Decide); Builtin().Table() computed once.
var Table = Builtin().Table()

// RevealFields maps each role to the profile fields the built-in policies
// let it reveal in clear. Roles absent here reveal nothing.
var RevealFields = Builtin().RevealFields()

// DecideReveal is the role-level decision to reveal every one of fields
// (see Decide). It denies the whole request if any field is not permitted.
func DecideReveal(p identity.Principal, fields []string) Decision {
	e := Builtin()
	f := Favourable()
	f.Locked = p.Attributes["locked"] == "true"
	return e.DecideFields(Request{Principal: p, Action: CustomerReveal, Facts: f}, fields)
}

// DecideFields decides a reveal of each of fields with r's facts; the
// first denial wins.
func (e *Engine) DecideFields(r Request, fields []string) Decision {
	if len(fields) == 0 {
		return e.Decide(r)
	}
	for _, f := range fields {
		r.Facts.Field = f
		if d := e.Decide(r); !d.Allow {
			return d
		}
	}
	return Decision{Allow: true}
}
