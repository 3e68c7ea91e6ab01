package vault

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// ErrDecrypt is returned (possibly wrapped) whenever a ciphertext, a wrapped
// keyset or a blob fails to decrypt or authenticate: wrong key, wrong
// associated data, truncation or tampering. It deliberately does not say
// which.
var ErrDecrypt = errors.New("vault: decryption failed")

// Vault holds an installation's key-encryption keyset and blind-index
// keyset and hands out customer keys. It is safe for concurrent use. Its
// methods that take no context never touch the store.
type Vault struct {
	redacted
	root     tink.AEAD
	rootDesc string
	store    SystemKeysetStore

	// mu serializes Reload and rotations, so that a keyset read from the
	// store never replaces a newer one installed meanwhile. Readers use the
	// atomic pointers and never wait.
	mu    sync.Mutex
	kek   atomic.Pointer[kekSet]
	index atomic.Pointer[indexSet]

	stats counters
}

// Open obtains the root AEAD from ks and loads the installation keysets
// from st, creating them on first use: the key-encryption keyset "kek" (an
// AEAD keyset of AES256_GCM keys) and the blind-index keyset "blind-index"
// (a PRF keyset of HMAC-SHA256 keys). A root key that does not match the
// stored keysets fails with an error that names the key source and wraps
// ErrDecrypt.
func Open(ctx context.Context, ks KeySource, st SystemKeysetStore) (*Vault, error) {
	root, err := ks.RootAEAD(ctx)
	if err != nil {
		return nil, fmt.Errorf("vault: root key %s: %w", ks.Describe(), err)
	}
	v := &Vault{root: root, rootDesc: ks.Describe(), store: st}
	stored, h, err := v.loadOrCreate(ctx, kekKeysetName, aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, err
	}
	if err := v.installKEK(stored, h); err != nil {
		return nil, err
	}
	stored, h, err = v.loadOrCreate(ctx, indexKeysetName, indexKeyTemplate())
	if err != nil {
		return nil, err
	}
	if err := v.installIndex(stored, h); err != nil {
		return nil, err
	}
	return v, nil
}

// Reload re-reads the installation keysets from the store, so that a node
// picks up a rotation made by another node.
func (v *Vault) Reload(ctx context.Context) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	stored, h, err := v.load(ctx, kekKeysetName, v.kek.Load().stored)
	if err != nil {
		return err
	}
	if h != nil {
		if err := v.installKEK(stored, h); err != nil {
			return err
		}
	}
	stored, h, err = v.load(ctx, indexKeysetName, v.index.Load().stored)
	if err != nil {
		return err
	}
	if h != nil {
		return v.installIndex(stored, h)
	}
	return nil
}

// RotateKEK adds a new AES256_GCM key to the key-encryption keyset, makes it
// the primary and stores the keyset (retrying if another node changed it
// concurrently). Older keys stay enabled, so customer keysets wrapped by
// them still open; RewrapCustomerKeyset moves them to the new key.
func (v *Vault) RotateKEK(ctx context.Context) (newPrimary uint32, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	stored, h, id, err := v.rotate(ctx, kekKeysetName, aead.AES256GCMKeyTemplate())
	if err != nil {
		return 0, err
	}
	return id, v.installKEK(stored, h)
}

// PrimaryKEKKeyID returns the id of the key that wraps new customer
// keysets.
func (v *Vault) PrimaryKEKKeyID() uint32 { return v.kek.Load().primary }

// Stats returns a snapshot of the operation counters.
func (v *Vault) Stats() Stats { return v.stats.snapshot() }

// kekSet is one installed version of the key-encryption keyset.
type kekSet struct {
	stored  []byte          // as stored, for change detection
	aead    tink.AEAD       // wraps with the primary, unwraps with any key
	primary uint32          // id of the primary key
	keyIDs  map[uint32]bool // ids of the keys that can unwrap
}

func (v *Vault) installKEK(stored []byte, h *keyset.Handle) error {
	a, err := aead.New(h)
	if err != nil {
		return fmt.Errorf("vault: system keyset %q is not an AEAD keyset: %w", kekKeysetName, err)
	}
	info := h.KeysetInfo()
	k := &kekSet{stored: stored, aead: a, primary: info.GetPrimaryKeyId(), keyIDs: make(map[uint32]bool)}
	for _, ki := range info.GetKeyInfo() {
		if ki.GetStatus() != tinkpb.KeyStatusType_ENABLED {
			continue
		}
		// The key id in the TINK prefix of a wrap tells which key made it.
		if ki.GetOutputPrefixType() != tinkpb.OutputPrefixType_TINK {
			return fmt.Errorf("vault: system keyset %q: key %d has output prefix %v, want TINK", kekKeysetName, ki.GetKeyId(), ki.GetOutputPrefixType())
		}
		k.keyIDs[ki.GetKeyId()] = true
	}
	v.kek.Store(k)
	return nil
}
