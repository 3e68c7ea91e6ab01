package users

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/vault"
)

// WebAuthnConfig names the WebAuthn relying party: the domain passkeys are
// scoped to and the origins of the pages that run the ceremonies. An empty
// RPID leaves passkeys off.
type WebAuthnConfig struct {
	RPID    string   // e.g. "confide.example.com" or "localhost"
	RPName  string   // shown by authenticators (default "Confide")
	Origins []string // e.g. "https://confide.example.com"
}

// Passkey limits.
const (
	// MaxPasskeys is how many WebAuthn credentials one user may register.
	MaxPasskeys = 10
	// passkeyChallengeLifetime bounds a ceremony, from begin to finish.
	passkeyChallengeLifetime = 2 * time.Minute
	// maxPasskeyName is the longest label (in characters) of a passkey.
	maxPasskeyName = 64
)

// Ceremony kinds of store.WebAuthnChallenge.
const (
	ceremonyRegister = "register"
	ceremonyLogin    = "login"
)

// Errors of the passkey ceremonies. Their messages are safe to show.
var (
	// ErrPasskeysOff is returned when no relying party is configured.
	ErrPasskeysOff = apperr.New(apperr.NotFound, "passkeys_off", "passkeys are not configured on this server")
	// ErrNoPasskey is returned by BeginPasskeyLogin for a user without one.
	ErrNoPasskey = apperr.New(apperr.Conflict, "no_passkey", "this account has no passkey; use your authenticator app or a recovery code")
	// ErrPasskeyRefused is returned for a registration response that fails
	// verification or matches no pending ceremony.
	ErrPasskeyRefused = apperr.New(apperr.Invalid, "passkey_refused", "the passkey could not be registered; start again")
	// ErrLastFactor refuses removing a user's only second factor.
	ErrLastFactor = apperr.New(apperr.Conflict, "last_factor", "this is your only second factor: add another passkey or an authenticator app before removing it")
)

// newRelyingParty builds the go-webauthn relying party of cfg, or nil if
// cfg has no RPID.
func newRelyingParty(cfg WebAuthnConfig) (*webauthn.WebAuthn, error) {
	if cfg.RPID == "" {
		return nil, nil
	}
	if cfg.RPName == "" {
		cfg.RPName = "Confide"
	}
	timeout := webauthn.TimeoutConfig{Timeout: passkeyChallengeLifetime, TimeoutUVD: passkeyChallengeLifetime}
	return webauthn.New(&webauthn.Config{
		RPID:                  cfg.RPID,
		RPDisplayName:         cfg.RPName,
		RPOrigins:             cfg.Origins,
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
			UserVerification: protocol.VerificationPreferred,
		},
		// The server enforces the lifetime itself, on its own clock.
		Timeouts: webauthn.TimeoutsConfig{Login: timeout, Registration: timeout},
	})
}

// EnableWebAuthn turns passkeys on for the relying party cfg (off while
// cfg.RPID is empty).
func (s *Service) EnableWebAuthn(cfg WebAuthnConfig) error {
	rp, err := newRelyingParty(cfg)
	if err != nil {
		return apperr.Wrap(err, "webauthn relying party")
	}
	s.rp.Store(rp)
	return nil
}

// relyingParty returns the configured relying party or ErrPasskeysOff.
func (s *Service) relyingParty() (*webauthn.WebAuthn, error) {
	rp := s.rp.Load()
	if rp == nil {
		return nil, ErrPasskeysOff
	}
	return rp, nil
}

// Passkey describes a registered WebAuthn credential to its owner.
type Passkey struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	AAGUID         string    `json:"aaguid"`
	Transports     []string  `json:"transports"`
	Attachment     string    `json:"attachment,omitempty"`
	BackupEligible bool      `json:"backup_eligible"`
	BackedUp       bool      `json:"backed_up"`
	CreatedAt      time.Time `json:"created_at"`
	LastUsedAt     time.Time `json:"last_used_at,omitzero"`
}

func passkeyView(c store.WebAuthnCredential) Passkey {
	p := Passkey{ID: c.ID, Name: c.Name, AAGUID: formatAAGUID(c.AAGUID), Transports: c.Transports, Attachment: c.Attachment,
		BackupEligible: c.BackupEligible, BackedUp: c.BackupState, CreatedAt: c.CreatedAt, LastUsedAt: c.LastUsedAt}
	if p.Transports == nil {
		p.Transports = []string{}
	}
	return p
}

// formatAAGUID writes a 16-byte AAGUID as a UUID.
func formatAAGUID(b []byte) string {
	if len(b) != 16 {
		return ""
	}
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// passkeyAD binds a sealed public key to its user and credential.
func passkeyAD(userID string, credentialID []byte) vault.FieldAD {
	return vault.FieldAD{Table: "webauthn_credentials", Column: "public_key", Row: userID + "/" + hex.EncodeToString(credentialID)}
}

// passkeyUser is a user as go-webauthn sees it. The user handle is the
// user id: random, stable and free of personal data.
type passkeyUser struct {
	id, name string
	creds    []webauthn.Credential
}

func (u passkeyUser) WebAuthnID() []byte                         { return []byte(u.id) }
func (u passkeyUser) WebAuthnName() string                       { return u.name }
func (u passkeyUser) WebAuthnDisplayName() string                { return u.name }
func (u passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// passkeyUserOf loads u's credentials, opening their public keys, and
// returns them with u as go-webauthn sees it (named by e-mail address if
// withName).
func (s *Service) passkeyUserOf(ctx context.Context, tx store.Tx, u store.User, withName bool) (passkeyUser, []store.WebAuthnCredential, error) {
	rows, err := tx.ListWebAuthnCredentials(ctx, u.ID)
	if err != nil {
		return passkeyUser{}, nil, err
	}
	pu := passkeyUser{id: u.ID, name: u.ID}
	if withName {
		p, err := s.openProfile(ctx, u)
		if err != nil {
			return passkeyUser{}, nil, err
		}
		pu.name = p.Email
	}
	if len(rows) == 0 {
		return pu, rows, nil
	}
	keys, err := s.keys(ctx, u)
	if err != nil {
		return passkeyUser{}, nil, err
	}
	for _, r := range rows {
		pk, err := keys.Open(r.PublicKey, passkeyAD(u.ID, r.CredentialID))
		if err != nil {
			return passkeyUser{}, nil, err
		}
		c := webauthn.Credential{ID: r.CredentialID, PublicKey: pk, AttestationType: r.AttestationType,
			AttestationFormat: r.AttestationFormat, Flags: webauthn.NewCredentialFlags(protocol.AuthenticatorFlags(r.Flags)),
			Authenticator: webauthn.Authenticator{AAGUID: r.AAGUID, SignCount: r.SignCount,
				Attachment: protocol.AuthenticatorAttachment(r.Attachment)}}
		for _, t := range r.Transports {
			c.Transport = append(c.Transport, protocol.AuthenticatorTransport(t))
		}
		pu.creds = append(pu.creds, c)
	}
	return pu, rows, nil
}

// putChallenge stores the session data of a ceremony begun for ss.
func (s *Service) putChallenge(ctx context.Context, tx store.Tx, sessionID, ceremony string, sd *webauthn.SessionData) error {
	data, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	return tx.PutWebAuthnChallenge(ctx, store.WebAuthnChallenge{SessionID: sessionID, Ceremony: ceremony, Data: data,
		ExpiresAt: s.now().Add(passkeyChallengeLifetime)})
}

// takeChallenge takes the pending ceremony of a session: "" and its data,
// or a failure reason ("no_challenge", "challenge_expired").
func (s *Service) takeChallenge(ctx context.Context, tx store.Tx, sessionID, ceremony string) (webauthn.SessionData, string, error) {
	ch, err := tx.TakeWebAuthnChallenge(ctx, sessionID, ceremony)
	if errors.Is(err, store.ErrNotFound) {
		return webauthn.SessionData{}, "no_challenge", nil
	} else if err != nil {
		return webauthn.SessionData{}, "", err
	}
	if !s.now().Before(ch.ExpiresAt) {
		return webauthn.SessionData{}, "challenge_expired", nil
	}
	var sd webauthn.SessionData
	if err := json.Unmarshal(ch.Data, &sd); err != nil {
		return webauthn.SessionData{}, "", err
	}
	return sd, "", nil
}

// registrant returns the session of secret that may register a passkey —
// an enrollment session whose password is set, or a full session whose
// user authenticated within the re-authentication window — and its user;
// enrolling tells which.
func (s *Service) registrant(ctx context.Context, secret string, c Client) (ss store.Session, u store.User, enrolling bool, err error) {
	ss, err = s.session(ctx, secret, stageEnroll, c)
	if err == nil {
		err = s.st.View(ctx, func(tx store.Tx) error {
			var err error
			u, err = s.enrollee(ctx, tx, ss.ID, ss.UserID)
			return err
		})
		if err != nil {
			return store.Session{}, store.User{}, false, storeErr(err)
		}
		if u.PasswordHash == "" {
			return store.Session{}, store.User{}, false, apperr.New(apperr.Conflict, "no_password", "set a password first")
		}
		return ss, u, true, nil
	}
	if apperr.As(err) != ErrNoSession {
		return store.Session{}, store.User{}, false, err
	}
	p, err := s.Authenticate(ctx, secret, c)
	if err != nil {
		return store.Session{}, store.User{}, false, err
	}
	// A new second factor is a sensitive action: a stolen session must not
	// be able to add its own passkey and keep the account (reauth.go).
	pctx := identity.WithPrincipal(ctx, p)
	if err := s.requireFreshAuth(pctx, audit.NewEvent(pctx, "webauthn.register", "user/"+p.ID, audit.Success)); err != nil {
		return store.Session{}, store.User{}, false, err
	}
	err = s.st.View(ctx, func(tx store.Tx) error {
		var err error
		if ss, err = tx.GetSession(ctx, p.Attributes["session"]); err != nil {
			return err
		}
		u, err = tx.GetUser(ctx, p.ID)
		return err
	})
	return ss, u, false, storeErr(err)
}

// BeginPasskeyRegistration starts registering a passkey for the user of
// the session of secret: an enrollment session (after the password is
// set) or a signed-in user's full session. It returns the options for
// navigator.credentials.create (JSON) and keeps the challenge, single use
// and valid for two minutes, with the session. A half session (password
// only) cannot register a passkey.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, secret string, c Client) (json.RawMessage, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return nil, err
	}
	ss, u, _, err := s.registrant(ctx, secret, c)
	if err != nil {
		return nil, err
	}
	var out json.RawMessage
	err = s.st.Update(ctx, func(tx store.Tx) error {
		pu, rows, err := s.passkeyUserOf(ctx, tx, u, true)
		if err != nil {
			return err
		}
		if len(rows) >= MaxPasskeys {
			return apperr.New(apperr.Conflict, "too_many_passkeys", "an account has at most %d passkeys; remove one first", MaxPasskeys)
		}
		creation, sd, err := rp.BeginRegistration(pu, webauthn.WithExclusions(webauthn.Credentials(pu.creds).CredentialDescriptors()))
		if err != nil {
			return apperr.Wrap(err, "passkey registration options")
		}
		if err := s.putChallenge(ctx, tx, ss.ID, ceremonyRegister, sd); err != nil {
			return err
		}
		out, err = json.Marshal(creation)
		return err
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return out, nil
}

// FinishPasskeyRegistration verifies the authenticator's response
// (the JSON of the PublicKeyCredential from navigator.credentials.create)
// against the session's pending registration and stores the passkey under
// name. During enrollment the passkey does not complete enrollment by
// itself: CompleteEnrollment (or ConfirmTOTP) does. The challenge is spent
// whatever the outcome.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, secret, name string, response []byte, c Client) (Passkey, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return Passkey{}, err
	}
	ss, u, enrolling, err := s.registrant(ctx, secret, c)
	if err != nil {
		return Passkey{}, err
	}
	ev := audit.NewEvent(ctx, "webauthn.register", "user/"+u.ID, audit.Success)
	ev.ActorID, ev.ActorKind = u.ID, string(identity.KindHuman)
	ev.Details = map[string]any{"during_enrollment": enrolling}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "Passkey"
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxPasskeyName || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return Passkey{}, s.fail(ctx, ev, audit.Invalid, "invalid_name",
			apperr.New(apperr.Invalid, "invalid_name", "name: up to %d printable characters", maxPasskeyName))
	}
	parsed, perr := protocol.ParseCredentialCreationResponseBytes(response)
	keys, err := s.keys(ctx, u)
	if err != nil {
		return Passkey{}, apperr.Wrap(err, "user keyset unreadable")
	}
	var out Passkey
	reason := ""
	err = s.st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.GetUser(ctx, u.ID); err != nil { // locked: the passkey limit holds under concurrency
			return err
		}
		sd, why, err := s.takeChallenge(ctx, tx, ss.ID, ceremonyRegister)
		if err != nil {
			return err
		}
		if why == "" && perr != nil {
			why = "malformed_response"
		}
		var cred *webauthn.Credential
		if why == "" {
			pu, rows, err := s.passkeyUserOf(ctx, tx, u, false)
			if err != nil {
				return err
			}
			switch {
			case len(rows) >= MaxPasskeys:
				why = "too_many_passkeys"
			default:
				if cred, err = rp.CreateCredential(pu, sd, parsed); err != nil {
					why = "verification_failed"
					ev.Details["error"] = protocolErrorType(err)
				}
			}
		}
		if why != "" {
			reason = why
			ev.Outcome, ev.Reason = audit.Invalid, why
			return audit.Append(ctx, tx, ev)
		}
		sealed, err := keys.Seal(cred.PublicKey, passkeyAD(u.ID, cred.ID))
		if err != nil {
			return err
		}
		row := store.WebAuthnCredential{ID: newID("wac_"), UserID: u.ID, CredentialID: cred.ID, PublicKey: sealed, Name: name,
			AAGUID: cred.Authenticator.AAGUID, SignCount: cred.Authenticator.SignCount, Attachment: string(cred.Authenticator.Attachment),
			AttestationType: cred.AttestationType, AttestationFormat: cred.AttestationFormat,
			Flags: uint8(cred.Flags.ProtocolValue()), BackupEligible: cred.Flags.BackupEligible, BackupState: cred.Flags.BackupState,
			CreatedAt: s.now()}
		for _, t := range cred.Transport {
			if t := string(t); t != "" && !slices.Contains(row.Transports, t) && len(t) <= 32 && !strings.Contains(t, ",") {
				row.Transports = append(row.Transports, t)
			}
		}
		if err := tx.InsertWebAuthnCredential(ctx, row); errors.Is(err, store.ErrConflict) {
			reason = "credential_exists"
			ev.Outcome, ev.Reason = audit.Invalid, reason
			return audit.Append(ctx, tx, ev)
		} else if err != nil {
			return err
		}
		out = passkeyView(row)
		ev.Resource = "user/" + u.ID + "/passkeys/" + row.ID
		ev.Details["aaguid"] = out.AAGUID
		ev.Details["backup_eligible"] = row.BackupEligible
		ev.Details["attachment"] = row.Attachment
		ev.Details["user_verified"] = cred.Flags.UserVerified
		return audit.Append(ctx, tx, ev)
	})
	if err != nil {
		return Passkey{}, storeErr(err)
	}
	switch reason {
	case "":
		return out, nil
	case "too_many_passkeys":
		return Passkey{}, apperr.New(apperr.Conflict, "too_many_passkeys", "an account has at most %d passkeys; remove one first", MaxPasskeys)
	case "credential_exists":
		return Passkey{}, apperr.New(apperr.Conflict, "credential_exists", "this passkey is already registered")
	default:
		return Passkey{}, ErrPasskeyRefused
	}
}

// protocolErrorType returns the short type of a go-webauthn error (e.g.
// "verification_error"), safe to audit.
func protocolErrorType(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Type != "" {
		return pe.Type
	}
	return "error"
}

// CompleteEnrollment completes the enrollment of the session of secret
// with the passkeys registered during it, instead of a TOTP code: the
// account becomes active, the enrollment session ends, the unconfirmed
// TOTP secret set by SetPassword is dropped, and RecoveryCodes single-use
// recovery codes are returned (shown once).
func (s *Service) CompleteEnrollment(ctx context.Context, secret string, c Client) ([]string, error) {
	ss, err := s.session(ctx, secret, stageEnroll, c)
	if err != nil {
		return nil, err
	}
	ev := audit.NewEvent(ctx, "enrollment.complete", "user/"+ss.UserID, audit.Success)
	ev.ActorID, ev.ActorKind = ss.UserID, string(identity.KindHuman)
	codes, hashes := newRecoveryCodes()
	none := false
	err = s.st.Update(ctx, func(tx store.Tx) error {
		u, err := s.enrollee(ctx, tx, ss.ID, ss.UserID)
		if err != nil {
			return err
		}
		if u.PasswordHash == "" {
			return apperr.New(apperr.Conflict, "no_password", "set a password first")
		}
		n, err := tx.CountWebAuthnCredentials(ctx, u.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			none = true
			ev.Outcome, ev.Reason = audit.Invalid, "no_second_factor"
			return audit.Append(ctx, tx, ev)
		}
		u.TOTPSecret, u.TOTPLastStep = nil, 0 // the unconfirmed authenticator app
		if err := activate(ctx, tx, u, ss.ID, hashes, s.now()); err != nil {
			return err
		}
		ev.Details = map[string]any{"methods": []string{"webauthn"}, "passkeys": n, "recovery_codes": len(codes),
			"security_admin": slices.Contains(u.Roles, identity.RoleSecurityAdmin)}
		return audit.Append(ctx, tx, ev)
	})
	if err != nil {
		return nil, storeErr(err)
	}
	if none {
		return nil, apperr.New(apperr.Conflict, "no_second_factor", "register a passkey or confirm an authenticator app code first")
	}
	return codes, nil
}

// BeginPasskeyLogin starts the passkey second factor for the half session
// of secret (after the password): it returns the options for
// navigator.credentials.get (JSON), allowing the user's passkeys only, and
// keeps the challenge, single use and valid for two minutes, with the half
// session.
func (s *Service) BeginPasskeyLogin(ctx context.Context, secret string, c Client) (json.RawMessage, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return nil, err
	}
	if s.throttle.blocked(c.Addr, s.now()) {
		return nil, ErrThrottled
	}
	half, err := s.session(ctx, secret, stagePassword, c)
	if err != nil {
		return nil, err
	}
	return s.beginAssertion(ctx, rp, half.UserID, half.ID, ceremonyLogin)
}

// FinishPasskeyLogin checks a passkey assertion (the JSON of the
// PublicKeyCredential from navigator.credentials.get) as the second factor
// of the half session of secret and, if it verifies against the pending
// challenge and one of the user's passkeys, ends the half session and
// returns a full one. A signature counter that did not advance (a possible
// cloned authenticator) is refused and audited. Failures count towards the
// account's lockout and are ErrInvalidCredentials, like a wrong TOTP code.
func (s *Service) FinishPasskeyLogin(ctx context.Context, secret string, response []byte, c Client) (Issued, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return Issued{}, err
	}
	return s.completeSignIn(ctx, "login.webauthn", secret, c, s.passkeyFactor(rp, ceremonyLogin, response))
}

// checkAssertion verifies a parsed assertion (or its parse error perr)
// against the ceremony sd and u's passkeys and, if it verifies, records the
// passkey's use. It returns "" or the reason it failed; details go into ev.
func (s *Service) checkAssertion(ctx context.Context, tx store.Tx, rp *webauthn.WebAuthn, u store.User, sd webauthn.SessionData,
	parsed *protocol.ParsedCredentialAssertionData, perr error, ev audit.Event, now time.Time) (string, error) {
	if perr != nil {
		return "malformed_response", nil
	}
	pu, rows, err := s.passkeyUserOf(ctx, tx, u, false)
	if err != nil {
		return "", err
	}
	cred, err := rp.ValidateLogin(pu, sd, parsed)
	if err != nil {
		ev.Details["error"] = protocolErrorType(err)
		if !slices.ContainsFunc(pu.creds, func(c webauthn.Credential) bool { return bytes.Equal(c.ID, parsed.RawID) }) {
			return "unknown_credential", nil
		}
		return "verification_failed", nil
	}
	var row store.WebAuthnCredential
	for _, r := range rows {
		if bytes.Equal(r.CredentialID, cred.ID) {
			row = r
		}
	}
	ev.Details["passkey"] = row.ID
	ev.Details["user_verified"] = parsed.Response.AuthenticatorData.Flags.HasUserVerified()
	if cred.Authenticator.CloneWarning {
		// WebAuthn §6.1.1, §7.2: a counter that did not advance signals a
		// possibly cloned authenticator. Refused; the stored counter stays.
		ev.Details["sign_count"] = parsed.Response.AuthenticatorData.Counter
		ev.Details["stored_sign_count"] = cred.Authenticator.SignCount
		return "sign_count_regression", nil
	}
	return "", tx.RecordWebAuthnUse(ctx, u.ID, row.ID, cred.Authenticator.SignCount, uint8(cred.Flags.ProtocolValue()),
		cred.Flags.BackupState, now)
}

// ListPasskeys returns the passkeys of the signed-in user of ctx.
func (s *Service) ListPasskeys(ctx context.Context) ([]Passkey, error) {
	ev := audit.NewEvent(ctx, "webauthn.list", "user", audit.Success)
	p, err := s.self(ctx, ev)
	if err != nil {
		return nil, err
	}
	ev.Resource = "user/" + p.ID
	var rows []store.WebAuthnCredential
	err = s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		if rows, err = tx.ListWebAuthnCredentials(ctx, p.ID); err != nil {
			return err
		}
		ev.Details = map[string]any{"count": len(rows)}
		return audit.Append(ctx, tx, ev)
	})
	if err != nil {
		return nil, storeErr(err)
	}
	out := []Passkey{}
	for _, r := range rows {
		out = append(out, passkeyView(r))
	}
	return out, nil
}

// RemovePasskey removes passkey id of the signed-in user of ctx, who must
// have authenticated within the re-authentication window. Another user's
// passkey is not found; the user's only second factor (no TOTP and
// no other passkey) is refused with ErrLastFactor.
func (s *Service) RemovePasskey(ctx context.Context, id string) error {
	ev := audit.NewEvent(ctx, "webauthn.remove", "user", audit.Success)
	p, err := s.self(ctx, ev)
	if err != nil {
		return err
	}
	ev.Resource = "user/" + p.ID + "/passkeys/" + id
	if err := s.requireFreshAuth(ctx, ev); err != nil { // reauth.go
		return err
	}
	last := false
	err = s.st.Update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, p.ID) // locked: two removals cannot both pass the check
		if err != nil {
			return err
		}
		rows, err := tx.ListWebAuthnCredentials(ctx, p.ID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(rows, func(r store.WebAuthnCredential) bool { return r.ID == id }) {
			return store.ErrNotFound
		}
		if len(rows) == 1 && len(u.TOTPSecret) == 0 {
			last = true
			ev.Outcome, ev.Reason = audit.Denied, "last_factor"
			return audit.Append(ctx, tx, ev)
		}
		if err := tx.DeleteWebAuthnCredential(ctx, p.ID, id); err != nil {
			return err
		}
		ev.Details = map[string]any{"passkeys_left": len(rows) - 1, "totp": len(u.TOTPSecret) > 0}
		return audit.Append(ctx, tx, ev)
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return s.fail(ctx, ev, audit.NotFound, "not_found", apperr.NotFoundErr("passkey"))
	case err != nil:
		return storeErr(err)
	case last:
		return ErrLastFactor
	}
	return nil
}
