package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tink-crypto/tink-go/v2/keyset"
)

// Root-key rotation replaces the key at the top of the hierarchy. Only the
// installation keysets are wrapped by the root key, so a rotation re-wraps
// those few rows; customer keysets and data are untouched.
//
// It has two steps, so that several nodes can move to the new key without
// downtime:
//
//  1. StageRootRotation, on a vault opened with the current root key,
//     stores a copy of every installation keyset wrapped by the new root
//     key under "<name>@next". From then on a node opened with either key
//     works: one opened with the new key reads the staged copies. Key
//     rotations (RotateKEK, RotateIndex) are refused while a rotation is
//     staged, so the two copies cannot diverge.
//  2. FinishRootRotation, on a vault opened with the new root key once
//     every node uses it, replaces each keyset by its staged copy and
//     removes the copies. Afterwards the old root key opens nothing; destroy
//     it.
//
// AbortRootRotation removes the staged copies instead. Every step is
// idempotent and can be re-run after an interruption.

// rootWrapped lists the installation keysets the root key wraps.
var rootWrapped = []string{kekKeysetName, indexKeysetName, checkpointKeysetName}

// stagedSuffix marks the copy of an installation keyset wrapped by the next
// root key.
const stagedSuffix = "@next"

// ErrRootRotationStaged is returned by key rotations while a root-key
// rotation is staged.
var ErrRootRotationStaged = errors.New("vault: a root-key rotation is staged; finish or abort it first")

// RootRotationStatus describes a staged root-key rotation.
type RootRotationStatus struct {
	Staged []string // installation keysets with a staged copy
}

// StageRootRotation re-wraps every installation keyset with the root key
// of next and stores the copies beside the current ones. It returns the
// names staged. Staging again with the same next key is a no-op; with a
// different key it fails (abort first).
func (v *Vault) StageRootRotation(ctx context.Context, next KeySource) ([]string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	nextRoot, err := next.RootAEAD(ctx)
	if err != nil {
		return nil, fmt.Errorf("vault: new root key %s: %w", next.Describe(), err)
	}
	nv := &Vault{root: nextRoot, rootDesc: next.Describe(), store: v.store}
	var staged []string
	for _, name := range rootWrapped {
		stored, err := v.store.LoadSystemKeyset(ctx, name)
		if err != nil {
			return staged, fmt.Errorf("vault: load system keyset %q: %w", name, err)
		}
		if stored == nil {
			continue // not created yet (for example no checkpoint signed)
		}
		h, err := v.unwrapSystemKeyset(name, stored)
		if err != nil {
			return staged, err
		}
		wrapped, err := nv.wrapSystemKeyset(name, h)
		if err != nil {
			return staged, err
		}
		kept, err := v.store.CreateSystemKeyset(ctx, name+stagedSuffix, wrapped)
		if err != nil {
			return staged, fmt.Errorf("vault: stage system keyset %q: %w", name, err)
		}
		if !bytes.Equal(kept, wrapped) {
			// Staged before: fine if by the same new key and of the same keyset.
			sh, err := nv.unwrapSystemKeyset(name, kept)
			if err != nil {
				return staged, fmt.Errorf("vault: a rotation to another root key is already staged (abort it first): %w", err)
			}
			if !sameKeys(sh, h) {
				return staged, fmt.Errorf("vault: the staged copy of %q holds other keys than the current keyset; abort the rotation and stage it again", name)
			}
		}
		staged = append(staged, name)
	}
	return staged, nil
}

// FinishRootRotation makes the staged copies current. v must have been
// opened with the new root key: each staged copy is unwrapped with it
// before anything changes.
func (v *Vault) FinishRootRotation(ctx context.Context) ([]string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	type step struct {
		name         string
		cur, staged  []byte
		alreadyFinal bool
	}
	var steps []step
	for _, name := range rootWrapped {
		staged, err := v.store.LoadSystemKeyset(ctx, name+stagedSuffix)
		if err != nil {
			return nil, fmt.Errorf("vault: load staged keyset %q: %w", name, err)
		}
		if staged == nil {
			continue
		}
		if _, err := v.unwrapSystemKeyset(name, staged); err != nil {
			return nil, fmt.Errorf("vault: the staged copy of %q does not open with this node's root key %s (finish with the new key): %w", name, v.rootDesc, err)
		}
		cur, err := v.store.LoadSystemKeyset(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("vault: load system keyset %q: %w", name, err)
		}
		steps = append(steps, step{name: name, cur: cur, staged: staged, alreadyFinal: bytes.Equal(cur, staged)})
	}
	if len(steps) == 0 {
		return nil, errors.New("vault: no root-key rotation is staged")
	}
	var done []string
	for _, s := range steps {
		if !s.alreadyFinal {
			if err := v.store.SwapSystemKeyset(ctx, s.name, s.cur, s.staged); err != nil {
				return done, fmt.Errorf("vault: finish root rotation of %q: %w", s.name, err)
			}
		}
		if err := v.store.DeleteSystemKeyset(ctx, s.name+stagedSuffix, s.staged); err != nil {
			return done, fmt.Errorf("vault: remove staged keyset %q: %w", s.name, err)
		}
		done = append(done, s.name)
	}
	return done, nil
}

// AbortRootRotation removes the staged copies of a root-key rotation.
func (v *Vault) AbortRootRotation(ctx context.Context) ([]string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var removed []string
	for _, name := range rootWrapped {
		staged, err := v.store.LoadSystemKeyset(ctx, name+stagedSuffix)
		if err != nil {
			return removed, fmt.Errorf("vault: load staged keyset %q: %w", name, err)
		}
		if staged == nil {
			continue
		}
		if err := v.store.DeleteSystemKeyset(ctx, name+stagedSuffix, staged); err != nil {
			return removed, fmt.Errorf("vault: remove staged keyset %q: %w", name, err)
		}
		removed = append(removed, name)
	}
	return removed, nil
}

// RootRotation reports whether a root-key rotation is staged.
func (v *Vault) RootRotation(ctx context.Context) (RootRotationStatus, error) {
	var st RootRotationStatus
	for _, name := range rootWrapped {
		staged, err := v.store.LoadSystemKeyset(ctx, name+stagedSuffix)
		if err != nil {
			return st, fmt.Errorf("vault: load staged keyset %q: %w", name, err)
		}
		if staged != nil {
			st.Staged = append(st.Staged, name)
		}
	}
	return st, nil
}

// refuseWhileStaged fails with ErrRootRotationStaged if a root-key
// rotation is staged (a key rotation would change one copy only).
func (v *Vault) refuseWhileStaged(ctx context.Context) error {
	st, err := v.RootRotation(ctx)
	if err != nil {
		return err
	}
	if len(st.Staged) > 0 {
		return ErrRootRotationStaged
	}
	return nil
}

// unwrapEither unwraps the stored keyset name with this vault's root key,
// or, if that fails and a root-key rotation is staged, its staged copy:
// a node already moved to the new root key keeps working before the
// rotation is finished.
func (v *Vault) unwrapEither(ctx context.Context, name string, stored []byte) (*keyset.Handle, error) {
	h, err := v.unwrapSystemKeyset(name, stored)
	if err == nil || !errors.Is(err, ErrDecrypt) {
		return h, err
	}
	staged, lerr := v.store.LoadSystemKeyset(ctx, name+stagedSuffix)
	if lerr != nil || staged == nil {
		return nil, err
	}
	if sh, serr := v.unwrapSystemKeyset(name, staged); serr == nil {
		return sh, nil
	}
	return nil, err
}

// sameKeys reports whether a and b hold the same keys (by id, type and
// status) with the same primary.
func sameKeys(a, b *keyset.Handle) bool {
	ai, bi := a.KeysetInfo(), b.KeysetInfo()
	if ai.GetPrimaryKeyId() != bi.GetPrimaryKeyId() || len(ai.GetKeyInfo()) != len(bi.GetKeyInfo()) {
		return false
	}
	key := func(k interface {
		GetKeyId() uint32
		GetTypeUrl() string
	}) string {
		return fmt.Sprint(k.GetKeyId(), k.GetTypeUrl())
	}
	var as, bs []string
	for _, k := range ai.GetKeyInfo() {
		as = append(as, key(k)+k.GetStatus().String())
	}
	for _, k := range bi.GetKeyInfo() {
		bs = append(bs, key(k)+k.GetStatus().String())
	}
	slices.Sort(as)
	slices.Sort(bs)
	return slices.Equal(as, bs)
}
