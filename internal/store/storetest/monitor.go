package storetest

import (
	"testing"

	"github.com/confide-cc/confide/internal/store"
)

func testMonitorLease(t *testing.T, s store.Store) {
	ctx := t.Context()
	acquire := func(holder string, now int, until int) (store.MonitorState, bool) {
		var st store.MonitorState
		var ok bool
		update(t, s, func(tx store.Tx) error {
			var err error
			st, ok, err = tx.AcquireMonitorLease(ctx, holder, at(now), at(until))
			return err
		})
		return st, ok
	}
	st, ok := acquire("node-a", 0, 10)
	if !ok || st.Holder != "node-a" || st.Cursor != 0 || len(st.Snapshot) != 0 {
		t.Fatalf("first acquire: ok=%v state=%+v", ok, st)
	}
	if st, ok := acquire("node-b", 5, 15); ok || st.Holder != "node-a" {
		t.Fatalf("acquire of a held lease: ok=%v holder=%q", ok, st.Holder)
	}
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "save by non-holder", tx.SaveMonitorState(ctx, "node-b", 7, []byte("b")), store.ErrConflict)
		return tx.SaveMonitorState(ctx, "node-a", 42, []byte("snap"))
	})
	if _, ok := acquire("node-a", 6, 20); !ok {
		t.Fatal("holder could not renew")
	}
	st, ok = acquire("node-b", 20, 30) // expired at 20
	if !ok || st.Cursor != 42 || string(st.Snapshot) != "snap" || !st.LeaseUntil.Equal(at(30)) {
		t.Fatalf("take-over of an expired lease: ok=%v state=%+v", ok, st)
	}
	update(t, s, func(tx store.Tx) error {
		if err := tx.ReleaseMonitorLease(ctx, "node-a"); err != nil { // not the holder: no-op
			return err
		}
		return tx.ReleaseMonitorLease(ctx, "node-b")
	})
	if _, ok := acquire("node-a", 21, 31); !ok {
		t.Fatal("acquire after release failed")
	}
}

func testAlerts(t *testing.T, s store.Store) {
	ctx := t.Context()
	a1 := store.Alert{ID: "0001", DedupKey: "honey:x:1", Rule: "honey", Severity: "critical", ActorID: "tok_1",
		SourceIP: "10.0.0.1", Summary: "s1", Evidence: []int64{3, 5}, Status: "open", CreatedAt: at(1)}
	a2 := store.Alert{ID: "0002", DedupKey: "flood:ip:9", Rule: "api_flood", Severity: "high",
		Summary: "s2", Evidence: []int64{}, Status: "open", CreatedAt: at(2)}
	update(t, s, func(tx store.Tx) error {
		for _, a := range []store.Alert{a1, a2} {
			if isNew, err := tx.InsertAlert(ctx, a); err != nil || !isNew {
				t.Fatalf("insert %s: new=%v err=%v", a.ID, isNew, err)
			}
		}
		again := a1
		again.ID = "0003"
		isNew, err := tx.InsertAlert(ctx, again)
		if err != nil || isNew {
			t.Fatalf("insert with a taken dedup key: new=%v err=%v", isNew, err)
		}
		_, err = tx.GetAlert(ctx, "0003")
		wantErr(t, "deduplicated alert", err, store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		all, err := tx.ListAlerts(ctx, store.AlertQuery{Limit: 10})
		equal(t, "alerts newest first", all, []store.Alert{a2, a1})
		page, _ := tx.ListAlerts(ctx, store.AlertQuery{BeforeID: "0002", Limit: 10})
		equal(t, "page before 0002", page, []store.Alert{a1})
		byRule, _ := tx.ListAlerts(ctx, store.AlertQuery{Rule: "honey", Severity: "critical", ActorID: "tok_1", Limit: 10})
		equal(t, "filtered", byRule, []store.Alert{a1})
		none, _ := tx.ListAlerts(ctx, store.AlertQuery{Status: "acknowledged", Limit: 10})
		equal(t, "no acknowledged alerts", len(none), 0)
		return err
	})
	update(t, s, func(tx store.Tx) error {
		if err := tx.AckAlert(ctx, "0001", "tok_admin", "investigated", at(5)); err != nil {
			return err
		}
		wantErr(t, "ack twice", tx.AckAlert(ctx, "0001", "tok_admin", "again", at(6)), store.ErrConflict)
		wantErr(t, "ack unknown", tx.AckAlert(ctx, "0009", "tok_admin", "x", at(6)), store.ErrNotFound)
		wantErr(t, "contain unknown", tx.MarkAlertContained(ctx, "0009"), store.ErrNotFound)
		return tx.MarkAlertContained(ctx, "0001")
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetAlert(ctx, "0001")
		want := a1
		want.Status, want.AckedAt, want.AckedBy, want.AckReason, want.Contained = "acknowledged", at(5), "tok_admin", "investigated", true
		equal(t, "acknowledged alert", got, want)
		return err
	})
}

func testAlertDeliveries(t *testing.T, s store.Store) {
	ctx := t.Context()
	update(t, s, func(tx store.Tx) error {
		for _, id := range []string{"b", "a"} {
			if err := tx.EnqueueAlertDelivery(ctx, id, at(1)); err != nil {
				return err
			}
		}
		if err := tx.EnqueueAlertDelivery(ctx, "a", at(50)); err != nil { // keeps at(1)
			return err
		}
		return tx.EnqueueAlertDelivery(ctx, "c", at(10))
	})
	update(t, s, func(tx store.Tx) error {
		due, err := tx.DueAlertDeliveries(ctx, at(5), 10)
		equal(t, "due at 5", due, []store.AlertDelivery{{AlertID: "a", NextAt: at(1)}, {AlertID: "b", NextAt: at(1)}})
		if err != nil {
			return err
		}
		if err := tx.RescheduleAlertDelivery(ctx, "a", 1, at(20)); err != nil {
			return err
		}
		wantErr(t, "reschedule unknown", tx.RescheduleAlertDelivery(ctx, "z", 1, at(20)), store.ErrNotFound)
		return tx.CompleteAlertDelivery(ctx, "b")
	})
	view(t, s, func(tx store.Tx) error {
		due, err := tx.DueAlertDeliveries(ctx, at(30), 10)
		equal(t, "due at 30", due, []store.AlertDelivery{{AlertID: "c", NextAt: at(10)}, {AlertID: "a", Attempts: 1, NextAt: at(20)}})
		return err
	})
}
