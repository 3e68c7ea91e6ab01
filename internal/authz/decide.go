package authz

import (
	"strings"
	"sync"
	"sync/atomic"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"

	"github.com/confide-cc/confide/internal/identity"
)

// Resource is what an action applies to.
type Resource struct {
	Kind       string // "customer", "interaction", "audit", "keys", "token", "user", "alert", "session", "breakglass"
	ID         string // "" for a collection
	CustomerID string // the customer it belongs to, if any
	Team       string // an interaction's queue (its team), if any
	Owner      string // the user it belongs to: an interaction's agent, an elevation's requester, a user
	Live       bool   // an interaction that has not ended
}

// Facts are the conditions the server computed for one decision (see
// docs/ACCESS.md and the schema's Facts type).
type Facts struct {
	Assigned         bool   // the principal is the agent of a live interaction with this customer
	Verified         bool   // the caller passed verification in that live interaction
	InTeam           bool   // the customer / interaction belongs to one of the principal's teams
	InHours          bool   // within the working hours of the principal's team
	NetworkOK        bool   // the client address is allowed for the principal's roles
	TrainingRequired bool   // the operator requires current training for customer data
	TrainingCurrent  bool   // the principal's training attestation has not expired
	Locked           bool   // the account is locked or contained
	BreakGlass       bool   // an elevation is active
	Self             bool   // the resource's owner is the principal
	Field            string // customer.reveal: the field
}

// Request is one authorization question.
type Request struct {
	Principal identity.Principal
	Action    Action
	Resource  Resource
	Facts     Facts
}

// reasonPriority orders the reasons of forbid policies that fire together:
// the first one listed is reported.
var reasonPriority = []string{ReasonAccountLocked, ReasonNetworkNotAllowed, ReasonOutsideHours,
	ReasonTrainingExpired, ReasonSelfApproval, ReasonFieldNotPermitted}

// Decide evaluates r against the policies. A denial carries the condition
// that failed: the @reason of the highest-priority forbid policy that
// applied, else role_not_permitted when no role of the principal could do
// it under any facts, else the first unmet interaction condition
// (not_assigned, not_in_team, caller_not_verified).
func (e *Engine) Decide(r Request) Decision {
	if !validPrincipal(r.Principal) {
		return Decision{Reason: ReasonNoPrincipal}
	}
	pl, ok := e.byAction[r.Action]
	if !ok {
		return Decision{Reason: ReasonUnknownAction}
	}
	if r.Action == CustomerReveal && r.Facts.Field == "" {
		// A reveal without a field asks whether some field may be
		// revealed; the first field's denial explains a refusal.
		var first Decision
		for i, f := range RevealableFields {
			r.Facts.Field = f
			d := e.decide(pl, r)
			if d.Allow {
				return d
			}
			if i == 0 || first.Reason == ReasonFieldNotPermitted {
				first = d
			}
		}
		return first
	}
	return e.decide(pl, r)
}

func (e *Engine) decide(pl policyList, r Request) Decision {
	env := newEnv(r)
	dec, diag := cedar.Authorize(pl, env, env.request(r.Facts))
	if dec == cedar.Allow {
		return Decision{Allow: true}
	}
	// Could any fact make a permit policy apply?
	fav := Favourable()
	fav.BreakGlass, fav.Self, fav.Field = r.Facts.BreakGlass, true, r.Facts.Field
	if !e.permits(pl, env, fav) {
		if r.Resource.Kind == "interaction" && !r.Resource.Live {
			lr := r
			lr.Resource.Live = true
			if e.permits(pl, newEnv(lr), fav) {
				return Decision{Reason: ReasonInteractionEnded}
			}
		}
		return Decision{Reason: ReasonRoleNotPermitted}
	}
	if len(diag.Reasons) > 0 { // forbid policies applied
		return Decision{Reason: e.forbidReason(diag.Reasons)}
	}
	f := r.Facts
	relaxed := func(assigned, verified, inTeam, self bool) bool {
		g := f
		g.Assigned, g.Verified, g.InTeam, g.Self = f.Assigned || assigned, f.Verified || verified, f.InTeam || inTeam, f.Self || self
		return e.permits(pl, env, g)
	}
	switch {
	case !f.Assigned && !relaxed(false, true, true, true):
		return Decision{Reason: ReasonNotAssigned}
	case !f.InTeam && !relaxed(true, true, false, true):
		return Decision{Reason: ReasonNotInTeam}
	case !f.Self && !relaxed(true, true, true, false):
		return Decision{Reason: ReasonNotOwnInteraction}
	case !f.Verified && relaxed(false, true, false, false):
		return Decision{Reason: ReasonCallerNotVerified}
	case !f.Assigned && relaxed(true, false, false, false):
		return Decision{Reason: ReasonNotAssigned}
	case !f.InTeam && relaxed(false, false, true, false):
		return Decision{Reason: ReasonNotInTeam}
	}
	return Decision{Reason: ReasonConditionsNotMet}
}

// permits reports whether some permit policy of pl applies with facts f
// (forbid policies ignored).
func (e *Engine) permits(pl policyList, env *reqEnv, f Facts) bool {
	req := env.request(f)
	for _, c := range pl {
		if c.policy.Effect() != cedar.Permit {
			continue
		}
		if d, _ := cedar.Authorize(policyList{c}, env, req); d == cedar.Allow {
			return true
		}
	}
	return false
}

func (e *Engine) forbidReason(fired []cedar.DiagnosticReason) string {
	best, bestRank := "", len(reasonPriority)+1
	for _, d := range fired {
		reason := ""
		for _, c := range e.policies {
			if c.id == d.PolicyID {
				reason = c.reason
				break
			}
		}
		rank := len(reasonPriority)
		for i, r := range reasonPriority {
			if r == reason {
				rank = i
			}
		}
		if rank < bestRank {
			best, bestRank = reason, rank
		}
	}
	return best
}

// reqEnv holds the entities of one request: the principal, the resource
// and the static action entities.
type reqEnv struct {
	actions   types.EntityMap
	principal types.Entity
	resource  types.Entity
	action    types.EntityUID
}

var (
	emptySet  = types.NewSet()
	attrKind  = types.String("kind")
	attrRoles = types.String("roles")
	attrTeams = types.String("teams")
)

// principalKey identifies what a principal entity is built from.
type principalKey struct {
	id, kind, roles, team string
}

// principals caches principal entities (bounded: cleared when it grows
// past maxPrincipals).
var (
	principals     sync.Map // principalKey -> types.Entity
	principalCount atomic.Int64
)

const maxPrincipals = 10000

func principalEntity(p identity.Principal) types.Entity {
	k := principalKey{id: p.ID, kind: string(p.Kind), team: p.Attributes["team"]}
	if len(p.Roles) == 1 {
		k.roles = p.Roles[0]
	} else {
		k.roles = strings.Join(p.Roles, ",")
	}
	if ent, ok := principals.Load(k); ok {
		return ent.(types.Entity)
	}
	roles := make([]types.Value, len(p.Roles))
	for i, role := range p.Roles {
		roles[i] = types.String(role)
	}
	teams := emptySet
	if k.team != "" {
		teams = types.NewSet(types.String(k.team))
	}
	ent := types.Entity{UID: types.NewEntityUID(typeUser, types.String(p.ID)), Attributes: types.NewRecord(types.RecordMap{
		attrKind:  types.String(p.Kind),
		attrRoles: types.NewSet(roles...),
		attrTeams: teams,
	})}
	if principalCount.Add(1) > maxPrincipals {
		principals.Clear()
		principalCount.Store(0)
	}
	principals.Store(k, ent)
	return ent
}

func newEnv(r Request) *reqEnv {
	ruid := types.NewEntityUID(typeResource, types.String(r.Resource.Kind+"/"+r.Resource.ID))
	return &reqEnv{
		actions:   builtinActions,
		action:    actionUID(r.Action),
		principal: principalEntity(r.Principal),
		resource: types.Entity{UID: ruid, Attributes: types.NewRecord(types.RecordMap{
			"kind":     types.String(r.Resource.Kind),
			"id":       types.String(r.Resource.ID),
			"customer": types.String(r.Resource.CustomerID),
			"team":     types.String(r.Resource.Team),
			"owner":    types.String(r.Resource.Owner),
			"live":     types.Boolean(r.Resource.Live),
		})},
	}
}

var builtinActions = actionEntities()

// Get implements types.EntityGetter.
func (e *reqEnv) Get(uid types.EntityUID) (types.Entity, bool) {
	switch uid {
	case e.principal.UID:
		return e.principal, true
	case e.resource.UID:
		return e.resource, true
	}
	ent, ok := e.actions[uid]
	return ent, ok
}

func (e *reqEnv) request(f Facts) cedar.Request {
	return cedar.Request{
		Principal: e.principal.UID,
		Action:    e.action,
		Resource:  e.resource.UID,
		Context:   contextRecord(f),
	}
}

// contexts caches the context record of each Facts value: a few thousand
// combinations at most (ten booleans and a field name), built once.
var contexts sync.Map // Facts -> types.Record

func contextRecord(f Facts) types.Record {
	if r, ok := contexts.Load(f); ok {
		return r.(types.Record)
	}
	r := newContextRecord(f)
	if len(f.Field) <= 32 { // only real field names; anything else is not kept
		contexts.Store(f, r)
	}
	return r
}

func newContextRecord(f Facts) types.Record {
	return types.NewRecord(types.RecordMap{
		"assigned":          types.Boolean(f.Assigned),
		"verified":          types.Boolean(f.Verified),
		"in_team":           types.Boolean(f.InTeam),
		"in_hours":          types.Boolean(f.InHours),
		"network_ok":        types.Boolean(f.NetworkOK),
		"training_required": types.Boolean(f.TrainingRequired),
		"training_current":  types.Boolean(f.TrainingCurrent),
		"locked":            types.Boolean(f.Locked),
		"break_glass":       types.Boolean(f.BreakGlass),
		"self":              types.Boolean(f.Self),
		"field":             types.String(f.Field),
	})
}
