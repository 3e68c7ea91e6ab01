package app

import (
	"context"
	"errors"
	"strings"

	"github.com/confide-cc/confide/internal/identity/users"
	"github.com/confide-cc/confide/internal/monitor"
)

// userContainment contains people for the monitor: the account is locked
// until a security admin unlocks it (with a reason) and its sessions and
// elevations end at once (users.Service.Contain, audited as user.contain).
type userContainment struct{ users *users.Service }

// Lock implements monitor.Containment.
func (c userContainment) Lock(ctx context.Context, actorID, reason string) error {
	if !strings.HasPrefix(actorID, "usr_") {
		return monitor.ErrNotLockable
	}
	err := c.users.Contain(ctx, actorID, reason)
	if errors.Is(err, users.ErrNotAUser) {
		return monitor.ErrNotLockable
	}
	return err
}
