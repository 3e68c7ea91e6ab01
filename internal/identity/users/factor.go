package users

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// secondFactor is one way to prove the second factor, shared by sign-in
// (completeSignIn) and re-authentication (reauthWith).
type secondFactor struct {
	method string // audited as details.method
	// begin, if set, runs first in the transaction (a passkey takes the
	// challenge kept for the session).
	begin func(ctx context.Context, tx store.Tx, sessionID string) error
	// check returns "" if the factor is right, else why not. It may update
	// u (the TOTP step used) for the caller to save, and add to ev.
	check func(ctx context.Context, tx store.Tx, u *store.User, ev *audit.Event, now time.Time) (string, error)
}

// codeFactor is a TOTP code (6 digits) or a recovery code.
func codeFactor(s *Service, code string) secondFactor {
	method := "totp"
	if len(code) != 6 {
		method = "recovery_code"
	}
	return secondFactor{method: method,
		check: func(ctx context.Context, tx store.Tx, u *store.User, _ *audit.Event, now time.Time) (string, error) {
			ok, err := s.checkSecondFactor(ctx, tx, u, method, code, now)
			if err != nil || ok {
				return "", err
			}
			return "bad_code", nil
		}}
}

// passkeyFactor is a passkey assertion (the JSON of the PublicKeyCredential
// from navigator.credentials.get) over the challenge of ceremony.
func (s *Service) passkeyFactor(rp *webauthn.WebAuthn, ceremony string, response []byte) secondFactor {
	parsed, perr := protocol.ParseCredentialRequestResponseBytes(response)
	var sd webauthn.SessionData
	var why string
	return secondFactor{method: "webauthn",
		begin: func(ctx context.Context, tx store.Tx, sessionID string) error {
			var err error
			sd, why, err = s.takeChallenge(ctx, tx, sessionID, ceremony)
			return err
		},
		check: func(ctx context.Context, tx store.Tx, u *store.User, ev *audit.Event, now time.Time) (string, error) {
			if why != "" {
				return why, nil
			}
			return s.checkAssertion(ctx, tx, rp, *u, sd, parsed, perr, *ev, now)
		}}
}

// beginAssertion starts a passkey ceremony for user id: the options for
// navigator.credentials.get (the user's passkeys only), with the challenge
// kept, single use, for sessionID and ceremony.
func (s *Service) beginAssertion(ctx context.Context, rp *webauthn.WebAuthn, userID, sessionID, ceremony string) (json.RawMessage, error) {
	var out json.RawMessage
	err := s.st.Update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, userID)
		if err != nil {
			return err
		}
		pu, _, err := s.passkeyUserOf(ctx, tx, u, false)
		if err != nil {
			return err
		}
		if len(pu.creds) == 0 {
			return ErrNoPasskey
		}
		assertion, sd, err := rp.BeginLogin(pu)
		if err != nil {
			return apperr.Wrap(err, "passkey options")
		}
		if err := s.putChallenge(ctx, tx, sessionID, ceremony, sd); err != nil {
			return err
		}
		out, err = json.Marshal(assertion)
		return err
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return out, nil
}

// completeSignIn checks the second factor f for the half session of secret
// and, if it is right, ends the half session and returns a full one,
// audited as action. A wrong factor counts towards the account's lockout
// (reaching it also ends the half session). Failures are
// ErrInvalidCredentials (or ErrNoSession for a missing half session).
func (s *Service) completeSignIn(ctx context.Context, action, secret string, c Client, f secondFactor) (Issued, error) {
	ev := audit.NewEvent(ctx, action, "user", audit.Success)
	if s.throttle.blocked(c.Addr, s.now()) {
		return Issued{}, s.fail(ctx, ev, audit.Denied, "throttled", ErrThrottled)
	}
	half, err := s.session(ctx, secret, stagePassword, c)
	if err != nil {
		return Issued{}, err
	}
	ev.Resource, ev.ActorID, ev.ActorKind = "user/"+half.UserID, half.UserID, string(identity.KindHuman)
	ev.Details = map[string]any{"method": f.method}
	var issued Issued
	reason := ""
	err = s.st.Update(ctx, func(tx store.Tx) error {
		if f.begin != nil {
			if err := f.begin(ctx, tx, half.ID); err != nil {
				return err
			}
		}
		u, err := tx.GetUser(ctx, half.UserID)
		if err != nil {
			return err
		}
		now := s.now()
		if reason, err = s.admit(ctx, tx, u, true, &ev, now); reason != "" || err != nil {
			return err
		}
		if reason, err = f.check(ctx, tx, &u, &ev, now); err != nil {
			return err
		}
		if reason != "" {
			return s.countFailure(ctx, tx, u, ev, reason)
		}
		if err := tx.RevokeSession(ctx, half.ID, now); err != nil {
			return err
		}
		u.FailedLogins, u.LastLoginAt, u.UpdatedAt = 0, now, now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if issued, err = s.newSession(ctx, tx, u.ID, stageFull, c, s.opt.SessionLifetime); err != nil {
			return err
		}
		ev.Details["session"] = issued.ID
		if f.method == "recovery_code" {
			left, err := tx.UnusedRecoveryCodes(ctx, u.ID)
			if err != nil {
				return err
			}
			ev.Details["recovery_codes_left"] = left
		}
		return audit.Append(ctx, tx, ev)
	})
	if err != nil {
		return Issued{}, storeErr(err)
	}
	if reason != "" {
		s.throttle.fail(c.Addr, s.now())
		return Issued{}, ErrInvalidCredentials
	}
	return issued, nil
}

// reauthWith checks the password and the second factor f of the signed-in
// user of ctx and, if both are right, records the time in the session (see
// Reauthenticate). Failures are ErrInvalidCredentials, counted towards the
// lockout and the throttle, and audited as session.reauth with the reason.
func (s *Service) reauthWith(ctx context.Context, password string, c Client, f secondFactor) (Reauthenticated, error) {
	ev := audit.NewEvent(ctx, "session.reauth", "session", audit.Success)
	p, err := s.self(ctx, ev)
	if err != nil {
		return Reauthenticated{}, err
	}
	sessionID := p.Attributes["session"]
	ev.Resource = "session/" + sessionID
	if s.throttle.blocked(c.Addr, s.now()) {
		return Reauthenticated{}, s.fail(ctx, ev, audit.Denied, "throttled", ErrThrottled)
	}
	ev.Details = map[string]any{"method": f.method}
	var u store.User
	if err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		u, err = tx.GetUser(ctx, p.ID)
		return err
	}); err != nil {
		return Reauthenticated{}, storeErr(err)
	}
	good, _, err := s.verify(ctx, u.PasswordHash, password)
	if err != nil && !errors.Is(err, errBadHash) {
		return Reauthenticated{}, storeErr(err)
	}
	var out Reauthenticated
	reason := ""
	err = s.st.Update(ctx, func(tx store.Tx) error {
		if f.begin != nil {
			if err := f.begin(ctx, tx, sessionID); err != nil {
				return err
			}
		}
		cur, err := tx.GetUser(ctx, p.ID)
		if err != nil {
			return err
		}
		now := s.now()
		if reason, err = s.admit(ctx, tx, cur, good && cur.PasswordHash == u.PasswordHash, &ev, now); reason != "" || err != nil {
			return err
		}
		if reason, err = f.check(ctx, tx, &cur, &ev, now); err != nil {
			return err
		}
		if reason != "" {
			return s.countFailure(ctx, tx, cur, ev, reason)
		}
		out, err = s.reauthenticated(ctx, tx, cur, sessionID, now, ev)
		return err
	})
	if err != nil {
		return Reauthenticated{}, storeErr(err)
	}
	if reason != "" {
		s.throttle.fail(c.Addr, s.now())
		return Reauthenticated{}, ErrInvalidCredentials
	}
	return out, nil
}
