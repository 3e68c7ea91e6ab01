package monitor

import (
	"context"
	"errors"
	"strings"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/tokens"
)

// Containment stops an actor from acting. Lock must take effect on every
// node at once, be idempotent (locking a locked actor succeeds) and return
// ErrNotLockable, wrapped or not, for actors it does not manage, so that
// implementations can be chained (Containments).
//
// Today the only principals are API tokens (TokenContainment revokes the
// token). The identity service's users and sessions plug in by
// implementing Lock as "lock the account and end its sessions"; unlocking
// is the identity service's job (security admins, with a reason).
type Containment interface {
	Lock(ctx context.Context, actorID, reason string) error
}

// ErrNotLockable is returned by a Containment for an actor it does not
// manage.
var ErrNotLockable = errors.New("monitor: actor cannot be locked by this containment")

// Containments tries each containment in turn until one manages the actor.
type Containments []Containment

// Lock implements Containment.
func (cs Containments) Lock(ctx context.Context, actorID, reason string) error {
	for _, c := range cs {
		if err := c.Lock(ctx, actorID, reason); !errors.Is(err, ErrNotLockable) {
			return err
		}
	}
	return ErrNotLockable
}

// TokenContainment locks service accounts by revoking their API token
// (audited as token.revoke by the monitor).
type TokenContainment struct {
	Tokens *tokens.Service
}

// Lock implements Containment.
func (c TokenContainment) Lock(ctx context.Context, actorID, _ string) error {
	if !strings.HasPrefix(actorID, "tok_") {
		return ErrNotLockable
	}
	return c.Tokens.Revoke(systemContext(ctx), actorID)
}

// systemContext is the context of the monitor's own actions.
func systemContext(ctx context.Context) context.Context {
	return identity.WithPrincipal(ctx, identity.Principal{ID: SystemActorID, Kind: identity.KindSystem})
}
