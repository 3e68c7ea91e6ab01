package monitor

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode/utf8"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/records"
	"github.com/confide-cc/confide/internal/store"
)

// Service lets security admins list and acknowledge alerts and create
// honey customers. Every call is authorized and audited (alert.list,
// alert.ack, honey.create), denials included.
type Service struct {
	st      store.Store
	records *records.Service
}

// NewService returns a Service; recs creates honey customers.
func NewService(st store.Store, recs *records.Service) *Service {
	return &Service{st: st, records: recs}
}

// MaxPage bounds a page of alerts; DefaultPage is the size of a page
// when none is asked for.
const (
	MaxPage     = 500
	DefaultPage = 100
)

// maxReason bounds an acknowledgement reason (characters).
const maxReason = 500

// List returns a page of alerts matching q, newest first. q.Limit 0 means
// 100.
//
// Who may see all alerts (security admins) sees all; who may see only
// their team's (supervisors, by the policies' in_team condition) sees the
// alerts about people of their team.
func (s *Service) List(ctx context.Context, q store.AlertQuery) ([]store.Alert, error) {
	ev := audit.NewEvent(ctx, string(authz.AlertList), "alert", audit.Success)
	p, _ := identity.FromContext(ctx)
	if whole := authz.CheckInTeam(ctx, authz.AlertList, authz.Resource{Kind: "alert"}, false); !whole.Allow {
		team := p.Attributes["team"]
		if team == "" {
			return nil, s.deny(ctx, ev, whole.Reason)
		}
		if d := authz.CheckInTeam(ctx, authz.AlertList, authz.Resource{Kind: "alert", Team: team}, true); !d.Allow {
			return nil, s.deny(ctx, ev, d.Reason)
		}
		q.ActorTeam = team
		ev.Details = map[string]any{"team": team}
	}
	if q.Limit == 0 {
		q.Limit = DefaultPage
	}
	if q.Limit < 0 || q.Limit > MaxPage {
		return nil, s.reject(ctx, ev, apperr.New(apperr.Invalid, "invalid_limit", "limit: must be 1 to %d", MaxPage))
	}
	if q.Status != "" && q.Status != StatusOpen && q.Status != StatusAcknowledged {
		return nil, s.reject(ctx, ev, apperr.New(apperr.Invalid, "invalid_status", "status: must be open or acknowledged"))
	}
	var out []store.Alert
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		if out, err = tx.ListAlerts(ctx, q); err != nil {
			return err
		}
		if ev.Details == nil {
			ev.Details = map[string]any{}
		}
		ev.Details["results"] = len(out)
		return audit.Append(ctx, tx, ev)
	})
	if err != nil {
		return nil, apperr.Wrap(err, "storage error")
	}
	return out, nil
}

// Ack acknowledges an open alert with a reason and returns it.
func (s *Service) Ack(ctx context.Context, id, reason string) (store.Alert, error) {
	ev, err := s.authorize(ctx, authz.AlertAck, "alert/"+id)
	if err != nil {
		return store.Alert{}, err
	}
	if reason == "" || utf8.RuneCountInString(reason) > maxReason || !utf8.ValidString(reason) {
		return store.Alert{}, s.reject(ctx, ev, apperr.New(apperr.Invalid, "invalid_reason", "reason: 1 to %d characters required", maxReason))
	}
	p, _ := identity.FromContext(ctx)
	var a store.Alert
	err = s.st.Update(ctx, func(tx store.Tx) error {
		if err := tx.AckAlert(ctx, id, p.ID, reason, nowUTC()); err != nil {
			return err
		}
		var err error
		if a, err = tx.GetAlert(ctx, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, ev)
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Alert{}, s.reject(ctx, ev, apperr.NotFoundErr("alert"))
	case errors.Is(err, store.ErrConflict):
		return store.Alert{}, s.reject(ctx, ev, apperr.New(apperr.Conflict, "already_acknowledged", "the alert is already acknowledged"))
	case err != nil:
		return store.Alert{}, apperr.Wrap(err, "storage error")
	}
	return a, nil
}

// CreateHoney creates a realistic fake customer through the records
// service and marks it as honey: from the next audit event on, any access
// to it raises a critical alert. It returns the customer id, which the
// caller keeps secret.
func (s *Service) CreateHoney(ctx context.Context) (string, error) {
	ev, err := s.authorize(ctx, authz.HoneyCreate, "customer")
	if err != nil {
		return "", err
	}
	// The customer is created by the monitor itself, so that no human
	// actor appears in its history.
	creator := identity.WithPrincipal(ctx, identity.Principal{ID: SystemActorID, Kind: identity.KindSystem,
		Roles: []string{identity.RoleIntegration}})
	id, err := s.records.CreateCustomer(creator, fakeProfile(rand.N[uint64](1<<62)))
	if err != nil {
		return "", err
	}
	ev.Resource = "customer/" + id
	if err := s.st.Update(ctx, func(tx store.Tx) error { return audit.Append(ctx, tx, ev) }); err != nil {
		return "", apperr.Wrap(err, "audit log unavailable")
	}
	return id, nil
}

// authorize checks the caller may perform a and returns the success event
// to record; a denial is audited and returned as an error.
func (s *Service) authorize(ctx context.Context, a authz.Action, resource string) (audit.Event, error) {
	ev := audit.NewEvent(ctx, string(a), resource, audit.Success)
	if d := authz.Check(ctx, a, authz.Resource{Kind: "alert"}, false); !d.Allow {
		return ev, s.deny(ctx, ev, d.Reason)
	}
	return ev, nil
}

// deny audits the refusal of ev for reason and returns the error.
func (s *Service) deny(ctx context.Context, ev audit.Event, reason string) error {
	ev.Outcome, ev.Reason = audit.Denied, reason
	if err := s.st.Update(ctx, func(tx store.Tx) error { return audit.Append(ctx, tx, ev) }); err != nil {
		return apperr.Wrap(err, "audit log unavailable")
	}
	return apperr.New(apperr.Forbidden, "forbidden", "not permitted: %s", reason)
}

// Precheck authorizes a on resource before a request is parsed, so that a
// caller who may not act gets "forbidden" whatever they sent; a denial is
// audited. Service methods authorize again.
func (s *Service) Precheck(ctx context.Context, a authz.Action, resource string) error {
	_, err := s.authorize(ctx, a, resource)
	return err
}

// Reject audits a request for a on resource that was refused before it
// reached the service (for example a malformed query) and returns err.
func (s *Service) Reject(ctx context.Context, a authz.Action, resource string, err error) error {
	return s.reject(ctx, audit.NewEvent(ctx, string(a), resource, audit.Invalid), err)
}

// reject records ev with the outcome of err and returns err.
func (s *Service) reject(ctx context.Context, ev audit.Event, err error) error {
	ev.Outcome, ev.Reason = audit.Invalid, apperr.As(err).Code
	switch apperr.KindOf(err) {
	case apperr.NotFound:
		ev.Outcome = audit.NotFound
	case apperr.Conflict:
		ev.Outcome = audit.Failure
	}
	if aerr := s.st.Update(ctx, func(tx store.Tx) error { return audit.Append(ctx, tx, ev) }); aerr != nil {
		return apperr.Wrap(aerr, "audit log unavailable")
	}
	return err
}

var (
	givenNames  = []string{"Maria", "James", "Aisha", "Daniel", "Sofia", "Wei", "Olivia", "Mateo", "Grace", "Samuel", "Amara", "Lucas"}
	familyNames = []string{"Garcia", "Thompson", "Okafor", "Nguyen", "Rossi", "Kowalski", "Patel", "Bennett", "Larsen", "Moreau"}
	streets     = []string{"Maple Avenue", "Oak Street", "Cedar Lane", "Harbor Road", "Hillcrest Drive", "Elm Court"}
	cities      = []struct{ city, region, zip string }{{"Springfield", "IL", "627"}, {"Riverside", "CA", "925"}, {"Madison", "WI", "537"}, {"Franklin", "TN", "370"}}
)

// fakeProfile returns a plausible profile from seed. The phone number is
// in the 555-01xx range reserved for fiction, so it can never reach a real
// person.
func fakeProfile(seed uint64) records.Profile {
	r := rand.New(rand.NewPCG(seed, seed>>7))
	given, family := givenNames[r.IntN(len(givenNames))], familyNames[r.IntN(len(familyNames))]
	c := cities[r.IntN(len(cities))]
	return records.Profile{
		Name:   given + " " + family,
		Phones: []string{fmt.Sprintf("+1 312 555 01%02d", r.IntN(100))},
		Emails: []string{fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(given), strings.ToLower(family), 10+r.IntN(89))},
		Address: &records.Address{Lines: []string{fmt.Sprintf("%d %s", 10+r.IntN(9000), streets[r.IntN(len(streets))])},
			City: c.city, Region: c.region, PostalCode: fmt.Sprintf("%s%02d", c.zip, r.IntN(100)), Country: "US"},
		DateOfBirth:    fmt.Sprintf("%d-%02d-%02d", 1950+r.IntN(50), 1+r.IntN(12), 1+r.IntN(28)),
		AccountNumbers: []string{fmt.Sprintf("AC%08d", r.IntN(100_000_000))},
	}
}
