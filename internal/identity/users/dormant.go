package users

import (
	"context"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
)

// DisableDormant disables every active account that has not signed in for
// Options.DormantAfter (counting from enrollment for accounts that never
// signed in), ends their sessions, and deletes sessions that ended more
// than a day ago. It returns how many accounts it disabled.
func (s *Service) DisableDormant(ctx context.Context) (int, error) {
	ctx = identity.WithPrincipal(ctx, identity.Principal{ID: "system:dormancy", Kind: identity.KindSystem})
	var users []store.User
	if err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		users, err = allUsers(ctx, tx)
		return err
	}); err != nil {
		return 0, err
	}
	n := 0
	for _, u := range users {
		if !s.dormant(u, s.now()) {
			continue
		}
		err := s.st.Update(ctx, func(tx store.Tx) error {
			cur, err := tx.GetUser(ctx, u.ID)
			if err != nil || !s.dormant(cur, s.now()) {
				return err
			}
			ev := audit.NewEvent(ctx, "user.disable", "user/"+u.ID, audit.Success)
			ev.Reason = "dormant"
			n++
			return s.disable(ctx, tx, cur, ev)
		})
		if err != nil {
			return n, err
		}
	}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		_, err := tx.PurgeSessions(ctx, s.now().Add(-24*time.Hour))
		return err
	})
	return n, err
}

func (s *Service) dormant(u store.User, now time.Time) bool {
	last := u.LastLoginAt
	if last.IsZero() {
		last = u.EnrolledAt
	}
	return u.Status == string(StatusActive) && !last.IsZero() && now.Sub(last) >= s.opt.DormantAfter
}

// RunDormancy calls DisableDormant every interval until ctx ends, logging
// failures.
func (s *Service) RunDormancy(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.DisableDormant(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("disabling dormant accounts failed; will retry", "err", err)
		} else if n > 0 {
			s.log.Info("disabled dormant accounts", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
