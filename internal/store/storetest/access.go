package storetest

import (
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// testAccess covers the facts of interaction-scoped authorization: an
// agent is assigned to a customer only through a live interaction, verified
// only if that live interaction is, and a team sees customers with an
// interaction in its queue.
func testAccess(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, []string{"c1", "c2", "c3"}, nil)
	live := newInteraction("i1", "c1")
	live.EndedAt, live.Agent, live.Queue = time.Time{}, "usr_a", "support"
	ended := newInteraction("i2", "c2")
	ended.Agent, ended.Queue = "usr_a", "sales"
	liveOther := newInteraction("i3", "c3")
	liveOther.EndedAt, liveOther.Agent, liveOther.Queue = time.Time{}, "usr_b", "support"
	update(t, s, func(tx store.Tx) error {
		for _, in := range []store.Interaction{live, ended, liveOther} {
			if err := tx.InsertInteraction(ctx, in); err != nil {
				return err
			}
		}
		return nil
	})
	check := func(name, customer, agent string, teams []string, want store.CustomerAccess) {
		t.Helper()
		view(t, s, func(tx store.Tx) error {
			got, err := tx.CustomerAccess(ctx, customer, agent, teams)
			if err != nil {
				return err
			}
			if got != want {
				t.Errorf("%s: got %+v, want %+v", name, got, want)
			}
			return nil
		})
	}
	check("live, not verified", "c1", "usr_a", nil, store.CustomerAccess{Assigned: true})
	check("ended interaction", "c2", "usr_a", nil, store.CustomerAccess{})
	check("someone else's", "c3", "usr_a", nil, store.CustomerAccess{})
	check("team", "c3", "", []string{"support"}, store.CustomerAccess{InTeam: true})
	check("team of a past interaction", "c2", "usr_b", []string{"sales", "other"}, store.CustomerAccess{InTeam: true})
	check("other team", "c1", "usr_b", []string{"sales"}, store.CustomerAccess{})
	check("unknown customer", "nope", "usr_a", []string{"support"}, store.CustomerAccess{})
	check("nobody", "c1", "", nil, store.CustomerAccess{})
	update(t, s, func(tx store.Tx) error { return tx.SetInteractionVerified(ctx, "i1", at(30)) })
	check("live and verified", "c1", "usr_a", []string{"support"}, store.CustomerAccess{Assigned: true, Verified: true, InTeam: true})
	update(t, s, func(tx store.Tx) error { return tx.EndInteraction(ctx, "i1", at(40)) })
	check("ended after verification", "c1", "usr_a", nil, store.CustomerAccess{})
}
