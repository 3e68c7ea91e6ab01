package storetest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

func testAuditSearch(t *testing.T, s store.Store) {
	ctx := t.Context()
	recs := []store.AuditRecord{
		{Actor: "u1", Action: "customer.read", Resource: "customer/a", Outcome: "success"},
		{Actor: "u2", Action: "customer.read", Resource: "customer/b", Outcome: "denied"},
		{Actor: "u1", Action: "customer.reveal", Resource: "customer/a", Outcome: "success"},
		{Actor: "u1", Action: "customer.read", Resource: "customer/b", Outcome: "success"},
		{Actor: "u2", Action: "customer.reveal", Resource: "customer/a", Outcome: "denied"},
	}
	update(t, s, func(tx store.Tx) error {
		var prev []byte
		for i := range recs {
			r := chained(int64(i), prev, `{"n":`+string(rune('0'+i))+`}`)
			r.Actor, r.Action, r.Resource, r.Outcome = recs[i].Actor, recs[i].Action, recs[i].Resource, recs[i].Outcome
			recs[i] = r
			prev = r.Hash
			if err := tx.AppendAudit(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	tests := []struct {
		name string
		q    store.AuditQuery
		want []int64
	}{
		{"everything", store.AuditQuery{Limit: 10}, []int64{1, 2, 3, 4, 5}},
		{"by actor", store.AuditQuery{Actor: "u1", Limit: 10}, []int64{1, 3, 4}},
		{"by action", store.AuditQuery{Action: "customer.read", Limit: 10}, []int64{1, 2, 4}},
		{"by resource and outcome", store.AuditQuery{Resource: "customer/b", Outcome: "success", Limit: 10}, []int64{4}},
		{"time range", store.AuditQuery{From: at(1), To: at(3), Limit: 10}, []int64{2, 3}},
		{"page after", store.AuditQuery{Actor: "u1", AfterSeq: 1, Limit: 1}, []int64{3}},
		{"no match", store.AuditQuery{Actor: "nobody", Limit: 10}, nil},
	}
	for _, tc := range tests {
		view(t, s, func(tx store.Tx) error {
			got, err := tx.SearchAudit(ctx, tc.q)
			if err != nil {
				return err
			}
			var seqs []int64
			for _, r := range got {
				seqs = append(seqs, r.Seq)
				if want := recs[r.Seq-1]; r.Actor != want.Actor || r.Action != want.Action || !bytes.Equal(r.Body, want.Body) {
					t.Errorf("%s: record %d = %+v, want %+v", tc.name, r.Seq, r, want)
				}
			}
			equal(t, tc.name, seqs, tc.want)
			return nil
		})
	}
	// Successful reveals by actor since a time (the reveal rate limit).
	for _, tc := range []struct {
		actor string
		since time.Time
		want  int
	}{
		{"u1", at(0), 1},
		{"u1", at(2), 1}, // at the reveal's own time
		{"u1", at(3), 0},
		{"u2", at(0), 0}, // a denied reveal does not count
		{"nobody", at(0), 0},
	} {
		view(t, s, func(tx store.Tx) error {
			n, err := tx.CountReveals(ctx, tc.actor, tc.since)
			equal(t, fmt.Sprintf("reveals of %s since %v", tc.actor, tc.since), n, tc.want)
			return err
		})
	}
}

func nodeHash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func testAuditTree(t *testing.T, s store.Store) {
	ctx := t.Context()
	var empty store.AuditTreeState
	view(t, s, func(tx store.Tx) error {
		var err error
		empty, err = tx.AuditTreeState(ctx)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(empty.Origin, "confide.local/audit/") || empty.Size != 0 || len(empty.Range) != 0 {
			t.Fatalf("initial state = %+v, want an origin, size 0 and an empty range", empty)
		}
		_, err = tx.LatestAuditCheckpoint(ctx)
		wantErr(t, "latest checkpoint of an empty log", err, store.ErrNotFound)
		return nil
	})
	next := store.AuditTreeState{Origin: empty.Origin, Size: 2, Range: [][]byte{nodeHash("root2")}}
	nodes := []store.AuditNode{{Level: 0, Index: 0, Hash: nodeHash("l0")}, {Level: 0, Index: 1, Hash: nodeHash("l1")}, {Level: 1, Index: 0, Hash: nodeHash("root2")}}
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "advance from a wrong size", tx.AdvanceAuditTree(ctx, 5, next, nodes), store.ErrConflict)
		if err := tx.AdvanceAuditTree(ctx, 0, next, nodes); err != nil {
			return err
		}
		if err := tx.InsertAuditCheckpoint(ctx, store.AuditCheckpoint{Size: 0, Note: []byte("cp0"), CreatedAt: at(0)}); err != nil {
			return err
		}
		return tx.InsertAuditCheckpoint(ctx, store.AuditCheckpoint{Size: 2, Note: []byte("cp2"), CreatedAt: at(1)})
	})
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "second checkpoint of one size", tx.InsertAuditCheckpoint(ctx, store.AuditCheckpoint{Size: 2, Note: []byte("x"), CreatedAt: at(2)}), store.ErrConflict)
		wantErr(t, "advance again from the old size", tx.AdvanceAuditTree(ctx, 0, next, nil), store.ErrConflict)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.AuditTreeState(ctx)
		if err != nil {
			return err
		}
		equal(t, "state", got, next)
		hashes, err := tx.AuditNodes(ctx, []store.AuditNode{{Level: 1, Index: 0}, {Level: 0, Index: 1}})
		if err != nil {
			return err
		}
		equal(t, "nodes", hashes, [][]byte{nodeHash("root2"), nodeHash("l1")})
		_, err = tx.AuditNodes(ctx, []store.AuditNode{{Level: 0, Index: 0}, {Level: 0, Index: 7}})
		wantErr(t, "missing node", err, store.ErrNotFound)
		latest, err := tx.LatestAuditCheckpoint(ctx)
		if err != nil {
			return err
		}
		equal(t, "latest checkpoint", latest, store.AuditCheckpoint{Size: 2, Note: []byte("cp2"), CreatedAt: at(1)})
		all, err := tx.ListAuditCheckpoints(ctx, 1, 10)
		if err != nil {
			return err
		}
		equal(t, "checkpoints from size 1", all, []store.AuditCheckpoint{latest})
		return nil
	})
}

// testAuditTreeConcurrentAdvance checks that of many transactions
// advancing the tree from one size, exactly one succeeds.
func testAuditTreeConcurrentAdvance(t *testing.T, s store.Store) {
	ctx := t.Context()
	const racers = 8
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		won      int
		conflict int
	)
	for i := range racers {
		wg.Go(func() {
			err := s.Update(ctx, func(tx store.Tx) error {
				st, err := tx.AuditTreeState(ctx)
				if err != nil || st.Size != 0 {
					return store.ErrConflict
				}
				st.Size, st.Range = 1, [][]byte{nodeHash("leaf")}
				return tx.AdvanceAuditTree(ctx, 0, st, []store.AuditNode{{Level: 0, Index: 0, Hash: nodeHash(string(rune('a' + i)))}})
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, store.ErrConflict):
				conflict++
			default:
				t.Errorf("advance: %v", err)
			}
		})
	}
	wg.Wait()
	if won != 1 || conflict != racers-1 {
		t.Errorf("%d advances won and %d conflicted, want 1 and %d", won, conflict, racers-1)
	}
}
