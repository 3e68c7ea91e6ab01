package users

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// Setup holds what the first security admin gives when redeeming a setup
// link (an enrollment link needs none of it).
type Setup struct {
	Email string
	Name  string
}

// StartEnrollment redeems a single-use link and returns an enrollment
// session for the steps that follow (SetPassword, ConfirmTOTP). A setup
// link also creates the first security admin from setup. The link is
// spent even if enrollment is abandoned: a security admin issues a new
// one (NewEnrollmentLink) or, for setup, the next start prints one.
func (s *Service) StartEnrollment(ctx context.Context, token string, setup Setup, c Client) (Issued, error) {
	ev := audit.NewEvent(ctx, "enrollment.start", "user", audit.Success)
	if !wellFormed(token, linkPrefix) {
		return Issued{}, s.fail(ctx, ev, audit.NotFound, "invalid_link", ErrInvalidLink)
	}
	var issued Issued
	err := s.st.Update(ctx, func(tx store.Tx) error {
		now := s.now()
		link, err := tx.UseUserLink(ctx, secretHash(token), now)
		if errors.Is(err, store.ErrNotFound) {
			return ErrInvalidLink
		} else if err != nil {
			return err
		}
		var u store.User
		switch link.Purpose {
		case "setup":
			n, err := NewUser{Email: setup.Email, Name: setup.Name, Roles: []string{identity.RoleSecurityAdmin}}.validate()
			if err != nil {
				return err
			}
			if u, err = s.insertUser(ctx, tx, n); err != nil {
				return err
			}
			create := audit.NewEvent(ctx, "user.create", "user/"+u.ID, audit.Success)
			create.Details = map[string]any{"roles": u.Roles, "via": "setup_link"}
			if err := audit.Append(ctx, tx, create); err != nil {
				return err
			}
		case "enroll":
			if u, err = tx.GetUser(ctx, link.UserID); err != nil {
				return err
			}
		default:
			return ErrInvalidLink
		}
		if u.Status != string(StatusPending) {
			return ErrInvalidLink
		}
		if issued, err = s.newSession(ctx, tx, u.ID, stageEnroll, c, enrollmentWindow); err != nil {
			return err
		}
		ev.Resource, ev.ActorID, ev.ActorKind = "user/"+u.ID, u.ID, string(identity.KindHuman)
		ev.Details = map[string]any{"purpose": link.Purpose}
		return audit.Append(ctx, tx, ev)
	})
	if err != nil {
		ae := apperr.As(err)
		if ae.Kind == apperr.Internal {
			return Issued{}, storeErr(err)
		}
		outcome := audit.Invalid
		if ae == ErrInvalidLink {
			outcome = audit.NotFound
		}
		return Issued{}, s.fail(ctx, ev, outcome, ae.Code, err)
	}
	return issued, nil
}

// enrollee returns the pending user of an enrollment session.
func (s *Service) enrollee(ctx context.Context, tx store.Tx, sessionID, userID string) (store.User, error) {
	ss, err := tx.GetSession(ctx, sessionID)
	if err != nil {
		return store.User{}, err
	}
	if !ss.RevokedAt.IsZero() {
		return store.User{}, ErrNoSession
	}
	u, err := tx.GetUser(ctx, userID)
	if err != nil {
		return store.User{}, err
	}
	if u.Status != string(StatusPending) {
		return store.User{}, ErrNoSession
	}
	return u, nil
}

// SetPassword sets the password of the user enrolling with the session of
// secret, and returns a new TOTP secret for their authenticator app (a
// second call replaces both). The password must have at least
// MinPasswordLength characters, not be a common password, and differ from
// the user's last PasswordHistory passwords.
func (s *Service) SetPassword(ctx context.Context, secret, password string, c Client) (TOTPEnrollment, error) {
	ss, err := s.session(ctx, secret, stageEnroll, c)
	if err != nil {
		return TOTPEnrollment{}, err
	}
	ev := audit.NewEvent(ctx, "enrollment.password", "user/"+ss.UserID, audit.Success)
	ev.ActorID, ev.ActorKind = ss.UserID, string(identity.KindHuman)
	if err := checkPasswordRules(password); err != nil {
		return TOTPEnrollment{}, s.fail(ctx, ev, audit.Invalid, apperr.As(err).Code, err)
	}
	var u store.User
	var history []string
	if err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		if u, err = s.enrollee(ctx, tx, ss.ID, ss.UserID); err != nil {
			return err
		}
		history, err = tx.PasswordHistory(ctx, u.ID)
		return err
	}); err != nil {
		return TOTPEnrollment{}, storeErr(err)
	}
	if u.PasswordHash != "" {
		history = append([]string{u.PasswordHash}, history...)
	}
	for _, old := range history[:min(len(history), PasswordHistory)] {
		if reused, _, _ := s.verify(ctx, old, password); reused {
			err := apperr.New(apperr.Invalid, "password_reused", "choose a password other than your last %d", PasswordHistory)
			return TOTPEnrollment{}, s.fail(ctx, ev, audit.Invalid, "password_reused", err)
		}
	}
	phc, err := s.hash(ctx, password)
	if err != nil {
		return TOTPEnrollment{}, storeErr(err)
	}
	p, err := s.openProfile(ctx, u)
	if err != nil {
		return TOTPEnrollment{}, apperr.Wrap(err, "user profile unreadable")
	}
	key, err := newTOTPKey(p.Email)
	if err != nil {
		return TOTPEnrollment{}, apperr.Wrap(err, "TOTP secret not generated")
	}
	keys, err := s.keys(ctx, u)
	if err != nil {
		return TOTPEnrollment{}, apperr.Wrap(err, "user keyset unreadable")
	}
	sealed, err := keys.Seal([]byte(key.Secret()), totpAD(u.ID))
	if err != nil {
		return TOTPEnrollment{}, apperr.Wrap(err, "TOTP secret not sealed")
	}
	err = s.st.Update(ctx, func(tx store.Tx) error {
		cur, err := s.enrollee(ctx, tx, ss.ID, ss.UserID)
		if err != nil {
			return err
		}
		now := s.now()
		if cur.PasswordHash != "" {
			if err := tx.AddPasswordHistory(ctx, cur.ID, cur.PasswordHash, now, PasswordHistory-1); err != nil {
				return err
			}
		}
		cur.PasswordHash, cur.TOTPSecret, cur.TOTPLastStep, cur.UpdatedAt = phc, sealed, 0, now
		if err := tx.UpdateUser(ctx, cur); err != nil {
			return err
		}
		return audit.Append(ctx, tx, ev)
	})
	if err != nil {
		return TOTPEnrollment{}, storeErr(err)
	}
	return TOTPEnrollment{Secret: key.Secret(), URI: key.URL()}, nil
}

// EnrollmentQR returns the QR code (PNG, size×size pixels, 64 to 1024) of
// the TOTP secret set by SetPassword for the enrollment session of secret.
func (s *Service) EnrollmentQR(ctx context.Context, secret string, size int, c Client) ([]byte, error) {
	ss, err := s.session(ctx, secret, stageEnroll, c)
	if err != nil {
		return nil, err
	}
	var u store.User
	if err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		u, err = s.enrollee(ctx, tx, ss.ID, ss.UserID)
		return err
	}); err != nil {
		return nil, storeErr(err)
	}
	if len(u.TOTPSecret) == 0 {
		return nil, apperr.New(apperr.Conflict, "no_password", "set a password first")
	}
	totp, err := s.totpSecret(ctx, u)
	if err != nil {
		return nil, apperr.Wrap(err, "TOTP secret unreadable")
	}
	p, err := s.openProfile(ctx, u)
	if err != nil {
		return nil, apperr.Wrap(err, "user profile unreadable")
	}
	key, err := totpKey(p.Email, totp)
	if err != nil {
		return nil, apperr.Wrap(err, "TOTP key")
	}
	return qrPNG(key, min(max(size, 64), 1024))
}

// ConfirmTOTP completes enrollment: if code is the current code of the
// TOTP secret set by SetPassword, the account becomes active, the
// enrollment session ends and RecoveryCodes single-use recovery codes are
// returned (shown once; only their hashes are stored). The user then signs
// in with Login and CompleteMFA.
func (s *Service) ConfirmTOTP(ctx context.Context, secret, code string, c Client) ([]string, error) {
	ss, err := s.session(ctx, secret, stageEnroll, c)
	if err != nil {
		return nil, err
	}
	ev := audit.NewEvent(ctx, "enrollment.complete", "user/"+ss.UserID, audit.Success)
	ev.ActorID, ev.ActorKind = ss.UserID, string(identity.KindHuman)
	codes, hashes := newRecoveryCodes()
	bad := false
	err = s.st.Update(ctx, func(tx store.Tx) error {
		u, err := s.enrollee(ctx, tx, ss.ID, ss.UserID)
		if err != nil {
			return err
		}
		if u.PasswordHash == "" || len(u.TOTPSecret) == 0 {
			return apperr.New(apperr.Conflict, "no_password", "set a password first")
		}
		now := s.now()
		if ok, err := s.checkSecondFactor(ctx, tx, &u, "totp", code, now); err != nil {
			return err
		} else if !ok {
			bad = true
			ev.Outcome, ev.Reason = audit.Invalid, "bad_code"
			return audit.Append(ctx, tx, ev)
		}
		if err := activate(ctx, tx, u, ss.ID, hashes, now); err != nil {
			return err
		}
		methods := []string{"totp"}
		if n, err := tx.CountWebAuthnCredentials(ctx, u.ID); err != nil {
			return err
		} else if n > 0 {
			methods = append(methods, "webauthn") // passkeys registered before the code (webauthn.go)
		}
		ev.Details = map[string]any{"methods": methods, "recovery_codes": len(codes),
			"security_admin": slices.Contains(u.Roles, identity.RoleSecurityAdmin)}
		return audit.Append(ctx, tx, ev)
	})
	if err != nil {
		return nil, storeErr(err)
	}
	if bad {
		s.throttle.fail(c.Addr, s.now())
		return nil, apperr.New(apperr.Invalid, "bad_code", "the code is not valid; check the time on your device and try the next code")
	}
	return codes, nil
}

// activate completes an enrollment inside its transaction: u becomes
// active with the recovery codes hashes, and the enrollment session
// sessionID ends.
func activate(ctx context.Context, tx store.Tx, u store.User, sessionID string, hashes [][]byte, now time.Time) error {
	u.Status, u.EnrolledAt, u.UpdatedAt = string(StatusActive), now, now
	if err := tx.UpdateUser(ctx, u); err != nil {
		return err
	}
	if err := tx.ReplaceRecoveryCodes(ctx, u.ID, hashes); err != nil {
		return err
	}
	return tx.RevokeSession(ctx, sessionID, now)
}
