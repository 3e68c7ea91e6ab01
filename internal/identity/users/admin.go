package users

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// containedUntil is the locked_until of a contained account: far enough
// away that only an unlock clears it.
var containedUntil = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// contained reports whether u was contained (by the monitor) rather than
// locked for a while after failed sign-ins.
func contained(u store.User) bool { return !u.LockedUntil.Before(containedUntil) }

// errSelf refuses an administrative action on one's own account
// (segregation of duties).
var errSelf = apperr.New(apperr.Forbidden, "self_not_permitted",
	"segregation of duties: another security admin must do this for your own account")

// adminCheck runs the checks every sensitive action on user id shares:
// the caller may perform a, has re-authenticated recently (service tokens
// are refused), and is not acting on their own account.
func (s *Service) adminCheck(ctx context.Context, a authz.Action, id string, ev audit.Event) error {
	if err := s.authorize(ctx, a, ev); err != nil {
		return err
	}
	if err := s.requireFreshAuth(ctx, ev); err != nil {
		return err
	}
	if p, _ := identity.FromContext(ctx); p.ID == id {
		return s.fail(ctx, ev, audit.Denied, "self_not_permitted", errSelf)
	}
	return nil
}

// adminUpdate runs fn on user id in a transaction and maps its errors,
// auditing refusals as ev. fn appends ev itself on success.
func (s *Service) adminUpdate(ctx context.Context, id string, ev audit.Event, fn func(tx store.Tx, u store.User) error) error {
	err := s.st.Update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, id)
		if err != nil {
			return err
		}
		return fn(tx, u)
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return s.fail(ctx, ev, audit.NotFound, "not_found", apperr.NotFoundErr("user"))
	case err != nil && apperr.KindOf(err) != apperr.Internal:
		return s.fail(ctx, ev, audit.Invalid, apperr.As(err).Code, err)
	}
	return storeErr(err)
}

// endAccess ends every session and active elevation of u, and records the
// counts in ev's details.
func (s *Service) endAccess(ctx context.Context, tx store.Tx, userID string, ev *audit.Event) error {
	now := s.now()
	n, err := tx.RevokeUserSessions(ctx, userID, now)
	if err != nil {
		return err
	}
	g, err := tx.EndUserBreakGlass(ctx, userID, now)
	if err != nil {
		return err
	}
	if ev.Details == nil {
		ev.Details = map[string]any{}
	}
	ev.Details["sessions_ended"] = n
	if g > 0 {
		ev.Details["elevations_ended"] = g
	}
	return nil
}

// ResetMFA removes every second factor of user id — the TOTP secret, the
// recovery codes and the WebAuthn credentials — ends their sessions and
// returns a new single-use enrollment link: the user enrolls again (a new
// password and a new second factor) before they can sign in. The caller
// must be allowed to reset MFA, have re-authenticated recently, give a
// reason, and not be the user.
func (s *Service) ResetMFA(ctx context.Context, id, reason string) (Link, error) {
	ev := audit.NewEvent(ctx, string(authz.UserMFAReset), "user/"+id, audit.Success)
	if err := s.adminCheck(ctx, authz.UserMFAReset, id, ev); err != nil {
		return Link{}, err
	}
	reason, err := s.freeText("reason", reason, 1)
	if err != nil {
		return Link{}, s.fail(ctx, ev, audit.Invalid, apperr.As(err).Code, err)
	}
	ev.Details = map[string]any{"reason": reason}
	var link Link
	err = s.adminUpdate(ctx, id, ev, func(tx store.Tx, u store.User) error {
		if u.Status == string(StatusDisabled) {
			return apperr.New(apperr.Conflict, "user_disabled", "the user is disabled")
		}
		now := s.now()
		u.Status, u.TOTPSecret, u.TOTPLastStep, u.FailedLogins, u.UpdatedAt = string(StatusPending), nil, 0, 0, now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, nil); err != nil {
			return err
		}
		passkeys, err := tx.DeleteUserWebAuthnCredentials(ctx, u.ID)
		if err != nil {
			return err
		}
		ev.Details["webauthn_removed"] = passkeys
		if err := s.endAccess(ctx, tx, u.ID, &ev); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, ev); err != nil {
			return err
		}
		link, err = s.issueLink(ctx, tx, u.ID, "enroll")
		return err
	})
	return link, err
}

// UserUpdate changes a user's roles, team or both (nil: unchanged; an
// empty team removes it).
type UserUpdate struct {
	Roles *[]string
	Team  *string
}

// Update changes the roles or team of user id and ends their sessions and
// elevations (their rights changed). The caller must be allowed to update
// users, have re-authenticated recently and not be the user: nobody
// changes their own roles.
func (s *Service) Update(ctx context.Context, id string, upd UserUpdate) (User, error) {
	ev := audit.NewEvent(ctx, string(authz.UserUpdate), "user/"+id, audit.Success)
	if err := s.adminCheck(ctx, authz.UserUpdate, id, ev); err != nil {
		return User{}, err
	}
	var err error
	if upd.Roles == nil && upd.Team == nil {
		err = apperr.New(apperr.Invalid, "nothing_to_change", "give roles, team or both")
	}
	n := NewUser{Email: "x@example.com", Name: "x", Roles: []string{identity.RoleAgent}}
	if upd.Roles != nil {
		n.Roles = slices.Clone(*upd.Roles)
	}
	if upd.Team != nil {
		n.Team = strings.TrimSpace(*upd.Team)
	}
	if err == nil {
		n, err = n.validate()
	}
	if err != nil {
		return User{}, s.fail(ctx, ev, audit.Invalid, apperr.As(err).Code, err)
	}
	var out store.User
	err = s.adminUpdate(ctx, id, ev, func(tx store.Tx, u store.User) error {
		ev.Details = map[string]any{"old_roles": u.Roles, "old_team": u.Team}
		if upd.Roles != nil {
			u.Roles = n.Roles
		}
		if upd.Team != nil {
			u.Team = n.Team
		}
		ev.Details["new_roles"], ev.Details["new_team"] = u.Roles, u.Team
		u.UpdatedAt = s.now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := s.endAccess(ctx, tx, u.ID, &ev); err != nil {
			return err
		}
		out = u
		return audit.Append(ctx, tx, ev)
	})
	if err != nil {
		return User{}, err
	}
	p, err := s.openProfile(ctx, out)
	if err != nil {
		return User{}, apperr.Wrap(err, "user profile unreadable")
	}
	return s.view(out, p), nil
}

// MaxTrainingValidity bounds a training attestation.
const MaxTrainingValidity = 3 * 366 * 24 * time.Hour

// AttestTraining records that user id completed security training, valid
// until until (in the future, at most three years ahead); it replaces the
// previous attestation. The policies read it as the principal's
// training_until. The caller must be allowed to (authz.UserTraining), have
// re-authenticated recently and not be the user.
func (s *Service) AttestTraining(ctx context.Context, id string, until time.Time) (time.Time, error) {
	ev := audit.NewEvent(ctx, string(authz.UserTraining), "user/"+id, audit.Success)
	if err := s.adminCheck(ctx, authz.UserTraining, id, ev); err != nil {
		return time.Time{}, err
	}
	now := s.now()
	until = until.UTC().Truncate(time.Second)
	if !until.After(now) || until.After(now.Add(MaxTrainingValidity)) {
		err := apperr.New(apperr.Invalid, "invalid_expires_at", "expires_at: must be in the future and at most three years ahead")
		return time.Time{}, s.fail(ctx, ev, audit.Invalid, "invalid_expires_at", err)
	}
	ev.Details = map[string]any{"expires_at": rfc3339(until)}
	p, _ := identity.FromContext(ctx)
	err := s.adminUpdate(ctx, id, ev, func(tx store.Tx, u store.User) error {
		if err := tx.SetTraining(ctx, store.Training{UserID: u.ID, ExpiresAt: until, AttestedBy: p.ID, AttestedAt: now}); err != nil {
			return err
		}
		return audit.Append(ctx, tx, ev)
	})
	return until, err
}

// Unlock clears the lock of user id: a lockout after failed sign-ins, or
// the containment the monitor imposed, which nothing else clears. The
// caller must be allowed to manage users, have re-authenticated recently,
// give a reason and not be the user.
func (s *Service) Unlock(ctx context.Context, id, reason string) error {
	ev := audit.NewEvent(ctx, "user.unlock", "user/"+id, audit.Success)
	if err := s.adminCheck(ctx, authz.UserManage, id, ev); err != nil {
		return err
	}
	reason, err := s.freeText("reason", reason, 1)
	if err != nil {
		return s.fail(ctx, ev, audit.Invalid, apperr.As(err).Code, err)
	}
	ev.Details = map[string]any{"reason": reason}
	return s.adminUpdate(ctx, id, ev, func(tx store.Tx, u store.User) error {
		now := s.now()
		if !u.LockedUntil.After(now) {
			return apperr.New(apperr.Conflict, "not_locked", "the user is not locked")
		}
		ev.Details["contained"] = contained(u)
		u.LockedUntil, u.FailedLogins, u.UpdatedAt = time.Time{}, 0, now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return audit.Append(ctx, tx, ev)
	})
}

// ErrNotAUser is returned by Contain for an id that names no user.
var ErrNotAUser = errors.New("users: no such user")

// Contain locks user id until a security admin unlocks them, and ends
// their sessions and elevations at once: the monitor's containment of a
// person (reason names the alert). Only the system may contain; it is
// idempotent. An unknown user is ErrNotAUser.
func (s *Service) Contain(ctx context.Context, id, reason string) error {
	ev := audit.NewEvent(ctx, "user.contain", "user/"+id, audit.Success)
	if p, _ := identity.FromContext(ctx); p.Kind != identity.KindSystem {
		return s.fail(ctx, ev, audit.Denied, "system_only", apperr.New(apperr.Forbidden, "forbidden", "only the monitor contains users"))
	}
	ev.Details = map[string]any{"reason": reason}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, id)
		if err != nil {
			return err
		}
		u.LockedUntil, u.FailedLogins, u.UpdatedAt = containedUntil, 0, s.now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := s.endAccess(ctx, tx, u.ID, &ev); err != nil {
			return err
		}
		return audit.Append(ctx, tx, ev)
	})
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotAUser
	}
	return storeErr(err)
}
