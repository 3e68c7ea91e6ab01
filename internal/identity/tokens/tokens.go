// Package tokens manages API tokens, the credentials of service accounts
// (integrations). A token is shown once at creation; only its SHA-256 hash
// is stored, so a database dump yields no usable credential.
package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// Prefix starts every token, so secret scanners can recognise leaked ones.
const Prefix = "cft_"

// touchEvery bounds how often a token's last-used time is written.
const touchEvery = 5 * time.Minute

var nameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$`)

// Service creates, authenticates, lists and revokes tokens.
type Service struct {
	st  store.Store
	now func() time.Time

	mu      sync.Mutex
	touched map[string]time.Time // token id -> last write of LastUsedAt
}

// New returns a Service over st.
func New(st store.Store) *Service {
	return &Service{st: st, now: time.Now, touched: map[string]time.Time{}}
}

// Hash returns the stored form of a token secret.
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Create makes a token for a service account with one role, usable from
// any address; see CreateWithNetworks.
func (s *Service) Create(ctx context.Context, name, role string) (string, store.Token, error) {
	return s.CreateWithNetworks(ctx, name, role, nil)
}

// CreateWithNetworks makes a token for a service account with one role,
// usable only from the given networks (see ParseNetworks; none means any
// address), and returns the secret (shown once) and the stored token. The
// creation is audited in the same transaction; the caller's principal (a
// security admin, or the local system for the CLI) must be in ctx. Invalid
// input creates nothing.
func (s *Service) CreateWithNetworks(ctx context.Context, name, role string, networks []string) (string, store.Token, error) {
	ev := audit.NewEvent(ctx, "token.create", "token", audit.Success)
	var invalid error
	var prefixes []netip.Prefix
	switch {
	case !nameRE.MatchString(name):
		invalid = apperr.New(apperr.Invalid, "invalid_name", "name: 1 to 64 characters of [A-Za-z0-9_.-], starting with a letter or digit")
	case !identity.ValidRole(role):
		invalid = apperr.New(apperr.Invalid, "invalid_role", "role: must be one of %s", strings.Join(identity.Roles, ", "))
	default:
		prefixes, invalid = ParseNetworks(networks)
	}
	if invalid != nil {
		return "", store.Token{}, s.auditFailure(ctx, ev, audit.Invalid, invalid)
	}
	var raw [32]byte
	rand.Read(raw[:])
	secret := Prefix + base64.RawURLEncoding.EncodeToString(raw[:])
	var idb [8]byte
	rand.Read(idb[:])
	t := store.Token{ID: "tok_" + hex.EncodeToString(idb[:]), Name: name, Role: role, Hash: Hash(secret), CreatedAt: s.now().UTC(),
		Networks: prefixes}
	ev.Resource = "token/" + t.ID
	ev.Details = map[string]any{"role": role}
	if len(prefixes) > 0 {
		ev.Details["networks"] = NetworkStrings(prefixes)
	}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		if err := tx.InsertToken(ctx, t); err != nil {
			return err
		}
		return audit.Append(ctx, tx, ev)
	})
	if err != nil {
		return "", store.Token{}, apperr.Wrap(err, "token not created")
	}
	return secret, t, nil
}

// ErrInvalid is returned for unknown, malformed or revoked tokens; callers
// cannot tell which.
var ErrInvalid = errors.New("invalid token")

// Authenticate returns the principal of a token secret presented by a
// client at addr (the TCP peer; zero if unknown). A token limited to
// networks that do not contain addr fails with a *NetworkError, which is
// ErrInvalid; a token limited to networks is refused when addr is unknown.
// It costs one store query (plus, at most every touchEvery, one write).
func (s *Service) Authenticate(ctx context.Context, secret string, addr netip.Addr) (identity.Principal, error) {
	if !strings.HasPrefix(secret, Prefix) || len(secret) > 128 {
		return identity.Principal{}, ErrInvalid
	}
	h := Hash(secret)
	var t store.Token
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		t, err = tx.TokenByHash(ctx, h)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return identity.Principal{}, ErrInvalid
	} else if err != nil {
		return identity.Principal{}, fmt.Errorf("token lookup: %w", err)
	}
	if subtle.ConstantTimeCompare(t.Hash, h) != 1 || !t.RevokedAt.IsZero() {
		return identity.Principal{}, ErrInvalid
	}
	p := identity.Principal{ID: t.ID, Kind: identity.KindService, Name: t.Name, Roles: []string{t.Role}}
	if !Allowed(t.Networks, addr) {
		return identity.Principal{}, &NetworkError{Principal: p}
	}
	s.touch(ctx, t.ID)
	return p, nil
}

// touch records the token's use, at most once per touchEvery per node.
func (s *Service) touch(ctx context.Context, id string) {
	now := s.now()
	s.mu.Lock()
	last := s.touched[id]
	due := now.Sub(last) >= touchEvery
	if due {
		s.touched[id] = now
	}
	s.mu.Unlock()
	if due {
		// Best effort: a failed touch must not fail the request.
		_ = s.st.Update(ctx, func(tx store.Tx) error { return tx.TouchToken(ctx, id, now.UTC()) })
	}
}

// List returns every token (hashes included; callers must not expose them).
func (s *Service) List(ctx context.Context) ([]store.Token, error) {
	var out []store.Token
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		if out, err = tx.ListTokens(ctx); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.NewEvent(ctx, "token.list", "token", audit.Success))
	})
	return out, err
}

// Revoke revokes a token by id; it stops working at once on every node.
func (s *Service) Revoke(ctx context.Context, id string) error {
	ev := audit.NewEvent(ctx, "token.revoke", "token/"+id, audit.Success)
	err := s.st.Update(ctx, func(tx store.Tx) error {
		if err := tx.RevokeToken(ctx, id, s.now().UTC()); err != nil {
			return err
		}
		return audit.Append(ctx, tx, ev)
	})
	if errors.Is(err, store.ErrNotFound) {
		return s.auditFailure(ctx, ev, audit.NotFound, apperr.NotFoundErr("token"))
	}
	return err
}

// auditFailure records ev with outcome and returns err (or the audit error,
// which takes precedence: fail closed).
func (s *Service) auditFailure(ctx context.Context, ev audit.Event, outcome audit.Outcome, err error) error {
	ev.Outcome = outcome
	ev.Reason = apperr.As(err).Code
	if aerr := s.st.Update(ctx, func(tx store.Tx) error { return audit.Append(ctx, tx, ev) }); aerr != nil {
		return apperr.Wrap(aerr, "audit log unavailable")
	}
	return err
}
