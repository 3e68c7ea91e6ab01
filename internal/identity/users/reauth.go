package users

import (
	"context"
	"time"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// Limits of the re-authentication window.
const (
	DefaultReauthWindow = 5 * time.Minute
	MaxReauthWindow     = 15 * time.Minute
)

// ErrReauthRequired refuses a sensitive action to a user whose last
// authentication is older than the re-authentication window. The client
// re-authenticates (POST /api/v1/auth/reauth) and tries again.
var ErrReauthRequired = apperr.New(apperr.Forbidden, "reauth_required",
	"this action needs a recent sign-in: re-authenticate with your password and a second factor, then try again")

// errNotAUser refuses sensitive actions to service accounts, which cannot
// re-authenticate.
var errNotAUser = apperr.New(apperr.Forbidden, "not_a_user",
	"only a signed-in user who re-authenticated recently may do this; service tokens may not")

// Reauthenticated is the outcome of a re-authentication.
type Reauthenticated struct {
	AuthTime time.Time `json:"auth_time"`
	// ValidUntil is when sensitive actions need another re-authentication.
	ValidUntil time.Time `json:"valid_until"`
}

// ReauthWindow is how long a (re-)authentication allows sensitive actions.
func (s *Service) ReauthWindow() time.Duration { return s.opt.ReauthWindow }

// Reauthenticate checks the password and a second factor (a TOTP code or
// an unused recovery code) of the signed-in user of ctx and, if both are
// right, records the time in the session: sensitive actions are then
// allowed for Options.ReauthWindow. No new session is issued. Failures
// are ErrInvalidCredentials and count towards the account's lockout and
// the client address's throttle, like sign-in failures.
func (s *Service) Reauthenticate(ctx context.Context, password, code string, c Client) (Reauthenticated, error) {
	return s.reauthWith(ctx, password, c, codeFactor(s, code))
}

// requireFreshAuth refuses (and audits as ev) a sensitive action to a
// user whose last authentication is older than the re-authentication
// window, and to service accounts, which cannot re-authenticate. The
// system (the CLI, the node's own jobs) passes.
func (s *Service) requireFreshAuth(ctx context.Context, ev audit.Event) error {
	p, _ := identity.FromContext(ctx)
	switch p.Kind {
	case identity.KindSystem:
		return nil
	case identity.KindHuman:
		at, err := time.Parse(time.RFC3339Nano, p.Attributes["auth_time"])
		if err == nil && s.now().Sub(at) < s.opt.ReauthWindow {
			return nil
		}
		return s.fail(ctx, ev, audit.Denied, "reauth_required", ErrReauthRequired)
	default:
		return s.fail(ctx, ev, audit.Denied, "not_a_user", errNotAUser)
	}
}

// reauthenticated completes a successful re-authentication inside its
// transaction: the failure count is reset, the session's authentication
// time moves to now, and ev is audited.
func (s *Service) reauthenticated(ctx context.Context, tx store.Tx, cur store.User, sessionID string, now time.Time, ev audit.Event) (Reauthenticated, error) {
	cur.FailedLogins, cur.UpdatedAt = 0, now
	if err := tx.UpdateUser(ctx, cur); err != nil {
		return Reauthenticated{}, err
	}
	if err := tx.SetSessionAuthTime(ctx, sessionID, now); err != nil {
		return Reauthenticated{}, err
	}
	return Reauthenticated{AuthTime: now, ValidUntil: now.Add(s.opt.ReauthWindow)}, audit.Append(ctx, tx, ev)
}
