package vault

import (
	"encoding/binary"
	"fmt"
)

// fieldDomain starts the associated data of every sealed field.
const fieldDomain = "confide/field/v1"

// FieldAD names the place a sealed field belongs to. Sealing binds the
// ciphertext to it: moved to another table, column or row, it no longer
// opens.
type FieldAD struct{ Table, Column, Row string }

// encode returns the associated data: fieldDomain followed by Table, Column
// and Row, each prefixed by its length as a uvarint, so that distinct
// FieldADs never encode alike (("a|b","c") and ("a","b|c") differ).
func (ad FieldAD) encode() []byte {
	b := make([]byte, 0, len(fieldDomain)+3*binary.MaxVarintLen64+len(ad.Table)+len(ad.Column)+len(ad.Row))
	b = append(b, fieldDomain...)
	for _, s := range [...]string{ad.Table, ad.Column, ad.Row} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// Seal encrypts plaintext under the customer's primary key, bound to ad.
// The result is Tink's AEAD format: 0x01 || key id (4 bytes) || IV (12) ||
// ciphertext || tag (16).
func (k *CustomerKeys) Seal(plaintext []byte, ad FieldAD) ([]byte, error) {
	ct, err := k.aead.Encrypt(plaintext, ad.encode())
	if err != nil {
		return nil, fmt.Errorf("vault: seal: %w", err)
	}
	k.stats.seals.Add(1)
	return ct, nil
}

// Open decrypts a ciphertext made by Seal with the same ad and the same
// customer's keys. Any mismatch or tampering fails with ErrDecrypt.
func (k *CustomerKeys) Open(ciphertext []byte, ad FieldAD) ([]byte, error) {
	pt, err := k.aead.Decrypt(ciphertext, ad.encode())
	if err != nil {
		return nil, k.stats.fail()
	}
	k.stats.opens.Add(1)
	return pt, nil
}
