package storetest

import (
	"bytes"
	"crypto/rand"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// testTimePrecision stores times in other zones and with nanoseconds: they
// come back in UTC, truncated to the microsecond.
func testTimePrecision(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, []string{"c1"}, nil)
	in := newInteraction("i1", "c1")
	in.StartedAt = time.Date(2024, 2, 29, 23, 59, 59, 987654321, time.FixedZone("UTC+5", 5*3600))
	in.EndedAt = time.Date(1969, 7, 20, 20, 17, 40, 999, time.UTC) // before the epoch
	in.CreatedAt = time.Date(2200, 1, 1, 0, 0, 0, 1000, time.FixedZone("UTC-3", -3*3600))
	update(t, s, func(tx store.Tx) error { return tx.InsertInteraction(ctx, in) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetInteraction(ctx, "i1")
		if err != nil {
			return err
		}
		for _, c := range []struct {
			name     string
			got, put time.Time
		}{
			{"StartedAt", got.StartedAt, in.StartedAt},
			{"EndedAt", got.EndedAt, in.EndedAt},
			{"CreatedAt", got.CreatedAt, in.CreatedAt},
		} {
			want := c.put.Truncate(time.Microsecond).UTC()
			if !c.got.Equal(want) || c.got.Location() != time.UTC {
				t.Errorf("%s = %v, want %v", c.name, c.got, want)
			}
		}
		return nil
	})
}

// testLargeValues stores 1 MiB column values, the size of a long sealed
// transcript.
func testLargeValues(t *testing.T, s store.Store) {
	ctx := t.Context()
	random := func() []byte {
		b := make([]byte, 1<<20)
		rand.Read(b)
		return b
	}
	c := newCustomer("c1")
	c.Attributes = random()
	in := newInteraction("i1", "c1")
	in.Content = random()
	b := newBlob("k/1", "c1", "i1", "recording")
	b.Meta = random()
	update(t, s, func(tx store.Tx) error {
		if err := tx.InsertCustomer(ctx, c); err != nil {
			return err
		}
		if err := tx.InsertInteraction(ctx, in); err != nil {
			return err
		}
		_, err := tx.PutBlob(ctx, b)
		return err
	})
	view(t, s, func(tx store.Tx) error {
		gotC, err := tx.GetCustomer(ctx, "c1")
		if err != nil {
			return err
		}
		gotI, err := tx.GetInteraction(ctx, "i1")
		if err != nil {
			return err
		}
		gotB, err := tx.GetBlob(ctx, "k/1")
		if err != nil {
			return err
		}
		if !bytes.Equal(gotC.Attributes, c.Attributes) || !bytes.Equal(gotI.Content, in.Content) || !bytes.Equal(gotB.Meta, b.Meta) {
			t.Fatal("a 1 MiB value did not round-trip")
		}
		return nil
	})
}

// testEmptyValues stores nil and empty byte slices; both come back empty.
func testEmptyValues(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := store.Customer{ID: "c1", Phones: []byte{}, CreatedAt: at(1), UpdatedAt: at(1)}
	in := store.Interaction{ID: "i1", CustomerID: "c1", StartedAt: at(2), CreatedAt: at(2)}
	e := store.Erasure{CustomerID: "c2", ErasedAt: at(3), Receipt: []byte{}}
	update(t, s, func(tx store.Tx) error {
		if err := tx.InsertCustomerKeyset(ctx, store.CustomerKeyset{CustomerID: "c1"}); err != nil {
			return err
		}
		if err := tx.InsertCustomer(ctx, c); err != nil {
			return err
		}
		if err := tx.InsertInteraction(ctx, in); err != nil {
			return err
		}
		if err := tx.ReplaceIndexEntries(ctx, "c1", []store.IndexEntry{{Purpose: "phone"}}); err != nil {
			return err
		}
		return tx.InsertErasure(ctx, e)
	})
	view(t, s, func(tx store.Tx) error {
		k, err := tx.GetCustomerKeyset(ctx, "c1")
		if err != nil {
			return err
		}
		gotC, err := tx.GetCustomer(ctx, "c1")
		if err != nil {
			return err
		}
		gotI, err := tx.GetInteraction(ctx, "i1")
		if err != nil {
			return err
		}
		ids, err := tx.LookupIndex(ctx, "phone", 0, nil, 10)
		if err != nil {
			return err
		}
		equal(t, "lookup of an empty hash", ids, []string{"c1"})
		gotE, err := tx.GetErasure(ctx, "c2")
		if err != nil {
			return err
		}
		for name, v := range map[string][]byte{
			"keyset": k.Wrapped, "name": gotC.Name, "phones": gotC.Phones, "attributes": gotC.Attributes,
			"content": gotI.Content, "receipt": gotE.Receipt,
		} {
			if len(v) != 0 {
				t.Errorf("%s = %q, want empty", name, v)
			}
		}
		if !gotI.EndedAt.IsZero() {
			t.Errorf("EndedAt = %v, want zero", gotI.EndedAt)
		}
		return nil
	})
}
