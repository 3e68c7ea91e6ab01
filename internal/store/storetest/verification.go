package storetest

import (
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

func newVerification(id, interactionID, customerID string) store.Verification {
	return store.Verification{
		ID: id, InteractionID: interactionID, CustomerID: customerID, Method: "sms",
		Status: store.VerificationPending, CodeKeyID: 4000000001, CodeHash: sealed(id, "code"),
		MaxAttempts: 3, ActorID: "usr_agent", CreatedAt: at(40), ExpiresAt: at(340),
	}
}

// testVerifications covers the caller verification rows and the lifecycle
// of an interaction: live until ended, verified once.
func testVerifications(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, []string{"c1", "c2"}, nil)
	live := newInteraction("i1", "c1")
	live.EndedAt = time.Time{}
	other := newInteraction("i2", "c2")
	other.EndedAt = time.Time{}
	ended := newInteraction("i3", "c1")
	update(t, s, func(tx store.Tx) error {
		for _, in := range []store.Interaction{live, other, ended} {
			if err := tx.InsertInteraction(ctx, in); err != nil {
				return err
			}
		}
		return nil
	})

	v1 := newVerification("v1", "i1", "c1")
	kba := newVerification("v2", "i1", "c1")
	kba.Method, kba.CodeKeyID, kba.CodeHash = "kba", 0, nil
	update(t, s, func(tx store.Tx) error {
		_, err := tx.GetVerification(ctx, "v1")
		wantErr(t, "get missing verification", err, store.ErrNotFound)
		wantErr(t, "verification of a missing interaction", tx.InsertVerification(ctx, newVerification("vx", "nope", "c1")), store.ErrNotFound)
		if err := tx.InsertVerification(ctx, v1); err != nil {
			return err
		}
		if err := tx.InsertVerification(ctx, kba); err != nil {
			return err
		}
		wantErr(t, "duplicate verification", tx.InsertVerification(ctx, v1), store.ErrConflict)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetVerification(ctx, "v1")
		if err != nil {
			return err
		}
		equal(t, "verification v1", got, v1)
		got, err = tx.GetVerification(ctx, "v2")
		if err != nil {
			return err
		}
		equal(t, "verification v2", got, kba)
		n, err := tx.CountVerifications(ctx, "i1")
		if err != nil {
			return err
		}
		equal(t, "verifications in i1", n, 2)
		n, err = tx.CountVerifications(ctx, "i2")
		if err != nil {
			return err
		}
		equal(t, "verifications in i2", n, 0)
		return nil
	})

	// Failures count per customer and time, across interactions.
	update(t, s, func(tx store.Tx) error {
		v1.Status, v1.Attempts, v1.CompletedAt = store.VerificationFailed, 3, at(100)
		if err := tx.UpdateVerification(ctx, v1); err != nil {
			return err
		}
		kba.Status, kba.CompletedAt = store.VerificationFailed, at(200)
		if err := tx.UpdateVerification(ctx, kba); err != nil {
			return err
		}
		passed := newVerification("v3", "i1", "c1")
		passed.Status, passed.CompletedAt = store.VerificationPassed, at(300)
		if err := tx.InsertVerification(ctx, passed); err != nil {
			return err
		}
		otherFail := newVerification("v4", "i2", "c2")
		otherFail.Status, otherFail.CompletedAt = store.VerificationFailed, at(300)
		if err := tx.InsertVerification(ctx, otherFail); err != nil {
			return err
		}
		wantErr(t, "update missing verification", tx.UpdateVerification(ctx, newVerification("nope", "i1", "c1")), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetVerification(ctx, "v1")
		if err != nil {
			return err
		}
		equal(t, "updated verification", got, v1)
		for _, c := range []struct {
			since time.Time
			want  int
		}{{at(0), 2}, {at(100), 2}, {at(101), 1}, {at(201), 0}} {
			n, err := tx.CountFailedVerifications(ctx, "c1", c.since)
			if err != nil {
				return err
			}
			equal(t, "failed verifications of c1 since "+c.since.String(), n, c.want)
		}
		return nil
	})

	// Verified once (the first time is kept); ended once; an ended
	// interaction cannot be verified.
	update(t, s, func(tx store.Tx) error {
		if err := tx.SetInteractionVerified(ctx, "i1", at(50)); err != nil {
			return err
		}
		if err := tx.SetInteractionVerified(ctx, "i1", at(60)); err != nil {
			return err
		}
		wantErr(t, "verify ended interaction", tx.SetInteractionVerified(ctx, "i3", at(60)), store.ErrConflict)
		wantErr(t, "verify missing interaction", tx.SetInteractionVerified(ctx, "nope", at(60)), store.ErrNotFound)
		if err := tx.EndInteraction(ctx, "i1", at(70)); err != nil {
			return err
		}
		wantErr(t, "end ended interaction", tx.EndInteraction(ctx, "i1", at(80)), store.ErrConflict)
		wantErr(t, "end missing interaction", tx.EndInteraction(ctx, "nope", at(80)), store.ErrNotFound)
		wantErr(t, "verify after end", tx.SetInteractionVerified(ctx, "i1", at(90)), store.ErrConflict)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetInteraction(ctx, "i1")
		if err != nil {
			return err
		}
		want := live
		want.EndedAt, want.VerifiedAt = at(70), at(50)
		equal(t, "ended, verified interaction", got, want)
		locked, err := tx.LockInteraction(ctx, "i2")
		if err != nil {
			return err
		}
		equal(t, "live interaction", locked, other)
		_, err = tx.LockInteraction(ctx, "nope")
		wantErr(t, "lock missing interaction", err, store.ErrNotFound)
		return nil
	})

	// Erasing the customer removes their verifications with their
	// interactions.
	update(t, s, func(tx store.Tx) error {
		_, err := tx.DeleteCustomer(ctx, "c1")
		return err
	})
	view(t, s, func(tx store.Tx) error {
		for _, id := range []string{"v1", "v2", "v3"} {
			_, err := tx.GetVerification(ctx, id)
			wantErr(t, "verification of an erased customer", err, store.ErrNotFound)
		}
		n, err := tx.CountFailedVerifications(ctx, "c1", at(0))
		if err != nil {
			return err
		}
		equal(t, "failures of an erased customer", n, 0)
		return nil
	})
}
