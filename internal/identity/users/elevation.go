package users

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/redact"
	"github.com/confide-cc/confide/internal/store"
)

// Limits of break-glass elevation.
const (
	// MaxBreakGlass is the longest elevation, whatever the configuration.
	MaxBreakGlass = 30 * time.Minute
	// MinBreakGlassReason is the shortest reason accepted, in characters.
	MinBreakGlassReason = 10
	maxFreeText         = 1000 // bytes of a reason or a review note
)

// elevationDefaults fills in and checks the re-authentication and
// break-glass options.
func (o *Options) elevationDefaults() error {
	if o.ReauthWindow == 0 {
		o.ReauthWindow = DefaultReauthWindow
	}
	if o.BreakGlassMax == 0 {
		o.BreakGlassMax = MaxBreakGlass
	}
	switch {
	case o.ReauthWindow < time.Minute || o.ReauthWindow > MaxReauthWindow:
		return fmt.Errorf("users: re-authentication window %v: must be 1m to %v", o.ReauthWindow, MaxReauthWindow)
	case o.BreakGlassMax < time.Minute || o.BreakGlassMax > MaxBreakGlass:
		return fmt.Errorf("users: break-glass maximum %v: must be 1m to %v", o.BreakGlassMax, MaxBreakGlass)
	}
	return nil
}

// attributes builds the attributes of a session's principal (the shared
// contract with the authorization policies): "session", "team",
// "auth_time", "training_until", "break_glass_until", "break_glass_id" and
// "locked". Times are RFC 3339 UTC; absent attributes mean none.
func (s *Service) attributes(sa store.SessionAuth) map[string]string {
	u, ss := sa.User, sa.Session
	attrs := map[string]string{"session": ss.ID}
	if u.Team != "" {
		attrs["team"] = u.Team
	}
	authTime := sa.AuthTime
	if authTime.IsZero() {
		authTime = ss.CreatedAt // a full session starts with two factors
	}
	attrs["auth_time"] = rfc3339(authTime)
	if !sa.TrainingUntil.IsZero() {
		attrs["training_until"] = rfc3339(sa.TrainingUntil)
	}
	if sa.BreakGlassID != "" {
		attrs["break_glass_id"] = sa.BreakGlassID
		attrs["break_glass_until"] = rfc3339(sa.BreakGlassUntil)
		if sa.BreakGlassCustomer != "" {
			attrs["break_glass_customer"] = sa.BreakGlassCustomer
		}
	}
	// Only containment (a security decision) marks the principal locked. A
	// lockout after failed sign-ins does not: whoever guesses passwords
	// must not be able to cut off the user's working session.
	if contained(u) {
		attrs["locked"] = "true"
	}
	return attrs
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// BreakGlassRequest asks for a time-boxed elevation.
type BreakGlassRequest struct {
	Reason     string // why: at least MinBreakGlassReason characters
	CustomerID string // optional: the customer the elevation is for
	Minutes    int    // 0 for the maximum (Options.BreakGlassMax)
}

// Grant is a break-glass elevation as shown to its holder and to security
// admins.
type Grant struct {
	ID         string    `json:"id"`
	UserID     string    `json:"user_id"`
	Reason     string    `json:"reason"`
	CustomerID string    `json:"customer_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	EndedAt    time.Time `json:"ended_at,omitzero"`
	// Status is "active", "ended" (by its holder, or because their rights
	// changed) or "expired".
	Status string `json:"status"`
	// Review is "not_due" while active, "pending" once over and not yet
	// reviewed, else the outcome: "justified" or "unjustified".
	Review     string    `json:"review"`
	ReviewedAt time.Time `json:"reviewed_at,omitzero"`
	ReviewerID string    `json:"reviewer_id,omitempty"`
	ReviewNote string    `json:"review_note,omitempty"`
}

func (s *Service) grantView(g store.BreakGlass) Grant {
	now := s.now()
	v := Grant{ID: g.ID, UserID: g.UserID, Reason: g.Reason, CustomerID: g.CustomerID, CreatedAt: g.CreatedAt,
		ExpiresAt: g.ExpiresAt, EndedAt: g.EndedAt, ReviewedAt: g.ReviewedAt, ReviewerID: g.ReviewerID,
		ReviewNote: g.ReviewNote}
	switch {
	case !g.EndedAt.IsZero():
		v.Status = "ended"
	case !now.Before(g.ExpiresAt):
		v.Status = "expired"
	default:
		v.Status = "active"
	}
	switch {
	case g.Outcome != "":
		v.Review = g.Outcome
	case v.Status == "active":
		v.Review = "not_due"
	default:
		v.Review = "pending"
	}
	return v
}

var refRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$`)

// freeText validates a reason or note: trimmed, valid UTF-8, at most
// maxFreeText bytes and at least min characters; personal data in it is
// redacted before it is stored or audited.
func (s *Service) freeText(field, text string, min int) (string, error) {
	text = strings.TrimSpace(text)
	switch {
	case !utf8.ValidString(text) || len(text) > maxFreeText:
		return "", apperr.New(apperr.Invalid, "invalid_"+field, "%s: must be valid UTF-8 of at most %d bytes", field, maxFreeText)
	case utf8.RuneCountInString(text) < min && min > 0:
		return "", apperr.New(apperr.Invalid, field+"_required", "%s: at least %d characters are required", field, min)
	case text == "":
		return "", nil
	}
	out, _, err := s.redactor.RedactFields(text)
	if err != nil {
		return "", apperr.Wrap(err, "redaction failed")
	}
	return out[0], nil
}

// highSeverity marks an audit event as high severity. Audit events have no
// severity field; the "severity" detail carries it (SIEM exports and the
// monitor read it from there).
func highSeverity(ev *audit.Event) {
	if ev.Details == nil {
		ev.Details = map[string]any{}
	}
	ev.Details["severity"] = "high"
}

// RequestBreakGlass grants the signed-in user of ctx a time-boxed
// elevation, with a mandatory reason. The caller must be allowed to ask
// for one (authz.BreakGlassRequest), be a person and have re-authenticated
// recently, and hold no active elevation. What the elevation permits is
// decided by the policies, which read the principal's break_glass_until.
// Audited at high severity.
func (s *Service) RequestBreakGlass(ctx context.Context, req BreakGlassRequest) (Grant, error) {
	ev := audit.NewEvent(ctx, string(authz.BreakGlassRequest), "break_glass", audit.Success)
	highSeverity(&ev)
	if err := s.authorize(ctx, authz.BreakGlassRequest, ev); err != nil {
		return Grant{}, err
	}
	if err := s.requireFreshAuth(ctx, ev); err != nil {
		return Grant{}, err
	}
	p, _ := identity.FromContext(ctx)
	if p.Kind != identity.KindHuman {
		return Grant{}, s.fail(ctx, ev, audit.Denied, "not_a_user", errNotAUser)
	}
	reason, err := s.freeText("reason", req.Reason, MinBreakGlassReason)
	if err == nil && req.CustomerID != "" && !refRE.MatchString(req.CustomerID) {
		err = apperr.New(apperr.Invalid, "invalid_customer_id", "customer_id: not a customer id")
	}
	maxMinutes := int(s.opt.BreakGlassMax / time.Minute)
	if req.Minutes == 0 {
		req.Minutes = maxMinutes
	}
	if err == nil && (req.Minutes < 1 || req.Minutes > maxMinutes) {
		err = apperr.New(apperr.Invalid, "invalid_minutes", "minutes: 1 to %d", maxMinutes)
	}
	if err != nil {
		return Grant{}, s.fail(ctx, ev, audit.Invalid, apperr.As(err).Code, err)
	}
	now := s.now()
	g := store.BreakGlass{ID: newID("brg_"), UserID: p.ID, Reason: reason, CustomerID: req.CustomerID,
		CreatedAt: now, ExpiresAt: now.Add(time.Duration(req.Minutes) * time.Minute)}
	ev.Resource = "break_glass/" + g.ID
	ev.Details["minutes"] = req.Minutes
	ev.Details["reason"] = reason
	ev.Details["expires_at"] = rfc3339(g.ExpiresAt)
	if g.CustomerID != "" {
		ev.Details["customer"] = g.CustomerID
	}
	err = s.st.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.ListBreakGlass(ctx, store.BreakGlassQuery{UserID: p.ID, Limit: 1})
		if err != nil {
			return err
		}
		if len(cur) == 1 && cur[0].EndedAt.IsZero() && now.Before(cur[0].ExpiresAt) {
			return apperr.New(apperr.Conflict, "already_elevated", "you already hold an active break-glass elevation (%s); end it first", cur[0].ID)
		}
		if err := tx.InsertBreakGlass(ctx, g); err != nil {
			return err
		}
		return audit.Append(ctx, tx, ev)
	})
	if apperr.KindOf(err) == apperr.Conflict {
		return Grant{}, s.fail(ctx, ev, audit.Invalid, apperr.As(err).Code, err)
	} else if err != nil {
		return Grant{}, storeErr(err)
	}
	return s.grantView(g), nil
}

// EndBreakGlass ends the signed-in user's elevation id before it expires.
// Only its holder may; anyone else is told it does not exist.
func (s *Service) EndBreakGlass(ctx context.Context, id string) error {
	ev := audit.NewEvent(ctx, "breakglass.end", "break_glass/"+id, audit.Success)
	highSeverity(&ev)
	p, err := s.self(ctx, ev)
	if err != nil {
		return err
	}
	err = s.st.Update(ctx, func(tx store.Tx) error {
		g, err := tx.GetBreakGlass(ctx, id)
		if err != nil {
			return err
		}
		if g.UserID != p.ID {
			return store.ErrNotFound
		}
		if err := tx.EndBreakGlass(ctx, id, s.now()); errors.Is(err, store.ErrNotFound) {
			return apperr.New(apperr.Conflict, "not_active", "the elevation has already ended or expired")
		} else if err != nil {
			return err
		}
		return audit.Append(ctx, tx, ev)
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return s.fail(ctx, ev, audit.NotFound, "not_found", apperr.NotFoundErr("break-glass elevation"))
	case apperr.KindOf(err) == apperr.Conflict:
		return s.fail(ctx, ev, audit.Invalid, apperr.As(err).Code, err)
	}
	return storeErr(err)
}

// GrantFilter selects elevations to list.
type GrantFilter struct {
	UserID        string // only this user's
	PendingReview bool   // only those over and not yet reviewed
	Limit         int    // default 100, at most 1000
}

// ListBreakGlass returns elevations, newest first. The caller must be
// allowed to list them (authz.BreakGlassList: security admins).
func (s *Service) ListBreakGlass(ctx context.Context, f GrantFilter) ([]Grant, error) {
	ev := audit.NewEvent(ctx, string(authz.BreakGlassList), "break_glass", audit.Success)
	if err := s.authorize(ctx, authz.BreakGlassList, ev); err != nil {
		return nil, err
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	var err error
	switch {
	case f.Limit < 1 || f.Limit > 1000:
		err = apperr.New(apperr.Invalid, "invalid_limit", "limit: 1 to 1000")
	case f.UserID != "" && !refRE.MatchString(f.UserID):
		err = apperr.New(apperr.Invalid, "invalid_user", "user: not a user id")
	}
	if err != nil {
		return nil, s.fail(ctx, ev, audit.Invalid, apperr.As(err).Code, err)
	}
	var rows []store.BreakGlass
	err = s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		q := store.BreakGlassQuery{UserID: f.UserID, Unreviewed: f.PendingReview, Limit: f.Limit}
		if f.PendingReview {
			q.OverAt = s.now() // due for review: over and not reviewed
		}
		if rows, err = tx.ListBreakGlass(ctx, q); err != nil {
			return err
		}
		ev.Details = map[string]any{"count": len(rows), "pending_review": f.PendingReview}
		return audit.Append(ctx, tx, ev)
	})
	if err != nil {
		return nil, storeErr(err)
	}
	out := make([]Grant, 0, len(rows))
	for _, g := range rows {
		v := s.grantView(g)
		out = append(out, v)
	}
	return out, nil
}

// Review outcomes.
const (
	ReviewJustified   = "justified"
	ReviewUnjustified = "unjustified"
)

// ReviewBreakGlass records a security admin's review of an elevation that
// is over. Nobody reviews their own elevation. An unjustified elevation is
// audited at high severity.
func (s *Service) ReviewBreakGlass(ctx context.Context, id, outcome, note string) (Grant, error) {
	ev := audit.NewEvent(ctx, string(authz.BreakGlassReview), "break_glass/"+id, audit.Success)
	if err := s.authorize(ctx, authz.BreakGlassReview, ev); err != nil {
		return Grant{}, err
	}
	p, _ := identity.FromContext(ctx)
	var err error
	if outcome != ReviewJustified && outcome != ReviewUnjustified {
		err = apperr.New(apperr.Invalid, "invalid_outcome", "outcome: justified or unjustified")
	}
	if err == nil {
		note, err = s.freeText("note", note, 0)
	}
	if err != nil {
		return Grant{}, s.fail(ctx, ev, audit.Invalid, apperr.As(err).Code, err)
	}
	ev.Details = map[string]any{"outcome": outcome}
	if note != "" {
		ev.Details["note"] = note
	}
	if outcome == ReviewUnjustified {
		highSeverity(&ev)
	}
	var g store.BreakGlass
	err = s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		if g, err = tx.GetBreakGlass(ctx, id); err != nil {
			return err
		}
		now := s.now()
		switch {
		case g.UserID == p.ID:
			return apperr.New(apperr.Forbidden, authz.ReasonSelfApproval, "nobody reviews their own elevation")
		case !g.ReviewedAt.IsZero():
			return apperr.New(apperr.Conflict, "already_reviewed", "the elevation has been reviewed")
		case g.EndedAt.IsZero() && now.Before(g.ExpiresAt):
			return apperr.New(apperr.Conflict, "still_active", "the elevation is still active; review it once it is over")
		}
		ev.Details["holder"] = g.UserID
		if err := tx.ReviewBreakGlass(ctx, id, p.ID, outcome, note, now); err != nil {
			return err
		}
		g.ReviewedAt, g.ReviewerID, g.Outcome, g.ReviewNote = now, p.ID, outcome, note
		return audit.Append(ctx, tx, ev)
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Grant{}, s.fail(ctx, ev, audit.NotFound, "not_found", apperr.NotFoundErr("break-glass elevation"))
	case apperr.KindOf(err) == apperr.Forbidden:
		return Grant{}, s.fail(ctx, ev, audit.Denied, apperr.As(err).Code, err)
	case apperr.KindOf(err) == apperr.Conflict:
		return Grant{}, s.fail(ctx, ev, audit.Invalid, apperr.As(err).Code, err)
	case err != nil:
		return Grant{}, storeErr(err)
	}
	return s.grantView(g), nil
}

// defaultRedactor builds the redactor of free text (reasons, notes).
func defaultRedactor() (*redact.Redactor, error) { return redact.New(redact.Config{}) }
