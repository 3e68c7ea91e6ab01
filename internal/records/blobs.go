package records

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/vault"
)

// Blob kinds.
const (
	blobRecording  = "recording"
	blobOriginal   = "recording_original" // unredacted, kept only if configured
	blobAttachment = "attachment"
)

// putEncrypted streams src through the customer's blob encryption into the
// blob store under key (the key is also the ciphertext's associated data,
// so an object moved to another key fails to decrypt). It returns the
// plaintext size. Nothing is left under key on failure.
func (s *Service) putEncrypted(ctx context.Context, keys *vault.CustomerKeys, key string, src io.Reader) (int64, error) {
	pr, pw := io.Pipe()
	type result struct {
		n   int64
		err error
	}
	done := make(chan result, 1)
	go func() {
		enc, err := keys.EncryptBlob(pw, key)
		if err != nil {
			pw.CloseWithError(err)
			done <- result{err: err}
			return
		}
		n, err := io.Copy(enc, src)
		if err == nil {
			err = enc.Close()
		}
		pw.CloseWithError(err) // nil: the reader sees io.EOF
		done <- result{n, err}
	}()
	_, putErr := s.blobs.Put(ctx, key, pr)
	pr.CloseWithError(errors.Join(putErr, io.ErrClosedPipe)) // unblock the writer if Put stopped early
	res := <-done
	if res.err != nil {
		// The source's error (too large, client gone) explains more than
		// the store's view of a broken pipe.
		if putErr == nil {
			s.deleteBlob(ctx, key)
		}
		return 0, res.err
	}
	if putErr != nil {
		return 0, putErr
	}
	return res.n, nil
}

func (s *Service) deleteBlob(ctx context.Context, key string) {
	if err := s.blobs.Delete(context.WithoutCancel(ctx), key); err != nil {
		s.log.Warn("blob not deleted; it stays queued for collection", "key", key, "err", err)
	}
}

// CollectBlobs deletes blobs queued for deletion (after an erasure or a
// replaced recording) and returns how many were deleted. The ciphertext of
// an erased customer is unreadable as soon as their keyset is gone; this
// reclaims the space.
func (s *Service) CollectBlobs(ctx context.Context) (int, error) {
	total := 0
	for {
		var keys []string
		err := s.st.View(ctx, func(tx store.Tx) error {
			var err error
			keys, err = tx.PendingBlobDeletions(ctx, 100)
			return err
		})
		if err != nil || len(keys) == 0 {
			return total, err
		}
		for _, k := range keys {
			if err := s.blobs.Delete(ctx, k); err != nil {
				return total, err
			}
			if err := s.st.Update(ctx, func(tx store.Tx) error { return tx.CompleteBlobDeletion(ctx, k) }); err != nil {
				return total, err
			}
			total++
		}
	}
}

// RunBlobCollector runs CollectBlobs every interval, and promptly after an
// erasure, until ctx ends.
func (s *Service) RunBlobCollector(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.CollectBlobs(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("blob collection failed; will retry", "err", err)
		} else if n > 0 {
			s.log.Info("blobs collected", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.collectNow:
		}
	}
}
