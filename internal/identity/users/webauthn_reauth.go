package users

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/store"
)

// ceremonyReauth is the kind of a passkey re-authentication challenge.
const ceremonyReauth = "reauth"

// BeginPasskeyReauth starts re-authentication with a passkey for the
// signed-in user of ctx (Reauthenticate takes a TOTP or recovery code
// instead): it returns the options for navigator.credentials.get and keeps
// the challenge, single use and valid for two minutes, with the session.
func (s *Service) BeginPasskeyReauth(ctx context.Context, c Client) (json.RawMessage, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return nil, err
	}
	ev := audit.NewEvent(ctx, "session.reauth", "session", audit.Success)
	p, err := s.self(ctx, ev)
	if err != nil {
		return nil, err
	}
	if s.throttle.blocked(c.Addr, s.now()) {
		return nil, ErrThrottled
	}
	var out json.RawMessage
	err = s.st.Update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, p.ID)
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
			return err
		}
		if err := s.putChallenge(ctx, tx, p.Attributes["session"], ceremonyReauth, sd); err != nil {
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

// FinishPasskeyReauth re-authenticates the signed-in user of ctx with
// their password and a passkey assertion over the challenge of
// BeginPasskeyReauth, like Reauthenticate: the time is recorded in the
// session (sensitive actions are allowed for Options.ReauthWindow), and
// failures are ErrInvalidCredentials, counted towards the lockout and the
// throttle, and audited as session.reauth with the reason.
func (s *Service) FinishPasskeyReauth(ctx context.Context, password string, response []byte, c Client) (Reauthenticated, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return Reauthenticated{}, err
	}
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
	ev.Details = map[string]any{"method": "webauthn"}
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
	parsed, perr := protocol.ParseCredentialRequestResponseBytes(response)
	var out Reauthenticated
	reason := ""
	err = s.st.Update(ctx, func(tx store.Tx) error {
		sd, why, err := s.takeChallenge(ctx, tx, sessionID, ceremonyReauth)
		if err != nil {
			return err
		}
		cur, err := tx.GetUser(ctx, p.ID)
		if err != nil {
			return err
		}
		now := s.now()
		if reason, err = s.admit(ctx, tx, cur, good && cur.PasswordHash == u.PasswordHash, &ev, now); reason != "" || err != nil {
			return err
		}
		if why == "" {
			if why, err = s.checkAssertion(ctx, tx, rp, cur, sd, parsed, perr, ev, now); err != nil {
				return err
			}
		}
		if why != "" {
			reason = why
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
