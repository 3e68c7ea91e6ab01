package users

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// Session stages.
const (
	stageEnroll   = "enroll"   // redeemed an enrollment link; only enrollment steps accept it
	stagePassword = "password" // passed the first factor; only the MFA step accepts it
	stageFull     = "full"     // signed in with two factors
)

// Client identifies the browser a session is bound to: its user agent and
// its network (the /24 of an IPv4 address, the /64 of an IPv6 one). A
// request from a different user agent or network must sign in again.
type Client struct {
	UserAgent string
	Addr      netip.Addr
}

// binding returns the hash a session of c is bound to.
func (c Client) binding() []byte {
	bits := 64
	addr := c.Addr.Unmap()
	if addr.Is4() {
		bits = 24
	}
	prefix := ""
	if p, err := addr.Prefix(bits); err == nil {
		prefix = p.String()
	}
	h := sha256.New()
	h.Write([]byte("confide/session-binding/v1\x00"))
	h.Write([]byte(prefix))
	h.Write([]byte{0})
	h.Write([]byte(c.UserAgent))
	return h.Sum(nil)
}

// describe returns a short, printable description of the user agent.
func (c Client) describe() string {
	ua := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(c.UserAgent, ""))
	for utf8.RuneCountInString(ua) > 120 {
		_, size := utf8.DecodeLastRuneInString(ua)
		ua = ua[:len(ua)-size]
	}
	return ua
}

// SessionInfo describes a session to its owner or a security admin.
type SessionInfo struct {
	ID         string    `json:"id"`
	UserID     string    `json:"user_id"`
	Client     string    `json:"client"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Current    bool      `json:"current"`
}

// Issued is a new session: the secret goes in the cookie, and is shown
// nowhere else.
type Issued struct {
	Secret    string
	ID        string
	ExpiresAt time.Time
}

// newSession stores a session of stage for user and returns its secret.
func (s *Service) newSession(ctx context.Context, tx store.Tx, userID, stage string, c Client, lifetime time.Duration) (Issued, error) {
	now := s.now()
	secret := newSecret(sessionPrefix)
	ss := store.Session{ID: newID("ses_"), Hash: secretHash(secret), UserID: userID, Stage: stage, Binding: c.binding(),
		Client: c.describe(), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(lifetime)}
	if err := tx.InsertSession(ctx, ss); err != nil {
		return Issued{}, err
	}
	return Issued{Secret: secret, ID: ss.ID, ExpiresAt: ss.ExpiresAt}, nil
}

// endReason says why a session cannot be used, or "" if it can.
func (s *Service) endReason(ss store.Session, stage string, c Client, now time.Time) string {
	switch {
	case !ss.RevokedAt.IsZero():
		return "revoked"
	case ss.Stage != stage:
		return "wrong_stage"
	case !now.Before(ss.ExpiresAt):
		return "absolute_timeout"
	case ss.Stage == stageFull && now.Sub(ss.LastSeenAt) >= s.opt.IdleTimeout:
		return "idle_timeout"
	case subtle.ConstantTimeCompare(ss.Binding, c.binding()) != 1:
		return "client_changed"
	}
	return ""
}

// session finds the live session of secret at stage. A session that timed
// out or is presented by another client is revoked, and that is audited
// (session.end); every failure is ErrNoSession.
func (s *Service) session(ctx context.Context, secret, stage string, c Client) (store.Session, error) {
	if !wellFormed(secret, sessionPrefix) {
		return store.Session{}, ErrNoSession
	}
	var ss store.Session
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		ss, err = tx.SessionByHash(ctx, secretHash(secret))
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, ErrNoSession
	} else if err != nil {
		return store.Session{}, storeErr(err)
	}
	return ss, s.checkSession(ctx, ss, stage, c, s.now())
}

// checkSession returns nil if ss is a live session of stage presented by
// c; otherwise ErrNoSession, revoking (and auditing) a session that timed
// out or is presented by another client.
func (s *Service) checkSession(ctx context.Context, ss store.Session, stage string, c Client, now time.Time) error {
	switch reason := s.endReason(ss, stage, c, now); reason {
	case "":
		return nil
	case "revoked", "wrong_stage":
		return ErrNoSession
	default:
		ev := audit.NewEvent(ctx, "session.end", "session/"+ss.ID, audit.Success)
		ev.ActorID, ev.ActorKind, ev.Reason = ss.UserID, string(identity.KindHuman), reason
		err := s.st.Update(ctx, func(tx store.Tx) error {
			if err := tx.RevokeSession(ctx, ss.ID, now); err != nil {
				return err
			}
			return audit.Append(ctx, tx, ev)
		})
		if err != nil {
			return storeErr(err)
		}
		return ErrNoSession
	}
}

// Authenticate returns the principal of a full session's secret (the
// cookie value) presented by c, and records the activity that keeps the
// session from going idle. A half session, an enrollment session, an
// expired, revoked or rebound session, or one whose user is no longer
// active is ErrNoSession.
func (s *Service) Authenticate(ctx context.Context, secret string, c Client) (identity.Principal, error) {
	if !wellFormed(secret, sessionPrefix) {
		return identity.Principal{}, ErrNoSession
	}
	// One query: the session, its user, and what the principal's
	// attributes need (elevation.go).
	var sa store.SessionAuth
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		sa, err = tx.SessionAuth(ctx, secretHash(secret), s.now())
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return identity.Principal{}, ErrNoSession
	} else if err != nil {
		return identity.Principal{}, storeErr(err)
	}
	ss, u := sa.Session, sa.User
	if err := s.checkSession(ctx, ss, stageFull, c, s.now()); err != nil {
		return identity.Principal{}, err
	}
	if u.Status != string(StatusActive) {
		return identity.Principal{}, ErrNoSession
	}
	if now := s.now(); now.Sub(ss.LastSeenAt) >= touchEvery {
		// Idle time is measured from the last write, so skipping writes
		// can only end a session early, never late.
		if err := s.st.Update(ctx, func(tx store.Tx) error { return tx.TouchSession(ctx, ss.ID, now) }); err != nil {
			return identity.Principal{}, storeErr(err)
		}
	}
	return identity.Principal{ID: u.ID, Kind: identity.KindHuman, Roles: u.Roles, Attributes: s.attributes(sa)}, nil
}

// Logout ends the session of secret, whatever its stage. An unknown
// secret is not an error: the client is signed out either way.
func (s *Service) Logout(ctx context.Context, secret string) error {
	if !wellFormed(secret, sessionPrefix) {
		return nil
	}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		ss, err := tx.SessionByHash(ctx, secretHash(secret))
		if errors.Is(err, store.ErrNotFound) || (err == nil && !ss.RevokedAt.IsZero()) {
			return nil
		} else if err != nil {
			return err
		}
		if err := tx.RevokeSession(ctx, ss.ID, s.now()); err != nil {
			return err
		}
		ev := audit.NewEvent(ctx, "session.revoke", "session/"+ss.ID, audit.Success)
		ev.ActorID, ev.ActorKind, ev.Reason = ss.UserID, string(identity.KindHuman), "logout"
		return audit.Append(ctx, tx, ev)
	})
	return storeErr(err)
}

// self returns the signed-in human of ctx; anyone else (no principal, a
// service token) is refused, and the refusal audited as ev.
func (s *Service) self(ctx context.Context, ev audit.Event) (identity.Principal, error) {
	p, _ := identity.FromContext(ctx)
	if d := authz.Check(ctx, authz.SessionOwn, authz.Resource{Kind: "session"}, true); !d.Allow {
		return p, s.fail(ctx, ev, audit.Denied, d.Reason, apperr.New(apperr.Forbidden, "forbidden", "not permitted: %s", d.Reason))
	}
	if p.Kind != identity.KindHuman {
		return p, s.fail(ctx, ev, audit.Denied, "not_a_user", apperr.New(apperr.Forbidden, "not_a_user", "only signed-in users have sessions"))
	}
	return p, nil
}

// Whoami returns the principal of the signed-in user of ctx (audited as
// session.read).
func (s *Service) Whoami(ctx context.Context) (identity.Principal, error) {
	ev := audit.NewEvent(ctx, "session.read", "session", audit.Success)
	p, err := s.self(ctx, ev)
	if err != nil {
		return identity.Principal{}, err
	}
	ev.Resource = "session/" + p.Attributes["session"]
	return p, s.appendOnly(ctx, ev)
}

// ListSessions returns the live sessions of the signed-in user of ctx.
func (s *Service) ListSessions(ctx context.Context) ([]SessionInfo, error) {
	p, err := s.self(ctx, audit.NewEvent(ctx, "session.list", "user", audit.Success))
	if err != nil {
		return nil, err
	}
	return s.listSessions(ctx, p.ID, p)
}

// ListUserSessions returns the live sessions of user id. The caller must
// be that user or allowed to manage users.
func (s *Service) ListUserSessions(ctx context.Context, id string) ([]SessionInfo, error) {
	p, _ := identity.FromContext(ctx)
	if p.ID != id || p.Kind != identity.KindHuman {
		ev := audit.NewEvent(ctx, "session.list", "user/"+id, audit.Success)
		if err := s.authorize(ctx, authz.UserManage, ev); err != nil {
			return nil, err
		}
	}
	return s.listSessions(ctx, id, p)
}

func (s *Service) listSessions(ctx context.Context, userID string, p identity.Principal) ([]SessionInfo, error) {
	ev := audit.NewEvent(ctx, "session.list", "user/"+userID, audit.Success)
	var rows []store.Session
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		if rows, err = tx.ListSessions(ctx, userID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, ev)
	})
	if err != nil {
		return nil, storeErr(err)
	}
	now := s.now()
	out := []SessionInfo{}
	for _, ss := range rows {
		if ss.Stage != stageFull || !now.Before(ss.ExpiresAt) || now.Sub(ss.LastSeenAt) >= s.opt.IdleTimeout {
			continue
		}
		out = append(out, SessionInfo{ID: ss.ID, UserID: ss.UserID, Client: ss.Client, CreatedAt: ss.CreatedAt,
			LastSeenAt: ss.LastSeenAt, ExpiresAt: ss.ExpiresAt, Current: ss.ID == p.Attributes["session"]})
	}
	return out, nil
}

// IdleTimeout is how long an unused session lasts.
func (s *Service) IdleTimeout() time.Duration { return s.opt.IdleTimeout }

// RevokeSession ends session id. The caller must own it or be allowed to
// manage users; anyone else is told it does not exist.
func (s *Service) RevokeSession(ctx context.Context, id string) error {
	p, _ := identity.FromContext(ctx)
	ev := audit.NewEvent(ctx, "session.revoke", "session/"+id, audit.Success)
	ev.Reason = "revoked"
	mayManage := authz.Check(ctx, authz.UserManage, authz.Resource{Kind: "session", ID: id}, false).Allow
	if d := authz.Check(ctx, authz.SessionOwn, authz.Resource{Kind: "session", ID: id}, true); !mayManage && !d.Allow {
		return s.fail(ctx, ev, audit.Denied, d.Reason, apperr.New(apperr.Forbidden, "forbidden", "not permitted: %s", d.Reason))
	}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		ss, err := tx.GetSession(ctx, id)
		if err != nil {
			return err
		}
		if ss.UserID != p.ID && !mayManage {
			return store.ErrNotFound
		}
		ev.Details = map[string]any{"user": ss.UserID}
		if err := tx.RevokeSession(ctx, id, s.now()); err != nil {
			return err
		}
		return audit.Append(ctx, tx, ev)
	})
	if errors.Is(err, store.ErrNotFound) {
		return s.fail(ctx, ev, audit.NotFound, "not_found", apperr.NotFoundErr("session"))
	}
	return storeErr(err)
}

// AuthenticateSession is Authenticate for the HTTP layer
// (httpx.SessionAuthenticator).
func (s *Service) AuthenticateSession(ctx context.Context, secret, userAgent string, addr netip.Addr) (identity.Principal, error) {
	return s.Authenticate(ctx, secret, Client{UserAgent: userAgent, Addr: addr})
}
