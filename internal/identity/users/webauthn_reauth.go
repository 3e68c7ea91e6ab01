package users

import (
	"context"
	"encoding/json"

	"github.com/confide-cc/confide/internal/audit"
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
	return s.beginAssertion(ctx, rp, p.ID, p.Attributes["session"], ceremonyReauth)
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
	return s.reauthWith(ctx, password, c, s.passkeyFactor(rp, ceremonyReauth, response))
}
