package vault

import (
	"bytes"
	"context"
	"fmt"

	"github.com/tink-crypto/tink-go/v2/keyset"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
)

// Names of the installation keysets in the SystemKeysetStore.
const (
	kekKeysetName   = "kek"
	indexKeysetName = "blind-index"
)

// maxRotateAttempts bounds how often a rotation retries after losing a
// compare-and-swap race to another node.
const maxRotateAttempts = 8

// SystemKeysetStore persists the installation keysets, wrapped by the root
// AEAD. The database implements it; every node of an installation shares it.
type SystemKeysetStore interface {
	// LoadSystemKeyset returns the stored keyset, or (nil, nil) if absent.
	LoadSystemKeyset(ctx context.Context, name string) ([]byte, error)
	// CreateSystemKeyset stores wrapped unless a keyset of that name exists,
	// and returns the stored value (the existing one if another node won the
	// race).
	CreateSystemKeyset(ctx context.Context, name string, wrapped []byte) ([]byte, error)
	// SwapSystemKeyset replaces old by new atomically (compare-and-swap); it
	// returns an error if the stored value is not old.
	SwapSystemKeyset(ctx context.Context, name string, old, new []byte) error
	// DeleteSystemKeyset removes the keyset if it still holds old
	// (compare-and-delete).
	DeleteSystemKeyset(ctx context.Context, name string, old []byte) error
}

// systemKeysetAD binds a wrapped installation keyset to its name.
func systemKeysetAD(name string) []byte { return []byte("confide/system-keyset/" + name) }

func (v *Vault) wrapSystemKeyset(name string, h *keyset.Handle) ([]byte, error) {
	var buf bytes.Buffer
	if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), v.root, systemKeysetAD(name)); err != nil {
		return nil, fmt.Errorf("vault: wrap system keyset %q with root key %s: %w", name, v.rootDesc, err)
	}
	return buf.Bytes(), nil
}

func (v *Vault) unwrapSystemKeyset(name string, wrapped []byte) (*keyset.Handle, error) {
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(wrapped)), v.root, systemKeysetAD(name))
	if err != nil {
		return nil, fmt.Errorf("vault: cannot unwrap system keyset %q with root key %s (wrong root key, or the stored keyset was altered): %w (%w)",
			name, v.rootDesc, ErrDecrypt, err)
	}
	return h, nil
}

// loadOrCreate returns the stored keyset name, creating it with one key
// from template if it does not exist yet. When several nodes start at once
// they all end up with the keyset that the store kept.
func (v *Vault) loadOrCreate(ctx context.Context, name string, template *tinkpb.KeyTemplate) ([]byte, *keyset.Handle, error) {
	stored, err := v.store.LoadSystemKeyset(ctx, name)
	if err != nil {
		return nil, nil, fmt.Errorf("vault: load system keyset %q: %w", name, err)
	}
	if stored == nil {
		h, err := keyset.NewHandle(template)
		if err != nil {
			return nil, nil, fmt.Errorf("vault: generate system keyset %q: %w", name, err)
		}
		wrapped, err := v.wrapSystemKeyset(name, h)
		if err != nil {
			return nil, nil, err
		}
		if stored, err = v.store.CreateSystemKeyset(ctx, name, wrapped); err != nil {
			return nil, nil, fmt.Errorf("vault: create system keyset %q: %w", name, err)
		}
	}
	h, err := v.unwrapEither(ctx, name, stored)
	if err != nil {
		return nil, nil, err
	}
	return stored, h, nil
}

// load returns the stored keyset name, which must exist. If it still
// equals unchanged, load returns a nil handle without unwrapping it.
func (v *Vault) load(ctx context.Context, name string, unchanged []byte) ([]byte, *keyset.Handle, error) {
	stored, err := v.store.LoadSystemKeyset(ctx, name)
	if err != nil {
		return nil, nil, fmt.Errorf("vault: load system keyset %q: %w", name, err)
	}
	if stored == nil {
		return nil, nil, fmt.Errorf("vault: system keyset %q is missing from the store", name)
	}
	if bytes.Equal(stored, unchanged) {
		return stored, nil, nil
	}
	h, err := v.unwrapEither(ctx, name, stored)
	if err != nil {
		return nil, nil, err
	}
	return stored, h, nil
}

// rotate adds a key generated from template to the stored keyset name,
// makes it the primary and stores the result with a compare-and-swap. If
// another node changed the keyset in the meantime it starts over from the
// new stored value. Existing keys stay enabled.
func (v *Vault) rotate(ctx context.Context, name string, template *tinkpb.KeyTemplate) (stored []byte, h *keyset.Handle, newPrimary uint32, err error) {
	if err := v.refuseWhileStaged(ctx); err != nil {
		return nil, nil, 0, err
	}
	for range maxRotateAttempts {
		if err := ctx.Err(); err != nil {
			return nil, nil, 0, err
		}
		old, cur, err := v.load(ctx, name, nil)
		if err != nil {
			return nil, nil, 0, err
		}
		m := keyset.NewManagerFromHandle(cur)
		id, err := m.Add(template)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("vault: rotate %q: add key: %w", name, err)
		}
		if err := m.SetPrimary(id); err != nil {
			return nil, nil, 0, fmt.Errorf("vault: rotate %q: set primary: %w", name, err)
		}
		next, err := m.Handle()
		if err != nil {
			return nil, nil, 0, fmt.Errorf("vault: rotate %q: %w", name, err)
		}
		wrapped, err := v.wrapSystemKeyset(name, next)
		if err != nil {
			return nil, nil, 0, err
		}
		swapErr := v.store.SwapSystemKeyset(ctx, name, old, wrapped)
		if swapErr == nil {
			return wrapped, next, id, nil
		}
		// Tell a lost race (retry) from a failed write (give up) by looking
		// at what the store now holds.
		now, err := v.store.LoadSystemKeyset(ctx, name)
		switch {
		case err != nil:
			return nil, nil, 0, fmt.Errorf("vault: rotate %q: %w", name, swapErr)
		case bytes.Equal(now, wrapped): // the swap committed despite the error
			return wrapped, next, id, nil
		case bytes.Equal(now, old):
			return nil, nil, 0, fmt.Errorf("vault: rotate %q: %w", name, swapErr)
		}
	}
	return nil, nil, 0, fmt.Errorf("vault: rotate %q: gave up after %d concurrent updates by other nodes", name, maxRotateAttempts)
}
