package storetest

import (
	"testing"

	"github.com/confide-cc/confide/internal/store"
)

// testElevation covers re-authentication times, training attestations and
// break-glass grants, and the one-query session lookup that joins them.
func testElevation(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := store.User{ID: "usr_e1", EmailKeyID: 1, EmailIndex: []byte("e1"), Keyset: []byte("ks"), Profile: []byte("p"),
		Roles: []string{"agent"}, Team: "billing", Status: "active", CreatedAt: at(1), UpdatedAt: at(1)}
	other := store.User{ID: "usr_e2", EmailKeyID: 1, EmailIndex: []byte("e2"), Keyset: []byte("ks"), Profile: []byte("p"),
		Roles: []string{"security_admin"}, Status: "active", CreatedAt: at(1), UpdatedAt: at(1)}
	ss := store.Session{ID: "ses_e1", Hash: []byte("hash-e1"), UserID: u.ID, Stage: "full", Binding: []byte("b"),
		Client: "Firefox", CreatedAt: at(10), LastSeenAt: at(10), ExpiresAt: at(1000)}
	update(t, s, func(tx store.Tx) error {
		for _, x := range []store.User{u, other} {
			if err := tx.InsertUser(ctx, x); err != nil {
				return err
			}
		}
		return tx.InsertSession(ctx, ss)
	})

	// Nothing but the session and the user at first.
	view(t, s, func(tx store.Tx) error {
		got, err := tx.SessionAuth(ctx, ss.Hash, at(20))
		equal(t, "bare session auth", got, store.SessionAuth{Session: ss, User: u})
		_, err2 := tx.SessionAuth(ctx, []byte("nope"), at(20))
		wantErr(t, "unknown hash", err2, store.ErrNotFound)
		return err
	})

	// Re-authentication, training and a grant show up in the same lookup.
	g1 := store.BreakGlass{ID: "brg_1", UserID: u.ID, Reason: "outage in billing queue", CustomerID: "cus_1",
		CreatedAt: at(30), ExpiresAt: at(60)}
	g2 := store.BreakGlass{ID: "brg_2", UserID: u.ID, Reason: "second grant", CreatedAt: at(31), ExpiresAt: at(90)}
	g3 := store.BreakGlass{ID: "brg_3", UserID: other.ID, Reason: "someone else", CreatedAt: at(32), ExpiresAt: at(90)}
	tr := store.Training{UserID: u.ID, ExpiresAt: at(5000), AttestedBy: other.ID, AttestedAt: at(25)}
	update(t, s, func(tx store.Tx) error {
		if err := tx.SetSessionAuthTime(ctx, ss.ID, at(29)); err != nil {
			return err
		}
		wantErr(t, "auth time of unknown session", tx.SetSessionAuthTime(ctx, "ses_x", at(29)), store.ErrNotFound)
		if err := tx.SetTraining(ctx, store.Training{UserID: u.ID, ExpiresAt: at(100), AttestedBy: "x", AttestedAt: at(24)}); err != nil {
			return err
		}
		if err := tx.SetTraining(ctx, tr); err != nil { // replaces
			return err
		}
		for _, g := range []store.BreakGlass{g1, g2, g3} {
			if err := tx.InsertBreakGlass(ctx, g); err != nil {
				return err
			}
		}
		wantErr(t, "duplicate grant", tx.InsertBreakGlass(ctx, g1), store.ErrConflict)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.SessionAuth(ctx, ss.Hash, at(40))
		equal(t, "session auth with grants", got, store.SessionAuth{Session: ss, User: u, AuthTime: at(29),
			TrainingUntil: at(5000), BreakGlassID: "brg_2", BreakGlassUntil: at(90)})
		if err != nil {
			return err
		}
		got, err = tx.SessionAuth(ctx, ss.Hash, at(90))
		equal(t, "session auth after expiry", got.BreakGlassID, "")
		if err != nil {
			return err
		}
		trs, err := tx.ListTraining(ctx)
		equal(t, "training list", trs, []store.Training{tr})
		if err != nil {
			return err
		}
		one, err := tx.GetTraining(ctx, u.ID)
		equal(t, "training", one, tr)
		_, err2 := tx.GetTraining(ctx, other.ID)
		wantErr(t, "no training", err2, store.ErrNotFound)
		return err
	})

	// Ending: only live grants end; ending all of a user's grants.
	update(t, s, func(tx store.Tx) error {
		if err := tx.EndBreakGlass(ctx, "brg_2", at(50)); err != nil {
			return err
		}
		wantErr(t, "end an ended grant", tx.EndBreakGlass(ctx, "brg_2", at(51)), store.ErrNotFound)
		wantErr(t, "end an expired grant", tx.EndBreakGlass(ctx, "brg_1", at(60)), store.ErrNotFound)
		wantErr(t, "end an unknown grant", tx.EndBreakGlass(ctx, "brg_x", at(51)), store.ErrNotFound)
		got, err := tx.SessionAuth(ctx, ss.Hash, at(52))
		equal(t, "grant after the other ended", got.BreakGlassID, "brg_1")
		if err != nil {
			return err
		}
		n, err := tx.EndUserBreakGlass(ctx, u.ID, at(53))
		equal(t, "grants ended", n, int64(1))
		return err
	})

	// Review once; listings newest first, filtered.
	update(t, s, func(tx store.Tx) error {
		if err := tx.ReviewBreakGlass(ctx, "brg_1", other.ID, "justified", "ok", at(70)); err != nil {
			return err
		}
		wantErr(t, "second review", tx.ReviewBreakGlass(ctx, "brg_1", other.ID, "unjustified", "", at(71)), store.ErrNotFound)
		wantErr(t, "review unknown", tx.ReviewBreakGlass(ctx, "brg_x", other.ID, "justified", "", at(71)), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		g1.EndedAt, g1.ReviewedAt, g1.ReviewerID, g1.Outcome, g1.ReviewNote = at(53), at(70), other.ID, "justified", "ok"
		g2.EndedAt = at(50)
		got, err := tx.GetBreakGlass(ctx, "brg_1")
		equal(t, "reviewed grant", got, g1)
		if err != nil {
			return err
		}
		all, err := tx.ListBreakGlass(ctx, store.BreakGlassQuery{Limit: 10})
		equal(t, "all grants", all, []store.BreakGlass{g3, g2, g1})
		if err != nil {
			return err
		}
		mine, err := tx.ListBreakGlass(ctx, store.BreakGlassQuery{UserID: u.ID, Unreviewed: true, Limit: 10})
		equal(t, "unreviewed grants of the user", mine, []store.BreakGlass{g2})
		if err != nil {
			return err
		}
		due, err := tx.ListBreakGlass(ctx, store.BreakGlassQuery{Unreviewed: true, OverAt: at(80), Limit: 10})
		equal(t, "grants due for review (one still active)", due, []store.BreakGlass{g2})
		if err != nil {
			return err
		}
		due, err = tx.ListBreakGlass(ctx, store.BreakGlassQuery{Unreviewed: true, OverAt: at(90), Limit: 1})
		equal(t, "grants due for review once all are over, limit 1", due, []store.BreakGlass{g3})
		if err != nil {
			return err
		}
		_, err = tx.ListBreakGlass(ctx, store.BreakGlassQuery{})
		if err == nil {
			t.Error("ListBreakGlass with limit 0 succeeded")
		}
		_, err = tx.GetBreakGlass(ctx, "brg_x")
		wantErr(t, "unknown grant", err, store.ErrNotFound)
		return nil
	})
}
