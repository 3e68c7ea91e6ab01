package authz

import (
	"context"
	"net/netip"
	"time"

	"github.com/confide-cc/confide/internal/identity"
)

type ctxKey struct{}

// ctxEnv is what the HTTP layer knows that a decision needs: the node's
// engine and the client's address.
type ctxEnv struct {
	engine *Engine
	client netip.Addr
}

// NewContext returns a context in which Check decides with e, for a
// request from client (the TCP peer; invalid if unknown).
func NewContext(ctx context.Context, e *Engine, client netip.Addr) context.Context {
	return context.WithValue(ctx, ctxKey{}, ctxEnv{engine: e, client: client.Unmap()})
}

// FromContext returns the engine of ctx (Builtin if none).
func FromContext(ctx context.Context) *Engine {
	if env, ok := ctx.Value(ctxKey{}).(ctxEnv); ok && env.engine != nil {
		return env.engine
	}
	return Builtin()
}

// Check decides a for the principal of ctx on a resource without a
// customer or interaction (users, tokens, alerts, elevations, one's own
// sessions), with the conditions of the principal: lock, network, working
// hours, training and break-glass, from the engine and client address of
// ctx (see NewContext). self says whether the resource is the principal's
// own (for example their own elevation or account).
func Check(ctx context.Context, a Action, res Resource, self bool) Decision {
	r := request(ctx, a, res)
	r.Facts.Self = self
	return r.decide()
}

// CheckInTeam is Check with the team relation given: for a collection that
// some may see whole (inTeam false: no team condition) and others only
// for their own team (inTeam true), such as security alerts.
func CheckInTeam(ctx context.Context, a Action, res Resource, inTeam bool) Decision {
	r := request(ctx, a, res)
	r.Facts.InTeam = inTeam
	return r.decide()
}

// ctxRequest is a request of Check with the engine that will decide it.
type ctxRequest struct {
	Request
	e *Engine
}

func (r ctxRequest) decide() Decision { return r.e.Decide(r.Request) }

// request builds the question of Check: the principal of ctx and its
// conditions, every relation fact true.
func request(ctx context.Context, a Action, res Resource) ctxRequest {
	p, _ := identity.FromContext(ctx)
	env, _ := ctx.Value(ctxKey{}).(ctxEnv)
	e := env.engine
	if e == nil {
		e = Builtin()
	}
	f := e.opt.PrincipalFacts(p, time.Now(), env.client)
	if !env.client.IsValid() && env.engine == nil {
		f.NetworkOK = true // not a network request (CLI, background job)
	}
	f.Assigned, f.Verified, f.InTeam = true, true, true
	return ctxRequest{Request: Request{Principal: p, Action: a, Resource: res, Facts: f}, e: e}
}
