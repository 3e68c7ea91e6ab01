package storetest

import (
	"slices"
	"testing"

	"github.com/confide-cc/confide/internal/store"
)

func testBlobs(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, []string{"c1"}, map[string]string{"i1": "c1", "i2": "c1"})
	att1 := newBlob("k/att1", "c1", "i1", "attachment")
	att2 := newBlob("k/att2", "c1", "i1", "attachment")
	rec1 := newBlob("k/rec1", "c1", "i1", "recording")
	rec2 := newBlob("k/rec2", "c1", "i1", "recording")
	rec3 := newBlob("k/rec3", "c1", "i2", "recording")
	put := func(tx store.Tx, b store.Blob, wantReplaced string) {
		t.Helper()
		replaced, err := tx.PutBlob(ctx, b)
		if err != nil {
			t.Fatalf("PutBlob(%s): %v", b.Key, err)
		}
		equal(t, "replaced by "+b.Key, replaced, wantReplaced)
	}
	update(t, s, func(tx store.Tx) error {
		_, err := tx.GetBlob(ctx, "k/att1")
		wantErr(t, "get missing blob", err, store.ErrNotFound)
		put(tx, att2, "")
		put(tx, att1, "")
		put(tx, rec1, "")
		put(tx, rec3, "") // another interaction's recording
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		put(tx, rec2, "k/rec1")
		_, err := tx.PutBlob(ctx, rec2)
		wantErr(t, "recording put twice", err, store.ErrConflict)
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		_, err := tx.PutBlob(ctx, att1)
		wantErr(t, "attachment put twice", err, store.ErrConflict)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ListBlobs(ctx, "i1")
		if err != nil {
			return err
		}
		equal(t, "blobs of i1", got, []store.Blob{att1, att2, rec2})
		if got, err = tx.ListBlobs(ctx, "i2"); err != nil {
			return err
		}
		equal(t, "blobs of i2", got, []store.Blob{rec3})
		if got, err = tx.ListBlobs(ctx, "i9"); err != nil {
			return err
		}
		equal(t, "blobs of an unknown interaction", len(got), 0)
		b, err := tx.GetBlob(ctx, "k/rec2")
		equal(t, "replacing recording", b, rec2)
		if err != nil {
			return err
		}
		_, err = tx.GetBlob(ctx, "k/rec1")
		wantErr(t, "replaced recording", err, store.ErrNotFound)
		queued, err := tx.PendingBlobDeletions(ctx, 10)
		equal(t, "queued deletions", queued, []string{"k/rec1"})
		return err
	})
}

func testBlobDeletionQueue(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, []string{"c1"}, map[string]string{"i1": "c1"})
	keys := []string{"r/1", "r/2", "r/3", "r/4"}
	for _, k := range keys {
		update(t, s, func(tx store.Tx) error {
			_, err := tx.PutBlob(ctx, newBlob(k, "c1", "i1", "recording"))
			return err
		})
	}
	replaced := keys[:3]
	view(t, s, func(tx store.Tx) error {
		all, err := tx.PendingBlobDeletions(ctx, 10)
		if err != nil {
			return err
		}
		slices.Sort(all)
		equal(t, "queue", all, replaced)
		some, err := tx.PendingBlobDeletions(ctx, 2)
		if err != nil {
			return err
		}
		if len(some) != 2 || some[0] == some[1] || !slices.Contains(replaced, some[0]) || !slices.Contains(replaced, some[1]) {
			t.Fatalf("PendingBlobDeletions(2) = %q, want two of %q", some, replaced)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		for _, k := range replaced {
			if err := tx.CompleteBlobDeletion(ctx, k); err != nil {
				return err
			}
		}
		wantErr(t, "completing twice", tx.CompleteBlobDeletion(ctx, "r/1"), store.ErrNotFound)
		wantErr(t, "completing a key never queued", tx.CompleteBlobDeletion(ctx, "r/4"), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		all, err := tx.PendingBlobDeletions(ctx, 10)
		equal(t, "queue after completion", len(all), 0)
		return err
	})
}

// testOriginalRecordings: an interaction keeps at most one original
// recording too, independently of its redacted recording.
func testOriginalRecordings(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, []string{"c1"}, map[string]string{"i1": "c1"})
	rec := newBlob("k/rec", "c1", "i1", "recording")
	orig1 := newBlob("k/orig1", "c1", "i1", "recording_original")
	orig2 := newBlob("k/orig2", "c1", "i1", "recording_original")
	update(t, s, func(tx store.Tx) error {
		for _, b := range []store.Blob{rec, orig1} {
			if replaced, err := tx.PutBlob(ctx, b); err != nil || replaced != "" {
				t.Fatalf("PutBlob(%s) = %q, %v", b.Key, replaced, err)
			}
		}
		replaced, err := tx.PutBlob(ctx, orig2)
		equal(t, "original replaced", replaced, "k/orig1")
		return err
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ListBlobs(ctx, "i1")
		equal(t, "blobs of i1", got, []store.Blob{orig2, rec})
		return err
	})
}
