package records

import (
	"context"
	"errors"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/store"
)

// rewrapBatch is how many customer keysets one transaction re-wraps.
const rewrapBatch = 200

// RotateKEK adds a new key-encryption key and makes it primary. Existing
// customer keysets stay readable (the old key remains in the keyset) until
// RewrapKeysets moves them to the new key.
func (s *Service) RotateKEK(ctx context.Context) (uint32, error) {
	if err := s.authorize(ctx, authz.KeysRotate, "keys/kek", ""); err != nil {
		return 0, err
	}
	ev := audit.NewEvent(ctx, string(authz.KeysRotate), "keys/kek", audit.Success)
	id, err := s.vault.RotateKEK(ctx)
	if err != nil {
		return 0, s.reject(ctx, ev, mapStoreErr(err))
	}
	ev.Details = map[string]any{"new_primary": id}
	return id, s.appendOnly(ctx, ev)
}

// RewrapKeysets re-wraps every customer keyset not yet wrapped by the
// primary key-encryption key, in batches, calling progress after each. It
// is idempotent and resumable: an interrupted run continues where it
// stopped. It returns the number of keysets re-wrapped.
func (s *Service) RewrapKeysets(ctx context.Context, progress func(done, total int64)) (int64, error) {
	if err := s.authorize(ctx, authz.KeysRotate, "keys/kek", ""); err != nil {
		return 0, err
	}
	primary := s.vault.PrimaryKEKKeyID()
	total, current, err := s.keysetCounts(ctx, primary)
	if err != nil {
		return 0, err
	}
	done, after := current, ""
	var rewrapped int64
	if progress != nil {
		progress(done, total)
	}
	for {
		var batch []store.CustomerKeyset
		err := s.st.View(ctx, func(tx store.Tx) error {
			var err error
			batch, err = tx.ListCustomerKeysetsNotWrappedBy(ctx, primary, after, rewrapBatch)
			return err
		})
		if err != nil {
			return rewrapped, mapStoreErr(err)
		}
		if len(batch) == 0 {
			return rewrapped, nil
		}
		after = batch[len(batch)-1].CustomerID
		var n int64
		ev := audit.NewEvent(ctx, "keys.rewrap", "keys/kek", audit.Success)
		err = s.st.Update(ctx, func(tx store.Tx) error {
			n = 0
			for _, k := range batch {
				wrapped, kekID, changed, err := s.vault.RewrapCustomerKeyset(ctx, k.CustomerID, k.Wrapped)
				if err != nil {
					return err
				}
				if !changed {
					continue
				}
				err = tx.UpdateCustomerKeyset(ctx, store.CustomerKeyset{CustomerID: k.CustomerID, KEKKeyID: kekID, Wrapped: wrapped})
				if errors.Is(err, store.ErrNotFound) {
					continue // erased meanwhile
				} else if err != nil {
					return err
				}
				n++
			}
			ev.Details = map[string]any{"keysets": n, "kek_key_id": primary}
			return audit.Append(ctx, tx, ev)
		})
		if err != nil {
			return rewrapped, mapStoreErr(err)
		}
		rewrapped += n
		done += int64(len(batch))
		if progress != nil {
			progress(min(done, total), total)
		}
	}
}

// KeysetStatus returns the number of customer keysets and how many are
// wrapped by the primary key-encryption key.
func (s *Service) KeysetStatus(ctx context.Context) (total, current int64, err error) {
	return s.keysetCounts(ctx, s.vault.PrimaryKEKKeyID())
}

func (s *Service) keysetCounts(ctx context.Context, primary uint32) (total, current int64, err error) {
	err = s.st.View(ctx, func(tx store.Tx) error {
		total, current, err = tx.CountCustomerKeysets(ctx, primary)
		return err
	})
	return total, current, mapStoreErr(err)
}
