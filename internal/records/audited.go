package records

import (
	"context"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/store"
)

// audited runs fn in a write transaction and appends ev to the audit log in
// the same transaction, so the effect and its record commit together or not
// at all. fn may add details to ev. If fn fails, its writes are rolled back
// and ev is appended with the failure outcome in a transaction of its own;
// if that append fails too, the audit error is returned (fail closed).
func (s *Service) audited(ctx context.Context, ev audit.Event, fn func(tx store.Tx, ev *audit.Event) error) error {
	var fnErr error
	err := s.st.Update(ctx, func(tx store.Tx) error {
		if fnErr = fn(tx, &ev); fnErr != nil {
			return fnErr
		}
		ev.Outcome = audit.Success
		return audit.Append(ctx, tx, ev)
	})
	if fnErr != nil {
		return s.reject(ctx, ev, mapStoreErr(fnErr))
	}
	return mapStoreErr(err)
}

// reject appends ev with the outcome of err and returns err (or the audit
// failure, which takes precedence).
func (s *Service) reject(ctx context.Context, ev audit.Event, err error) error {
	ev.Outcome = outcomeOf(err)
	ev.Reason = apperr.As(err).Code
	if aerr := s.appendOnly(ctx, ev); aerr != nil {
		return aerr
	}
	return err
}
