package audit

import (
	"context"

	"github.com/confide-cc/confide/internal/identity"
)

// RequestInfo identifies the request an event belongs to.
type RequestInfo struct {
	ID     string // request id, echoed to the client
	Origin string // client IP address
}

type reqKey struct{}

// WithRequest returns a context carrying ri.
func WithRequest(ctx context.Context, ri RequestInfo) context.Context {
	return context.WithValue(ctx, reqKey{}, ri)
}

// RequestFrom returns the request info of ctx (zero if none).
func RequestFrom(ctx context.Context) RequestInfo {
	ri, _ := ctx.Value(reqKey{}).(RequestInfo)
	return ri
}

// NewEvent returns an event for action on resource, filled with the actor
// and request of ctx.
func NewEvent(ctx context.Context, action, resource string, outcome Outcome) Event {
	e := Event{Action: action, Resource: resource, Outcome: outcome}
	if p, ok := identity.FromContext(ctx); ok {
		e.ActorID, e.ActorKind, e.Roles = p.ID, string(p.Kind), p.Roles
		e.Team = p.Attributes["team"]
	}
	ri := RequestFrom(ctx)
	e.RequestID, e.Origin = ri.ID, ri.Origin
	return e
}
