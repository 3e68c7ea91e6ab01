package users

import (
	"context"
	"errors"
	"time"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// verify checks password against phc (or, if phc is empty, against a
// dummy hash, so that unknown accounts cost the same time), holding one of
// the hashing slots.
func (s *Service) verify(ctx context.Context, phc, password string) (ok, stale bool, err error) {
	select {
	case s.hashes <- struct{}{}:
	case <-ctx.Done():
		return false, false, ctx.Err()
	}
	defer func() { <-s.hashes }()
	if phc == "" || len(password) > maxPasswordBytes {
		_, _, _ = verifyPassword(s.dummy, password, s.opt.Argon2)
		return false, false, nil
	}
	return verifyPassword(phc, password, s.opt.Argon2)
}

// hash hashes password, holding one of the hashing slots.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	select {
	case s.hashes <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-s.hashes }()
	return hashPassword(password, s.opt.Argon2), nil
}

// userByEmail finds the user with this (normalized) address.
func (s *Service) userByEmail(ctx context.Context, tx store.Tx, email string) (store.User, error) {
	hashes, err := s.vault.IndexHashes(emailIndexPurpose, []byte(email))
	if err != nil {
		return store.User{}, err
	}
	for _, h := range hashes {
		u, err := tx.UserByEmailIndex(ctx, h.KeyID, h.Sum)
		if !errors.Is(err, store.ErrNotFound) {
			return u, err
		}
	}
	return store.User{}, store.ErrNotFound
}

// Login checks an e-mail address and password (the first factor) and, if
// they are right and the account is active and not locked, returns a half
// session that only CompleteMFA accepts. Every failure is
// ErrInvalidCredentials, with the same cost whether the account exists or
// not; failures count towards the account's lockout and the client
// address's throttle (ErrThrottled once exceeded).
func (s *Service) Login(ctx context.Context, email, password string, c Client) (Issued, error) {
	ev := audit.NewEvent(ctx, "login.password", "user", audit.Success)
	if p, ok := identity.FromContext(ctx); ok && p.Kind != identity.KindHuman {
		return Issued{}, s.fail(ctx, ev, audit.Denied, "not_a_human",
			apperr.New(apperr.Forbidden, "not_a_human", "service accounts cannot open interactive sessions"))
	}
	if s.throttle.blocked(c.Addr, s.now()) {
		return Issued{}, s.fail(ctx, ev, audit.Denied, "throttled", ErrThrottled)
	}
	var u store.User
	found := false
	if norm, err := NormalizeEmail(email); err == nil {
		err := s.st.View(ctx, func(tx store.Tx) error {
			var err error
			u, err = s.userByEmail(ctx, tx, norm)
			return err
		})
		switch {
		case err == nil:
			found = true
		case !errors.Is(err, store.ErrNotFound):
			return Issued{}, storeErr(err)
		}
	}
	good, stale, err := s.verify(ctx, u.PasswordHash, password)
	if err != nil && !errors.Is(err, errBadHash) {
		return Issued{}, storeErr(err)
	}
	if !found {
		s.throttle.fail(c.Addr, s.now())
		return Issued{}, s.fail(ctx, ev, audit.Denied, "unknown_account", ErrInvalidCredentials)
	}
	ev.Resource, ev.ActorID, ev.ActorKind = "user/"+u.ID, u.ID, string(identity.KindHuman)
	var issued Issued
	reason := ""
	err = s.st.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetUser(ctx, u.ID) // locked: lockout counting is exact across nodes
		if err != nil {
			return err
		}
		now := s.now()
		if reason, err = s.admit(ctx, tx, cur, good && cur.PasswordHash == u.PasswordHash, &ev, now); reason != "" || err != nil {
			return err
		}
		if stale {
			if cur.PasswordHash, err = s.hash(ctx, password); err != nil {
				return err
			}
			cur.UpdatedAt = now
			if err := tx.UpdateUser(ctx, cur); err != nil {
				return err
			}
		}
		if issued, err = s.newSession(ctx, tx, cur.ID, stagePassword, c, mfaWindow); err != nil {
			return err
		}
		ev.Details = map[string]any{"session": issued.ID, "next": "mfa"}
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

// countFailure records a failed attempt on u (ev, denied with reason) and
// locks the account when it reaches the threshold (user.lock). Locking
// refuses new sign-ins only: it does not end the user's sessions, so that
// someone guessing passwords cannot sign the user out.
// admit checks, inside a sign-in or re-authentication transaction, the
// account's state and, for a step that takes the password, its verdict
// (passwordOK: it verified against the hash the account still holds; true
// for second-factor steps). A failure's reason is returned after it was
// counted toward lockout (bad_password) or audited as ev (a disabled or
// locked account).
func (s *Service) admit(ctx context.Context, tx store.Tx, cur store.User, passwordOK bool, ev *audit.Event, now time.Time) (string, error) {
	reason := ""
	switch {
	case cur.Status != string(StatusActive):
		reason = "account_" + cur.Status
	case cur.LockedUntil.After(now):
		reason = "locked"
	case !passwordOK:
		return "bad_password", s.countFailure(ctx, tx, cur, *ev, "bad_password")
	}
	if reason != "" {
		ev.Outcome, ev.Reason = audit.Denied, reason
		return reason, audit.Append(ctx, tx, *ev)
	}
	return "", nil
}

func (s *Service) countFailure(ctx context.Context, tx store.Tx, u store.User, ev audit.Event, reason string) error {
	now := s.now()
	u.FailedLogins++
	locked := u.FailedLogins >= s.opt.LockoutThreshold
	if locked {
		u.FailedLogins, u.LockedUntil = 0, now.Add(s.opt.LockoutDuration)
	}
	u.UpdatedAt = now
	if err := tx.UpdateUser(ctx, u); err != nil {
		return err
	}
	ev.Outcome, ev.Reason = audit.Denied, reason
	if err := audit.Append(ctx, tx, ev); err != nil {
		return err
	}
	if !locked {
		return nil
	}
	lock := audit.NewEvent(ctx, "user.lock", "user/"+u.ID, audit.Success)
	lock.Reason = "too_many_failures"
	lock.Details = map[string]any{"until": u.LockedUntil.Format(time.RFC3339), "threshold": s.opt.LockoutThreshold}
	return audit.Append(ctx, tx, lock)
}

// CompleteMFA checks the second factor — a TOTP code or an unused recovery
// code — for the half session of secret and, if it is right, ends the half
// session and returns a full one. A wrong code counts towards the
// account's lockout; reaching it also ends the half session. Failures are
// ErrInvalidCredentials (or ErrNoSession for a missing half session).
func (s *Service) CompleteMFA(ctx context.Context, secret, code string, c Client) (Issued, error) {
	return s.completeSignIn(ctx, "login.mfa", secret, c, codeFactor(s, code))
}

// checkSecondFactor verifies code for u and consumes it: a TOTP step is
// recorded in u (the caller saves u), a recovery code is marked used.
func (s *Service) checkSecondFactor(ctx context.Context, tx store.Tx, u *store.User, method, code string, now time.Time) (bool, error) {
	if method == "recovery_code" {
		if normalizeRecoveryCode(code) == "" {
			return false, nil
		}
		err := tx.UseRecoveryCode(ctx, u.ID, recoveryHash(code), now)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	if len(u.TOTPSecret) == 0 {
		return false, nil // enrolled with passkeys only (webauthn.go): no code is right
	}
	secret, err := s.totpSecret(ctx, *u)
	if err != nil {
		return false, err
	}
	step, ok := matchTOTP(secret, code, now, u.TOTPLastStep)
	if ok {
		u.TOTPLastStep = step
	}
	return ok, nil
}

// totpSecret opens u's sealed TOTP secret.
func (s *Service) totpSecret(ctx context.Context, u store.User) (string, error) {
	if len(u.TOTPSecret) == 0 {
		return "", errors.New("users: no TOTP secret")
	}
	k, err := s.keys(ctx, u)
	if err != nil {
		return "", err
	}
	pt, err := k.Open(u.TOTPSecret, totpAD(u.ID))
	if err != nil {
		return "", err
	}
	return string(pt), nil
}
