// Package users manages Confide's human accounts: their creation and
// enrollment through single-use links, passwords (Argon2id, a length rule,
// a common-password list and a reuse history), mandatory TOTP multi-factor
// authentication with single-use recovery codes, sign-in with per-account
// lockout and a per-address throttle, server-side sessions bound to their
// client with idle and absolute timeouts, and the disabling of dormant
// accounts.
//
// There is no path to a session without a second factor: a password alone
// yields a half session that only the MFA step accepts, and an account
// cannot sign in before it has enrolled TOTP.
//
// Every operation is audited in the same transaction as its effect and
// fails closed. Audit events name users by id only; e-mail addresses and
// names are sealed under a per-user keyset and never logged.
package users

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/redact"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/vault"
)

// Limits that configuration may tighten but not loosen (PCI DSS 8.3.4,
// 8.2.8), unless Options.AllowLongSessions is set.
const (
	MaxLockoutThreshold = 10
	MinLockoutDuration  = 30 * time.Minute
	MaxIdleTimeout      = 15 * time.Minute
	MaxSessionLifetime  = 12 * time.Hour
)

// Options configure a Service. Zero values take the defaults.
type Options struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives operational logs (never personal data or secrets).
	Logger *slog.Logger
	// LockoutThreshold is how many consecutive failed sign-in attempts
	// (password or second factor) lock an account (default and maximum 10).
	LockoutThreshold int
	// LockoutDuration is how long a locked account stays locked (default
	// and minimum 30 minutes).
	LockoutDuration time.Duration
	// IdleTimeout ends a session unused for this long (default 15 minutes).
	IdleTimeout time.Duration
	// SessionLifetime ends a session this long after sign-in, used or not
	// (default 12 hours).
	SessionLifetime time.Duration
	// AllowLongSessions permits IdleTimeout above 15 minutes and
	// SessionLifetime above 12 hours. New logs a warning when it is used.
	AllowLongSessions bool
	// DormantAfter disables an active account that has not signed in for
	// this long (default 90 days).
	DormantAfter time.Duration
	// LinkLifetime is how long an enrollment or setup link stays valid
	// (default 24 hours).
	LinkLifetime time.Duration
	// ThrottleFailures is how many failed sign-in attempts one client
	// address may make per ThrottleWindow before it is refused outright
	// (default 50 per 15 minutes).
	ThrottleFailures int
	ThrottleWindow   time.Duration
	// Argon2 are the password-hashing parameters (default DefaultParams).
	Argon2 Params
	// MaxConcurrentHashes bounds simultaneous password hashes, and so their
	// memory (default 4: 256 MiB with DefaultParams).
	MaxConcurrentHashes int
	// ReauthWindow is how recent a user's last authentication (sign-in or
	// re-authentication) must be for sensitive actions (default 5 minutes,
	// at most 15).
	ReauthWindow time.Duration
	// BreakGlassMax is the longest break-glass elevation (default and
	// maximum 30 minutes).
	BreakGlassMax time.Duration
}

// Timing of the steps between the password and a full session.
const (
	mfaWindow        = 5 * time.Minute  // a half session waits this long for the second factor
	enrollmentWindow = 30 * time.Minute // an enrollment session lasts at most this long
	touchEvery       = 30 * time.Second // LastSeenAt is written at most this often
)

func (o *Options) setDefaults() error {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if o.LockoutThreshold == 0 {
		o.LockoutThreshold = MaxLockoutThreshold
	}
	def(&o.LockoutDuration, MinLockoutDuration)
	def(&o.IdleTimeout, MaxIdleTimeout)
	def(&o.SessionLifetime, MaxSessionLifetime)
	def(&o.DormantAfter, 90*24*time.Hour)
	def(&o.LinkLifetime, 24*time.Hour)
	def(&o.ThrottleWindow, 15*time.Minute)
	if o.ThrottleFailures == 0 {
		o.ThrottleFailures = 50
	}
	if o.Argon2 == (Params{}) {
		o.Argon2 = DefaultParams
	}
	if o.MaxConcurrentHashes == 0 {
		o.MaxConcurrentHashes = 4
	}
	if err := o.elevationDefaults(); err != nil {
		return err
	}
	switch {
	case o.LockoutThreshold < 1 || o.LockoutThreshold > MaxLockoutThreshold:
		return fmt.Errorf("users: lockout threshold %d: must be 1 to %d", o.LockoutThreshold, MaxLockoutThreshold)
	case o.LockoutDuration < MinLockoutDuration:
		return fmt.Errorf("users: lockout duration %v: must be at least %v", o.LockoutDuration, MinLockoutDuration)
	case o.IdleTimeout < 0 || o.SessionLifetime < 0 || o.DormantAfter < 0 || o.LinkLifetime < 0 || o.ThrottleWindow < 0:
		return errors.New("users: durations must not be negative")
	case !o.AllowLongSessions && o.IdleTimeout > MaxIdleTimeout:
		return fmt.Errorf("users: idle timeout %v exceeds %v; allow long sessions explicitly to use it", o.IdleTimeout, MaxIdleTimeout)
	case !o.AllowLongSessions && o.SessionLifetime > MaxSessionLifetime:
		return fmt.Errorf("users: session lifetime %v exceeds %v; allow long sessions explicitly to use it", o.SessionLifetime, MaxSessionLifetime)
	case o.IdleTimeout > o.SessionLifetime:
		return fmt.Errorf("users: idle timeout %v exceeds the session lifetime %v", o.IdleTimeout, o.SessionLifetime)
	case o.ThrottleFailures < 1 || o.MaxConcurrentHashes < 1:
		return errors.New("users: throttle and hash concurrency limits must be positive")
	}
	if _, err := parseHash(hashPassword("", o.Argon2)); err != nil {
		return fmt.Errorf("users: Argon2 parameters %+v are out of range", o.Argon2)
	}
	return nil
}

// Service manages users, their credentials and their sessions.
type Service struct {
	st    store.Store
	vault *vault.Vault
	opt   Options
	log   *slog.Logger

	hashes   chan struct{} // semaphore bounding concurrent Argon2id hashes
	dummy    string        // a hash verified for unknown accounts, to even out timing
	throttle *throttle
	redactor *redact.Redactor                  // removes personal data from free text (elevation.go)
	rp       atomic.Pointer[webauthn.WebAuthn] // passkey relying party; nil: off (webauthn.go)
}

// New returns a Service over st, sealing personal data with v.
func New(st store.Store, v *vault.Vault, opt Options) (*Service, error) {
	if err := opt.setDefaults(); err != nil {
		return nil, err
	}
	if opt.AllowLongSessions && (opt.IdleTimeout > MaxIdleTimeout || opt.SessionLifetime > MaxSessionLifetime) {
		opt.Logger.Warn("sessions may outlive the compliance limits (allow long sessions is set)",
			"idle_timeout", opt.IdleTimeout, "session_lifetime", opt.SessionLifetime)
	}
	red, err := defaultRedactor()
	if err != nil {
		return nil, fmt.Errorf("users: redactor: %w", err)
	}
	return &Service{
		st: st, vault: v, opt: opt, log: opt.Logger, redactor: red,
		hashes:   make(chan struct{}, opt.MaxConcurrentHashes),
		dummy:    hashPassword(newSecret("dummy"), opt.Argon2),
		throttle: newThrottle(opt.ThrottleFailures, opt.ThrottleWindow),
	}, nil
}

// Status is an account's state.
type Status string

// Account states.
const (
	// StatusPending accounts have not finished enrollment; they cannot sign
	// in.
	StatusPending Status = "pending"
	// StatusActive accounts have a password and a second factor.
	StatusActive Status = "active"
	// StatusDisabled accounts cannot sign in and have no sessions.
	StatusDisabled Status = "disabled"
)

// Errors callers distinguish. Their messages are safe to show.
var (
	// ErrInvalidCredentials answers every failed sign-in the same way,
	// whether the account is unknown, disabled, locked or the password or
	// code is wrong.
	ErrInvalidCredentials = apperr.New(apperr.Unauthenticated, "invalid_credentials", "the sign-in details are not valid")
	// ErrThrottled refuses a client address that failed too often.
	ErrThrottled = apperr.New(apperr.TooManyRequests, "throttled", "too many failed attempts from this address; try again later")
	// ErrNoSession is returned for a missing, unknown, expired, revoked
	// or rebound session, or one at the wrong stage.
	ErrNoSession = apperr.New(apperr.Unauthenticated, "reauthenticate", "sign in again")
	// ErrInvalidLink is returned for an unknown, used or expired link.
	ErrInvalidLink = apperr.New(apperr.NotFound, "invalid_link", "the link is not valid: it may have expired or been used; ask a security admin for a new one")
)

// now returns the clock's time in UTC, truncated to the store's precision.
func (s *Service) now() time.Time { return s.opt.Now().UTC().Truncate(time.Microsecond) }

// appendOnly writes one audit event in its own transaction.
func (s *Service) appendOnly(ctx context.Context, ev audit.Event) error {
	if err := s.st.Update(ctx, func(tx store.Tx) error { return audit.Append(ctx, tx, ev) }); err != nil {
		return apperr.Wrap(err, "audit log unavailable")
	}
	return nil
}

// fail audits ev with outcome and reason and returns err, or the audit
// error, which takes precedence (fail closed).
func (s *Service) fail(ctx context.Context, ev audit.Event, outcome audit.Outcome, reason string, err error) error {
	ev.Outcome, ev.Reason = outcome, reason
	if aerr := s.appendOnly(ctx, ev); aerr != nil {
		return aerr
	}
	return err
}

// storeErr maps a store error to a user-safe error.
func storeErr(err error) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return apperr.New(apperr.Unavailable, "cancelled", "request cancelled").WithCause(err)
	}
	return apperr.Wrap(err, "storage error")
}

// Refuse audits a request for action (an audit catalogue action such as
// "login.password") that the HTTP layer refused before it reached the
// service — a malformed body, a cross-origin request, a bearer token on a
// sign-in route — and returns err (or the audit error: fail closed).
func (s *Service) Refuse(ctx context.Context, action string, err error) error {
	ev := audit.NewEvent(ctx, action, "user", audit.Invalid)
	if k := apperr.KindOf(err); k == apperr.Forbidden || k == apperr.Unauthenticated {
		ev.Outcome = audit.Denied
	}
	return s.fail(ctx, ev, ev.Outcome, apperr.As(err).Code, err)
}
