package storetest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"

	"github.com/confide-cc/confide/internal/store"
)

// chained returns the record that follows (seq, prev).
func chained(seq int64, prev []byte, body string) store.AuditRecord {
	h := sha256.New()
	h.Write(prev)
	h.Write([]byte(body))
	return store.AuditRecord{Seq: seq + 1, Time: at(int(seq)), Body: []byte(body), PrevHash: prev, Hash: h.Sum(nil)}
}

func testAudit(t *testing.T, s store.Store) {
	ctx := t.Context()
	r1 := chained(0, []byte("genesis"), `{"event":"one"}`)
	r2 := chained(1, r1.Hash, `{"event":"two"}`)
	r3 := chained(2, r2.Hash, `{"event":"three"}`)
	update(t, s, func(tx store.Tx) error {
		seq, hash, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		if seq != 0 || hash != nil {
			t.Fatalf("empty head = (%d, %x), want (0, nil)", seq, hash)
		}
		wantErr(t, "append with a gap", tx.AppendAudit(ctx, r2), store.ErrConflict)
		return tx.AppendAudit(ctx, r1)
	})
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "append a taken sequence number", tx.AppendAudit(ctx, r1), store.ErrConflict)
		if err := tx.AppendAudit(ctx, r2); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, r3)
	})
	view(t, s, func(tx store.Tx) error {
		seq, hash, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		if seq != 3 || !bytes.Equal(hash, r3.Hash) {
			t.Fatalf("head = (%d, %x), want (3, %x)", seq, hash, r3.Hash)
		}
		all, err := tx.ListAudit(ctx, 1, 10)
		if err != nil {
			return err
		}
		equal(t, "whole log", all, []store.AuditRecord{r1, r2, r3})
		mid, err := tx.ListAudit(ctx, 2, 1)
		if err != nil {
			return err
		}
		equal(t, "from 2, limit 1", mid, []store.AuditRecord{r2})
		past, err := tx.ListAudit(ctx, 4, 10)
		equal(t, "past the end", len(past), 0)
		return err
	})
}

// testAuditConcurrentAppenders runs appenders that each read the head and
// append after it. The head lock must serialize them: no appender may see
// a head that another one is about to move (which would surface as
// ErrConflict), and the chain must come out gapless and linked.
func testAuditConcurrentAppenders(t *testing.T, s store.Store) {
	ctx := t.Context()
	const appenders, each = 6, 10
	var wg sync.WaitGroup
	errs := make(chan error, appenders*each)
	for a := range appenders {
		wg.Go(func() {
			for i := range each {
				errs <- s.Update(ctx, func(tx store.Tx) error {
					seq, hash, err := tx.AuditHead(ctx)
					if err != nil {
						return err
					}
					return tx.AppendAudit(ctx, chained(seq, hash, fmt.Sprintf(`{"appender":%d,"n":%d}`, a, i)))
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent append: %v", err)
		}
	}
	view(t, s, func(tx store.Tx) error {
		log, err := tx.ListAudit(ctx, 1, 2*appenders*each)
		if err != nil {
			return err
		}
		if len(log) != appenders*each {
			t.Fatalf("log has %d records, want %d", len(log), appenders*each)
		}
		var prev []byte
		for i, r := range log {
			want := chained(int64(i), prev, string(r.Body))
			if r.Seq != want.Seq || !bytes.Equal(r.PrevHash, prev) || !bytes.Equal(r.Hash, want.Hash) {
				t.Fatalf("record %d (seq %d) does not link to its predecessor", i, r.Seq)
			}
			prev = r.Hash
		}
		return nil
	})
}
