package records

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync/atomic"
	"time"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// Verification methods.
const (
	VerifySMS   = "sms"   // one-time code to a registered phone
	VerifyEmail = "email" // one-time code to a registered email address
	VerifyKBA   = "kba"   // knowledge-based: answers compared with the profile
)

// Fixed rules of one-time codes (docs/VERIFICATION.md).
const (
	CodeDigits   = 6
	CodeTTL      = 5 * time.Minute
	CodeAttempts = 3
)

// Defaults of VerificationOptions.
const (
	DefaultMaxVerificationStarts = 5
	DefaultTakeoverThreshold     = 3
	DefaultTakeoverWindow        = 24 * time.Hour
)

// Audit actions of verification that are not authorization actions.
const actionTakeoverSignal = "verification.takeover_signal"

// purposeVerificationCode separates code hashes from blind-index hashes
// computed with the same key.
const purposeVerificationCode = "verification_code"

// Sender delivers a message to a phone number or email address (see
// package notify). Its errors must not contain the destination or the
// message.
type Sender interface {
	Send(ctx context.Context, to, message string) error
}

// VerificationOptions configure caller verification.
type VerificationOptions struct {
	SMS   Sender // delivers codes by SMS; nil: the sms method is not available
	Email Sender // delivers codes by email; nil: the email method is not available
	// MaxStarts bounds the verifications started in one interaction
	// (default 5); more are refused with 429.
	MaxStarts int
	// TakeoverThreshold failed verifications of one customer within
	// TakeoverWindow, across interactions, raise an account-takeover
	// signal (defaults 3 and 24h).
	TakeoverThreshold int
	TakeoverWindow    time.Duration
	// Now is the clock (default: the service's).
	Now func() time.Time
}

// Verifier verifies callers' identities in interactions.
type Verifier struct {
	s   *Service
	opt VerificationOptions
	now atomic.Pointer[func() time.Time]
}

// NewVerifier returns the caller verification service over s.
func (s *Service) NewVerifier(opt VerificationOptions) *Verifier {
	if opt.MaxStarts <= 0 {
		opt.MaxStarts = DefaultMaxVerificationStarts
	}
	if opt.TakeoverThreshold <= 0 {
		opt.TakeoverThreshold = DefaultTakeoverThreshold
	}
	if opt.TakeoverWindow <= 0 {
		opt.TakeoverWindow = DefaultTakeoverWindow
	}
	v := &Verifier{s: s, opt: opt}
	now := opt.Now
	if now == nil {
		now = s.opt.Now
	}
	v.now.Store(&now)
	return v
}

// SetClock replaces the verifier's clock, for tests and simulations of
// code expiry.
func (v *Verifier) SetClock(now func() time.Time) { v.now.Store(&now) }

func (v *Verifier) clock() time.Time { return (*v.now.Load())().UTC() }

// StartVerificationRequest starts a verification. For sms and email,
// Destination picks the registered phone or email address by its index in
// the profile (default 0, the first); the agent never supplies a
// destination. For kba, Answers holds what the caller said.
type StartVerificationRequest struct {
	Method      string      `json:"method"`
	Destination *int        `json:"destination,omitempty"`
	Answers     *KBAAnswers `json:"answers,omitempty"`
}

// KBAAnswers are the caller's answers to knowledge-based questions; at
// least two must be given.
type KBAAnswers struct {
	DateOfBirth  string `json:"date_of_birth,omitempty"` // YYYY-MM-DD (also YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD)
	Postcode     string `json:"postcode,omitempty"`      // case, spaces and hyphens ignored
	AccountLast4 string `json:"account_last4,omitempty"` // last 4 characters of any account number
}

// VerificationView is what the agent learns about a verification: never a
// code, never a stored value, and the destination only masked.
type VerificationView struct {
	ID           string     `json:"id"`
	Method       string     `json:"method"`
	Status       string     `json:"status"`           // pending, passed or failed
	Result       string     `json:"result,omitempty"` // kba: passed or failed
	ExpiresAt    *time.Time `json:"expires_at,omitempty"`
	Destination  string     `json:"destination,omitempty"` // masked, e.g. "+1 ***-***-0134"
	AttemptsLeft *int       `json:"attempts_left,omitempty"`
}

// CheckResult is the answer to a code check.
type CheckResult struct {
	Result       string `json:"result"` // passed or failed
	AttemptsLeft int    `json:"attempts_left"`
}

// Limits on verification input.
const (
	maxDestinations = maxListLen
	maxAnswerLen    = 64
)

// StartVerification starts a verification of the caller in the live
// interaction id. A code is sent before anything is stored: if delivery
// fails, no verification exists.
func (v *Verifier) StartVerification(ctx context.Context, id string, req StartVerificationRequest) (VerificationView, error) {
	s := v.s
	resource := "interaction/" + id
	if err := s.authorize(ctx, authz.VerificationStart, resource, "interaction"); err != nil {
		return VerificationView{}, err
	}
	ev := audit.NewEvent(ctx, string(authz.VerificationStart), resource, audit.Success)
	ev.Details = map[string]any{}
	norm, err := v.validateStart(req)
	if err != nil {
		return VerificationView{}, s.reject(ctx, ev, err)
	}
	ev.Details["method"] = req.Method // one of the three, once validated
	row, profile, err := s.loadScoped(ctx, ev, id, true)
	if err != nil {
		return VerificationView{}, err
	}
	ev.Details["customer_id"] = row.CustomerID
	if err := v.checkStartable(ctx, row); err != nil {
		return VerificationView{}, s.reject(ctx, ev, err)
	}
	now := v.clock()
	rec := store.Verification{ID: newID(), InteractionID: id, CustomerID: row.CustomerID, Method: req.Method,
		Status: store.VerificationPending, MaxAttempts: CodeAttempts, CreatedAt: now, ExpiresAt: now.Add(CodeTTL)}
	if p, ok := identity.FromContext(ctx); ok {
		rec.ActorID = p.ID
	}
	view := VerificationView{ID: rec.ID, Method: req.Method}
	if req.Method == VerifyKBA {
		passed := matchKBA(profile, norm)
		rec.Status, rec.CompletedAt, rec.ExpiresAt = store.VerificationFailed, now, now
		view.Status, view.Result = store.VerificationFailed, "failed"
		if passed {
			rec.Status, view.Status, view.Result = store.VerificationPassed, store.VerificationPassed, "passed"
		}
		ev.Details["answered"] = norm.answered()
		ev.Details["verification_id"] = rec.ID
		ev.Details["result"] = view.Result
		if !passed {
			ev.Outcome, ev.Reason = audit.Failure, "kba_mismatch"
		}
		if err := v.commit(ctx, ev, func(tx store.Tx, _ *audit.Event) ([]audit.Event, error) { return v.record(ctx, tx, rec) }); err != nil {
			return VerificationView{}, err
		}
		return view, nil
	}

	// One-time code.
	idx := 0
	if req.Destination != nil {
		idx = *req.Destination
	}
	ev.Details["destination_index"] = idx
	dests, sender := profile.Phones, v.opt.SMS
	if req.Method == VerifyEmail {
		dests, sender = profile.Emails, v.opt.Email
	}
	if sender == nil {
		return VerificationView{}, s.reject(ctx, ev, apperr.New(apperr.Unprocessable, "method_unavailable",
			"method: %s delivery is not configured on this server", req.Method))
	}
	if idx >= len(dests) {
		what := "phone numbers"
		if req.Method == VerifyEmail {
			what = "email addresses"
		}
		if len(dests) == 0 {
			return VerificationView{}, s.reject(ctx, ev, apperr.New(apperr.Unprocessable, "no_destination",
				"the customer has no registered %s", what))
		}
		return VerificationView{}, s.reject(ctx, ev, apperr.New(apperr.Unprocessable, "no_destination",
			"destination: the customer has %d registered %s; use an index from 0 to %d", len(dests), what, len(dests)-1))
	}
	code, err := newCode()
	if err != nil {
		return VerificationView{}, apperr.Wrap(err, "random source unavailable")
	}
	hashes, err := s.vault.IndexHashes(purposeVerificationCode, codeInput(rec.ID, code))
	if err != nil {
		return VerificationView{}, apperr.Wrap(err, "code hashing unavailable")
	}
	rec.CodeKeyID, rec.CodeHash = hashes[0].KeyID, hashes[0].Sum
	if err := sender.Send(ctx, dests[idx], codeMessage(code)); err != nil {
		s.log.Warn("verification code not delivered", "method", req.Method, "interaction", id, "err", err)
		return VerificationView{}, s.reject(ctx, ev, apperr.New(apperr.Unavailable, "delivery_failed",
			"the %s gateway did not accept the message; no verification was started", req.Method))
	}
	ev.Details["verification_id"] = rec.ID
	if err := v.commit(ctx, ev, func(tx store.Tx, _ *audit.Event) ([]audit.Event, error) { return v.record(ctx, tx, rec) }); err != nil {
		return VerificationView{}, err
	}
	left := CodeAttempts
	exp := rec.ExpiresAt
	view.Status, view.ExpiresAt, view.AttemptsLeft = store.VerificationPending, &exp, &left
	if req.Method == VerifyEmail {
		view.Destination = MaskEmail(dests[idx])
	} else {
		view.Destination = MaskPhone(dests[idx])
	}
	return view, nil
}

// validateStart checks the request's shape; errors name fields, never
// values.
func (v *Verifier) validateStart(req StartVerificationRequest) (KBAAnswers, error) {
	switch req.Method {
	case VerifySMS, VerifyEmail:
		if req.Answers != nil {
			return KBAAnswers{}, invalid("invalid_request", "answers: only for method kba")
		}
		if req.Destination != nil && (*req.Destination < 0 || *req.Destination >= maxDestinations) {
			return KBAAnswers{}, invalid("invalid_destination", "destination: an index from 0 to %d", maxDestinations-1)
		}
		return KBAAnswers{}, nil
	case VerifyKBA:
		if req.Destination != nil {
			return KBAAnswers{}, invalid("invalid_request", "destination: only for methods sms and email")
		}
		if req.Answers == nil {
			return KBAAnswers{}, invalid("invalid_answers", "answers: at least two of date_of_birth, postcode, account_last4 are required")
		}
		return NormalizeKBA(*req.Answers)
	case "":
		return KBAAnswers{}, invalid("invalid_method", "method: required (sms, email or kba)")
	}
	return KBAAnswers{}, invalid("invalid_method", "method: must be sms, email or kba")
}

// loadScoped reads the interaction (and, if withProfile, the
// customer's profile) and enforces interaction scope. A caller who is not
// assigned to the interaction finds it does not exist.
func (s *Service) loadScoped(ctx context.Context, ev audit.Event, id string, withProfile bool) (store.Interaction, Profile, error) {
	var row store.Interaction
	var profile Profile
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		if !validID(id) {
			return apperr.NotFoundErr("interaction")
		}
		row, err = tx.GetInteraction(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.NotFoundErr("interaction")
		} else if err != nil {
			return err
		}
		if !withProfile || !assigned(ctx, row) {
			return nil
		}
		c, err := s.loadCustomer(ctx, tx, row.CustomerID)
		if apperr.KindOf(err) == apperr.NotFound {
			return apperr.NotFoundErr("interaction")
		}
		profile = c.Profile
		return err
	})
	if err != nil {
		return row, profile, s.reject(ctx, ev, mapStoreErr(err))
	}
	if !assigned(ctx, row) {
		return row, profile, s.denyUnassigned(ctx, ev)
	}
	return row, profile, nil
}

// assigned reports whether the principal of ctx may act in the
// interaction: an agent only in one assigned to them (its agent field
// holds their user id); supervisors and integrations, whose role already
// permits the action, in any. This is the interaction scope the policy
// engine takes over.
func assigned(ctx context.Context, row store.Interaction) bool {
	p, _ := identity.FromContext(ctx)
	if p.HasRole(identity.RoleSupervisor) || p.HasRole(identity.RoleIntegration) {
		return true
	}
	return row.Agent != "" && row.Agent == p.ID
}

// denyUnassigned audits a refusal for lack of assignment and answers "not
// found", as for an interaction the caller cannot see.
func (s *Service) denyUnassigned(ctx context.Context, ev audit.Event) error {
	ev.Outcome, ev.Reason = audit.Denied, "not_assigned"
	delete(ev.Details, "customer_id")
	if err := s.appendOnly(ctx, ev); err != nil {
		return err
	}
	return apperr.NotFoundErr("interaction")
}

var (
	errInteractionEnded = apperr.New(apperr.Conflict, "interaction_ended", "the interaction has ended")
	errTooManyStarts    = func(n int) error {
		return apperr.New(apperr.TooManyRequests, "too_many_verifications", "at most %d verifications may be started in one interaction", n)
	}
)

func (v *Verifier) checkStartable(ctx context.Context, row store.Interaction) error {
	if !row.EndedAt.IsZero() {
		return errInteractionEnded
	}
	var n int
	err := v.s.st.View(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.CountVerifications(ctx, row.ID)
		return err
	})
	if err != nil {
		return mapStoreErr(err)
	}
	if n >= v.opt.MaxStarts {
		return errTooManyStarts(v.opt.MaxStarts)
	}
	return nil
}

// record stores a new verification inside tx, re-checking under the
// interaction's lock that it is live and below the limit; a passed one
// marks the interaction verified, a failed one may raise the takeover
// signal.
func (v *Verifier) record(ctx context.Context, tx store.Tx, rec store.Verification) ([]audit.Event, error) {
	cur, err := tx.LockInteraction(ctx, rec.InteractionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.NotFoundErr("interaction")
	} else if err != nil {
		return nil, err
	}
	if !cur.EndedAt.IsZero() {
		return nil, errInteractionEnded
	}
	n, err := tx.CountVerifications(ctx, rec.InteractionID)
	if err != nil {
		return nil, err
	}
	if n >= v.opt.MaxStarts {
		return nil, errTooManyStarts(v.opt.MaxStarts)
	}
	if err := tx.InsertVerification(ctx, rec); err != nil {
		return nil, err
	}
	return v.settle(ctx, tx, rec)
}

// settle applies the consequences of a completed verification inside tx:
// a pass marks the interaction verified; a failure may call for the
// account-takeover signal, returned to be appended after the event of the
// operation.
func (v *Verifier) settle(ctx context.Context, tx store.Tx, rec store.Verification) ([]audit.Event, error) {
	switch rec.Status {
	case store.VerificationPassed:
		err := tx.SetInteractionVerified(ctx, rec.InteractionID, rec.CompletedAt)
		if errors.Is(err, store.ErrConflict) {
			return nil, errInteractionEnded
		}
		return nil, err
	case store.VerificationFailed:
		n, err := tx.CountFailedVerifications(ctx, rec.CustomerID, rec.CompletedAt.Add(-v.opt.TakeoverWindow))
		if err != nil {
			return nil, err
		}
		if n < v.opt.TakeoverThreshold {
			return nil, nil
		}
		sig := audit.NewEvent(ctx, actionTakeoverSignal, "customer/"+rec.CustomerID, audit.Success)
		sig.Reason = "repeated_verification_failures"
		sig.Details = map[string]any{"severity": "high", "failures": n, "window_seconds": int64(v.opt.TakeoverWindow / time.Second),
			"threshold": v.opt.TakeoverThreshold, "interaction_id": rec.InteractionID, "verification_id": rec.ID,
			"customer_id": rec.CustomerID}
		return []audit.Event{sig}, nil
	}
	return nil, nil
}

// commit runs fn in a write transaction and appends ev in the same
// transaction with the outcome fn leaves in it (success unless fn set
// another), like audited.
func (v *Verifier) commit(ctx context.Context, ev audit.Event, fn func(tx store.Tx, ev *audit.Event) ([]audit.Event, error)) error {
	var fnErr error
	var extra []audit.Event
	err := v.s.st.Update(ctx, func(tx store.Tx) error {
		e := ev
		extra, fnErr = fn(tx, &e)
		if fnErr != nil {
			return fnErr
		}
		if e.Outcome == "" {
			e.Outcome = audit.Success
		}
		if err := audit.Append(ctx, tx, e); err != nil {
			return err
		}
		for _, x := range extra {
			if err := audit.Append(ctx, tx, x); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, x := range extra {
			v.s.log.Warn("account takeover signal: repeated caller verification failures", "customer", x.Details["customer_id"], "failures", x.Details["failures"])
		}
	}
	if fnErr != nil {
		ev.Reason = ""
		return v.s.reject(ctx, ev, mapStoreErr(fnErr))
	}
	return mapStoreErr(err)
}

// CheckCode checks a one-time code of verification vid in interaction id.
// A wrong code uses up an attempt; after CodeAttempts wrong codes, or once
// expired, the verification is spent.
func (v *Verifier) CheckCode(ctx context.Context, id, vid, code string) (CheckResult, error) {
	s := v.s
	resource := "interaction/" + id
	if err := s.authorize(ctx, authz.VerificationCheck, resource, "interaction"); err != nil {
		return CheckResult{}, err
	}
	ev := audit.NewEvent(ctx, string(authz.VerificationCheck), resource, audit.Success)
	ev.Details = map[string]any{}
	if validID(vid) {
		ev.Details["verification_id"] = vid
	}
	code = strings.TrimSpace(code)
	if !isCode(code) {
		return CheckResult{}, s.reject(ctx, ev, invalid("invalid_code", "code: must be %d digits", CodeDigits))
	}
	if _, _, err := s.loadScoped(ctx, ev, id, false); err != nil {
		return CheckResult{}, err
	}
	var out CheckResult
	err := v.commit(ctx, ev, func(tx store.Tx, ev *audit.Event) ([]audit.Event, error) {
		row, err := tx.LockInteraction(ctx, id)
		if err != nil {
			return nil, err
		}
		ev.Details["customer_id"] = row.CustomerID
		if !row.EndedAt.IsZero() {
			return nil, errInteractionEnded
		}
		rec, err := tx.GetVerification(ctx, vid)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (rec.InteractionID != id || rec.Method == VerifyKBA)) {
			return nil, apperr.NotFoundErr("verification")
		} else if err != nil {
			return nil, err
		}
		now := v.clock()
		if rec.Status != store.VerificationPending || !now.Before(rec.ExpiresAt) {
			return nil, apperr.New(apperr.Conflict, "verification_spent", "the verification is %s; start a new one", spentState(rec, now))
		}
		hashes, err := s.vault.IndexHashes(purposeVerificationCode, codeInput(rec.ID, code))
		if err != nil {
			return nil, apperr.Wrap(err, "code hashing unavailable")
		}
		match := 0
		for _, h := range hashes {
			same := subtle.ConstantTimeEq(int32(h.KeyID^rec.CodeKeyID), 0) & subtle.ConstantTimeCompare(h.Sum, rec.CodeHash)
			match |= same
		}
		if match == 1 {
			rec.Status, rec.CompletedAt = store.VerificationPassed, now
			out = CheckResult{Result: "passed", AttemptsLeft: rec.MaxAttempts - rec.Attempts}
		} else {
			rec.Attempts++
			if rec.Attempts >= rec.MaxAttempts {
				rec.Status, rec.CompletedAt = store.VerificationFailed, now
			}
			out = CheckResult{Result: "failed", AttemptsLeft: max(rec.MaxAttempts-rec.Attempts, 0)}
			ev.Outcome, ev.Reason = audit.Failure, "wrong_code"
		}
		ev.Details["result"], ev.Details["attempts_left"] = out.Result, out.AttemptsLeft
		if err := tx.UpdateVerification(ctx, rec); err != nil {
			return nil, err
		}
		return v.settle(ctx, tx, rec)
	})
	if err != nil {
		return CheckResult{}, err
	}
	return out, nil
}

func spentState(rec store.Verification, now time.Time) string {
	switch {
	case rec.Status == store.VerificationPassed:
		return "already passed"
	case rec.Status == store.VerificationFailed:
		return "used up (too many wrong codes)"
	case !now.Before(rec.ExpiresAt):
		return "expired"
	}
	return rec.Status
}

// newCode returns CodeDigits uniformly random decimal digits.
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%0*d", CodeDigits, n.Int64()), nil
}

func isCode(s string) bool {
	if len(s) != CodeDigits {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// codeInput binds a code to its verification, so equal codes of different
// verifications hash differently.
func codeInput(vid, code string) []byte { return []byte(vid + ":" + code) }

// codeMessage is the text sent to the customer: the code and nothing else
// about them.
func codeMessage(code string) string {
	return fmt.Sprintf("Your verification code is %s. It expires in %d minutes. Share it only with the agent you are speaking to now; we will never ask for it otherwise.",
		code, int(CodeTTL/time.Minute))
}

// EndInteraction ends a live interaction: it sets ended_at, after which
// verifications in it are over and interaction-scoped access ends.
func (s *Service) EndInteraction(ctx context.Context, id string) (InteractionSummary, error) {
	resource := "interaction/" + id
	if err := s.authorize(ctx, authz.InteractionEnd, resource, "interaction"); err != nil {
		return InteractionSummary{}, err
	}
	ev := audit.NewEvent(ctx, string(authz.InteractionEnd), resource, audit.Success)
	if _, _, err := s.loadScoped(ctx, ev, id, false); err != nil {
		return InteractionSummary{}, err
	}
	var out InteractionSummary
	err := s.audited(ctx, ev, func(tx store.Tx, ev *audit.Event) error {
		now := s.opt.Now().UTC()
		row, err := tx.LockInteraction(ctx, id)
		if err != nil {
			return err
		}
		ev.Details = map[string]any{"customer_id": row.CustomerID}
		if !row.EndedAt.IsZero() {
			return apperr.New(apperr.Conflict, "interaction_ended", "the interaction has already ended")
		}
		if now.Before(row.StartedAt) {
			now = row.StartedAt
		}
		if err := tx.EndInteraction(ctx, id, now); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return apperr.New(apperr.Conflict, "interaction_ended", "the interaction has already ended")
			}
			return err
		}
		row.EndedAt = now
		out = summarize(row)
		return nil
	})
	return out, err
}
