package storetest

import (
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

func testInteractions(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, []string{"c1"}, nil)
	closed := newInteraction("i1", "c1")
	open := newInteraction("i2", "c1")
	open.EndedAt = time.Time{}
	update(t, s, func(tx store.Tx) error {
		_, err := tx.GetInteraction(ctx, "i1")
		wantErr(t, "get missing interaction", err, store.ErrNotFound)
		for _, in := range []store.Interaction{closed, open} {
			if err := tx.InsertInteraction(ctx, in); err != nil {
				return err
			}
		}
		wantErr(t, "duplicate interaction", tx.InsertInteraction(ctx, newInteraction("i1", "c1")), store.ErrConflict)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		for _, want := range []store.Interaction{closed, open} {
			got, err := tx.GetInteraction(ctx, want.ID)
			if err != nil {
				return err
			}
			equal(t, "interaction "+want.ID, got, want)
		}
		return nil
	})
}

// testInteractionPages pages through one customer's interactions, which
// are interleaved with another customer's.
func testInteractionPages(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, []string{"a", "b"}, map[string]string{
		"i-05": "a", "i-02": "a", "i-07": "a", "i-01": "a", "i-06": "a", "i-03": "a", "i-04": "a",
		"i-00": "b", "i-035": "b", "i-99": "b",
	})
	var got []string
	after := ""
	view(t, s, func(tx store.Tx) error {
		for range 10 {
			page, err := tx.ListInteractions(ctx, "a", after, 3)
			if err != nil {
				return err
			}
			if len(page) > 3 {
				t.Fatalf("page of %d interactions, limit 3", len(page))
			}
			if len(page) == 0 {
				return nil
			}
			for _, in := range page {
				if in.CustomerID != "a" {
					t.Fatalf("interaction %s of customer %s listed for a", in.ID, in.CustomerID)
				}
				got = append(got, in.ID)
			}
			after = page[len(page)-1].ID
		}
		t.Fatal("pagination did not end")
		return nil
	})
	equal(t, "paged interaction ids", got, []string{"i-01", "i-02", "i-03", "i-04", "i-05", "i-06", "i-07"})
}

// testInteractionScan pages through every customer's interactions in id
// order.
func testInteractionScan(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, []string{"a", "b"}, map[string]string{
		"i-05": "a", "i-02": "b", "i-07": "a", "i-01": "b", "i-03": "a",
	})
	var got []string
	after := ""
	view(t, s, func(tx store.Tx) error {
		for range 10 {
			page, err := tx.ScanInteractions(ctx, after, 2)
			if err != nil {
				return err
			}
			if len(page) > 2 {
				t.Fatalf("page of %d interactions, limit 2", len(page))
			}
			if len(page) == 0 {
				return nil
			}
			for _, in := range page {
				got = append(got, in.ID)
			}
			after = page[len(page)-1].ID
		}
		t.Fatal("scan did not end")
		return nil
	})
	equal(t, "scanned interaction ids", got, []string{"i-01", "i-02", "i-03", "i-05", "i-07"})
}
