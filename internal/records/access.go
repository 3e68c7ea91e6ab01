package records

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// accessRequest builds the authorization question for action on resource
// ("customer/ID", "interaction/ID", or a collection such as "customer"):
// the principal of ctx, the resource as stored, and the facts — the
// principal's (hours, network, training, lock, break-glass) and, for a
// person acting on a customer or an interaction, their relation to it from
// the store (agent of a live interaction with the customer, caller
// verified there, team). Service accounts and Confide itself are not
// interaction-scoped: for them the relation facts hold (assigned, verified,
// in team, and an interaction is their own and live).
func (s *Service) accessRequest(ctx context.Context, a authz.Action, resource string) (authz.Request, error) {
	kind, id, _ := strings.Cut(resource, "/")
	req, scoped := s.baseRequest(ctx, a, kind, id)
	if !scoped || id == "" || !validID(id) || (kind != "customer" && kind != "interaction") {
		return req, nil
	}
	memo, _ := ctx.Value(relationsKey{}).(*relations)
	if r, ok := memo.get(resource); ok {
		copyRelation(&req, r)
		return req, nil
	}
	err := s.st.View(ctx, func(tx store.Tx) error { return s.relate(ctx, tx, &req) })
	if err != nil {
		return req, mapStoreErr(err)
	}
	memo.put(resource, req)
	return req, nil
}

// relations remembers, for one request, the relation facts read for each
// resource, so that the precheck of a handler and the operation it then
// calls read them once. Only relate's facts are reused; the principal's
// own conditions are computed each time.
type relations struct {
	mu sync.Mutex
	m  map[string]authz.Request
}

type relationsKey struct{}

// WithRequestMemo returns a context for one request in which the relation
// facts of authorization are read once per resource.
func WithRequestMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, relationsKey{}, &relations{m: map[string]authz.Request{}})
}

func (r *relations) get(resource string) (authz.Request, bool) {
	if r == nil {
		return authz.Request{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	req, ok := r.m[resource]
	return req, ok
}

func (r *relations) put(resource string, req authz.Request) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.m[resource] = req
	r.mu.Unlock()
}

// baseRequest is the question for a on kind/id before the relation facts:
// the principal of ctx and their own conditions. For service accounts and
// Confide itself, which are not interaction-scoped, the relation facts
// hold and scoped is false; for a person, relate fills them in.
func (s *Service) baseRequest(ctx context.Context, a authz.Action, kind, id string) (req authz.Request, scoped bool) {
	p, _ := identity.FromContext(ctx)
	client, _ := netip.ParseAddr(audit.RequestFrom(ctx).Origin)
	req = authz.Request{Principal: p, Action: a, Resource: authz.Resource{Kind: kind, ID: id},
		Facts: s.engine.Options().PrincipalFacts(p, s.opt.Now(), client)}
	if p.Kind == identity.KindHuman {
		return req, true
	}
	f := &req.Facts
	f.Assigned, f.Verified, f.InTeam = true, true, true
	if kind == "interaction" && id != "" {
		// Not interaction-scoped: the interaction is theirs to act on
		// (the operation itself checks that it is live).
		f.Self, req.Resource.Live = true, true
	}
	return req, false
}

// relate fills in the relation facts of req (a person acting on
// "customer/ID" or "interaction/ID") from tx. copyRelation copies what it
// sets.
func (s *Service) relate(ctx context.Context, tx store.Tx, req *authz.Request) error {
	p, f := req.Principal, &req.Facts
	kind, id := req.Resource.Kind, req.Resource.ID
	var teams []string
	if t := p.Attributes["team"]; t != "" {
		teams = []string{t}
	}
	customerID := id
	if kind == "interaction" {
		row, err := tx.GetInteraction(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil // nothing to relate to: every relation fact is false
		} else if err != nil {
			return err
		}
		customerID = row.CustomerID
		req.Resource.Team, req.Resource.Owner, req.Resource.Live = row.Queue, row.Agent, row.EndedAt.IsZero()
		f.Self = row.Agent == p.ID
	}
	req.Resource.CustomerID = customerID
	acc, err := tx.CustomerAccess(ctx, customerID, p.ID, teams)
	if err != nil {
		return err
	}
	f.Assigned, f.Verified, f.InTeam = acc.Assigned, acc.Verified, acc.InTeam
	if kind == "interaction" {
		// A team sees its own interactions, not every interaction of a
		// customer it has served.
		f.InTeam = req.Resource.Team != "" && len(teams) > 0 && req.Resource.Team == teams[0]
	}
	// An elevation for one customer (attribute break_glass_customer)
	// covers that customer only.
	if bc := p.Attributes["break_glass_customer"]; bc != "" && bc != customerID {
		f.BreakGlass = false
	}
	return nil
}

// copyRelation sets in req what relate set in from (the same principal and
// resource): keep in step with relate.
func copyRelation(req *authz.Request, from authz.Request) {
	req.Resource = from.Resource
	f, r := &req.Facts, from.Facts
	f.Assigned, f.Verified, f.InTeam, f.Self, f.BreakGlass = r.Assigned, r.Verified, r.InTeam, r.Self, r.BreakGlass
}

// mayRead reports whether the principal of ctx may read customer id's
// masked profile, using tx for the relation facts.
func (s *Service) mayRead(ctx context.Context, tx store.Tx, id string) (bool, error) {
	req, scoped := s.baseRequest(ctx, authz.CustomerRead, "customer", id)
	if scoped {
		if err := s.relate(ctx, tx, &req); err != nil {
			return false, err
		}
	}
	return s.engine.Decide(req).Allow, nil
}

// Decide answers whether the principal of ctx may perform a on resource,
// with every condition of the policies, without auditing. For callers
// that shape an answer (for example listing what a user may do).
func (s *Service) Decide(ctx context.Context, a authz.Action, resource string) (authz.Decision, error) {
	req, err := s.accessRequest(ctx, a, resource)
	if err != nil {
		return authz.Decision{}, err
	}
	return s.engine.Decide(req), nil
}

// Engine returns the authorization engine of the service.
func (s *Service) Engine() *authz.Engine { return s.engine }

// visible reports whether the caller of req may know that its resource
// exists: whether it may perform the action, or the one that shows the
// resource (hiddenBehind), if its own conditions (hours, network, training,
// lock) held. Relation facts (assigned, team) are not relaxed.
func (s *Service) visible(req authz.Request) bool {
	req.Facts.InHours, req.Facts.NetworkOK, req.Facts.TrainingCurrent, req.Facts.Locked = true, true, true, false
	req.Facts.Field = ""
	if s.engine.Decide(req).Allow {
		return true
	}
	if h, ok := hiddenBehind[req.Action]; ok && h.visible != req.Action {
		req.Action = h.visible
		return s.engine.Decide(req).Allow
	}
	return false
}

// deny audits the denial d of req and returns the error the caller sees:
// "not found" (as hideAs) if hideAs is set and the caller may not know the
// resource exists, else Forbidden with the reason.
func (s *Service) deny(ctx context.Context, req authz.Request, d authz.Decision, resource, hideAs string) error {
	ev := audit.NewEvent(ctx, string(req.Action), resource, audit.Denied)
	ev.Reason = d.Reason
	if err := s.appendOnly(ctx, ev); err != nil {
		return err
	}
	if hideAs != "" && !s.visible(req) {
		return apperr.NotFoundErr(hideAs)
	}
	return forbidden(d.Reason)
}

func forbidden(reason string) error {
	return apperr.New(apperr.Forbidden, "forbidden", "not permitted: %s", reason)
}
