package storetest

import (
	"sync"
	"testing"

	"github.com/confide-cc/confide/internal/store"
)

// testSIEMCursors walks one sink's cursor through first use, advances,
// a competing node, expiry, release and listing.
func testSIEMCursors(t *testing.T, s store.Store) {
	ctx := t.Context()
	const sink = "syslog:tcp://siem.example:514"
	lease := func(holder string, now, until int) (store.SIEMCursor, error) {
		var c store.SIEMCursor
		err := s.Update(ctx, func(tx store.Tx) error {
			var err error
			c, err = tx.LeaseSIEMCursor(ctx, sink, holder, at(now), at(until))
			return err
		})
		return c, err
	}
	advance := func(holder string, seq int64, now int) error {
		return s.Update(ctx, func(tx store.Tx) error { return tx.AdvanceSIEMCursor(ctx, sink, holder, seq, at(now)) })
	}

	c, err := lease("node-a", 0, 30)
	if err != nil {
		t.Fatalf("first lease: %v", err)
	}
	equal(t, "new cursor", c, store.SIEMCursor{Sink: sink, Seq: 0, Holder: "node-a", LeaseUntil: at(30), UpdatedAt: at(0)})
	if err := advance("node-a", 7, 1); err != nil {
		t.Fatalf("advance: %v", err)
	}
	_, err = lease("node-b", 2, 40)
	wantErr(t, "lease held by another node", err, store.ErrConflict)
	wantErr(t, "advance without the lease", advance("node-b", 9, 2), store.ErrConflict)
	wantErr(t, "advance backwards", advance("node-a", 6, 2), store.ErrConflict)
	if err := advance("node-a", 7, 3); err != nil {
		t.Fatalf("advance to the same seq: %v", err)
	}
	c, err = lease("node-a", 4, 50) // renewal
	if err != nil {
		t.Fatalf("renew: %v", err)
	}
	equal(t, "renewed cursor", c, store.SIEMCursor{Sink: sink, Seq: 7, Holder: "node-a", LeaseUntil: at(50), UpdatedAt: at(3)})

	wantErr(t, "advance after expiry", advance("node-a", 8, 50), store.ErrConflict)
	c, err = lease("node-b", 50, 80) // the expired lease passes on
	if err != nil {
		t.Fatalf("lease after expiry: %v", err)
	}
	equal(t, "taken-over cursor", c, store.SIEMCursor{Sink: sink, Seq: 7, Holder: "node-b", LeaseUntil: at(80), UpdatedAt: at(3)})

	update(t, s, func(tx store.Tx) error { return tx.ReleaseSIEMCursor(ctx, sink, "node-a") }) // not the holder: no effect
	_, err = lease("node-a", 51, 90)
	wantErr(t, "lease after a foreign release", err, store.ErrConflict)
	update(t, s, func(tx store.Tx) error { return tx.ReleaseSIEMCursor(ctx, sink, "node-b") })
	if _, err := lease("node-a", 52, 90); err != nil {
		t.Fatalf("lease after release: %v", err)
	}
	update(t, s, func(tx store.Tx) error {
		_, err := tx.LeaseSIEMCursor(ctx, "", "node-a", at(0), at(1))
		if err == nil {
			t.Error("lease of an empty sink name succeeded")
		}
		_, err = tx.LeaseSIEMCursor(ctx, "file:/var/log/ocsf.jsonl", "node-c", at(60), at(70))
		return err
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ListSIEMCursors(ctx)
		equal(t, "cursors", got, []store.SIEMCursor{
			{Sink: "file:/var/log/ocsf.jsonl", Seq: 0, Holder: "node-c", LeaseUntil: at(70), UpdatedAt: at(60)},
			{Sink: sink, Seq: 7, Holder: "node-a", LeaseUntil: at(90), UpdatedAt: at(3)},
		})
		return err
	})
}

// testSIEMLeaseRace has several nodes race for a free lease: exactly one
// wins.
func testSIEMLeaseRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	const nodes = 8
	var wg sync.WaitGroup
	errs := make([]error, nodes)
	for i := range nodes {
		wg.Go(func() {
			errs[i] = s.Update(ctx, func(tx store.Tx) error {
				_, err := tx.LeaseSIEMCursor(ctx, "http:https://siem.example/ingest", string(rune('a'+i)), at(0), at(30))
				return err
			})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		default:
			wantErr(t, "losing lease", err, store.ErrConflict)
		}
	}
	if won != 1 {
		t.Fatalf("%d nodes won the lease, want 1", won)
	}
}
