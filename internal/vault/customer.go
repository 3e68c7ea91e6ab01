package vault

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/core/cryptofmt"
	"github.com/tink-crypto/tink-go/v2/keyset"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
	"github.com/tink-crypto/tink-go/v2/tink"
	"google.golang.org/protobuf/proto"
)

// CustomerKeys is one customer's unwrapped data keyset. It seals the
// customer's fields and the data keys of the customer's blobs. It is safe
// for concurrent use.
type CustomerKeys struct {
	redacted
	aead  tink.AEAD
	stats *counters
}

// customerKeysetAD binds a wrapped customer keyset to its customer.
func customerKeysetAD(customerID string) []byte {
	return []byte("confide/customer-keyset/" + customerID)
}

// NewCustomerKeys generates a keyset (one AES256_GCM key) for a new customer
// and wraps it under the primary KEK key. The caller stores wrapped and
// kekKeyID (the id of the KEK key that wrapped it, to track rewrapping).
func (v *Vault) NewCustomerKeys(customerID string) (k *CustomerKeys, wrapped []byte, kekKeyID uint32, err error) {
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, nil, 0, fmt.Errorf("vault: generate customer keyset: %w", err)
	}
	a, err := aead.New(h)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("vault: customer keyset: %w", err)
	}
	kek := v.kek.Load()
	wrapped, err = wrapCustomerKeyset(kek, customerID, h)
	if err != nil {
		return nil, nil, 0, err
	}
	return &CustomerKeys{aead: a, stats: &v.stats}, wrapped, kek.primary, nil
}

// OpenCustomerKeys unwraps a customer keyset made by NewCustomerKeys or
// RewrapCustomerKeyset for the same customerID. If it was wrapped by a KEK
// key this node does not know yet (another node rotated), the vault reloads
// the key-encryption keyset once. A wrong customerID, a wrong or unknown key
// or a tampered wrap fails with ErrDecrypt.
func (v *Vault) OpenCustomerKeys(ctx context.Context, customerID string, wrapped []byte) (*CustomerKeys, error) {
	h, err := v.unwrapCustomerKeyset(ctx, customerID, wrapped)
	if err != nil {
		return nil, err
	}
	a, err := aead.New(h)
	if err != nil {
		return nil, v.stats.fail()
	}
	v.stats.unwraps.Add(1)
	return &CustomerKeys{aead: a, stats: &v.stats}, nil
}

// RewrapCustomerKeyset re-wraps a customer keyset under the primary KEK key
// and returns the new wrap and that key's id. If wrapped is already wrapped
// by the primary it is returned unchanged (and not decrypted), with
// changed=false. A node that did not perform the rotation should Reload
// first, or it rewraps under the primary it knows.
func (v *Vault) RewrapCustomerKeyset(ctx context.Context, customerID string, wrapped []byte) (newWrapped []byte, kekKeyID uint32, changed bool, err error) {
	id, err := wrappingKeyID(wrapped)
	if err != nil {
		return nil, 0, false, v.stats.fail()
	}
	if kek := v.kek.Load(); id == kek.primary {
		return wrapped, id, false, nil
	}
	h, err := v.unwrapCustomerKeyset(ctx, customerID, wrapped)
	if err != nil {
		return nil, 0, false, err
	}
	kek := v.kek.Load()
	newWrapped, err = wrapCustomerKeyset(kek, customerID, h)
	if err != nil {
		return nil, 0, false, err
	}
	return newWrapped, kek.primary, true, nil
}

func wrapCustomerKeyset(kek *kekSet, customerID string, h *keyset.Handle) ([]byte, error) {
	var buf bytes.Buffer
	if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), kek.aead, customerKeysetAD(customerID)); err != nil {
		return nil, fmt.Errorf("vault: wrap customer keyset: %w", err)
	}
	return buf.Bytes(), nil
}

func (v *Vault) unwrapCustomerKeyset(ctx context.Context, customerID string, wrapped []byte) (*keyset.Handle, error) {
	id, err := wrappingKeyID(wrapped)
	if err != nil {
		return nil, v.stats.fail()
	}
	kek := v.kek.Load()
	if !kek.keyIDs[id] {
		if err := v.Reload(ctx); err != nil {
			return nil, err
		}
		kek = v.kek.Load()
	}
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(wrapped)), kek.aead, customerKeysetAD(customerID))
	if err != nil {
		return nil, v.stats.fail()
	}
	return h, nil
}

// wrappingKeyID returns the id of the KEK key that wrapped a customer
// keyset: wrapped is a binary EncryptedKeyset whose ciphertext starts with
// the TINK output prefix 0x01 || key id (big endian).
func wrappingKeyID(wrapped []byte) (uint32, error) {
	var ek tinkpb.EncryptedKeyset
	if err := proto.Unmarshal(wrapped, &ek); err != nil {
		return 0, err
	}
	ct := ek.GetEncryptedKeyset()
	if len(ct) < cryptofmt.TinkPrefixSize || ct[0] != cryptofmt.TinkStartByte {
		return 0, ErrDecrypt
	}
	return binary.BigEndian.Uint32(ct[1:cryptofmt.TinkPrefixSize]), nil
}
