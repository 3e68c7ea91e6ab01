// Package vault is the only place in Confide that touches keys and AEAD. It
// holds the key hierarchy, seals fields, encrypts blobs as seekable streams
// and computes blind indexes. Everything it hands to storage is ciphertext
// bound to its place by associated data; the database and the blob store
// are treated as untrusted. Cryptography is Tink's and Go's; the one
// hand-written part is a random-access reader for Tink's documented
// streaming format, tested against Tink's own writer and reader.
//
// # Key hierarchy
//
//	root key (KeySource: a 32-byte file, or a KMS)
//	├── KEK keyset "kek"                 AEAD keyset, AES256_GCM keys
//	│   └── customer keyset, one per customer     AEAD keyset, AES256_GCM
//	│       ├── sealed fields
//	│       └── per-blob data keys (DEKs)
//	│           └── blob contents (AES-GCM-HKDF streaming)
//	├── blind-index keyset "blind-index"  PRF keyset, HMAC-SHA256 keys
//	└── checkpoint keyset "audit-checkpoint"  Ed25519 signing key (NoteSigner)
//
// The root AEAD wraps only the installation keysets, which the database
// stores through SystemKeysetStore as Tink binary EncryptedKeysets with
// associated data "confide/system-keyset/"+name. Each customer keyset is
// wrapped by the KEK keyset in the same format with associated data
// "confide/customer-keyset/"+customerID; the ciphertext starts with Tink's
// prefix 0x01 || KEK key id, which tells which KEK key wrapped it.
//
// Rotation: RotateKEK adds a KEK key and makes it primary; old keys stay
// enabled, so every wrap keeps opening, and RewrapCustomerKeyset moves
// customer keysets to the new key (the store tracks progress by KEK key
// id). Other nodes pick the change up through Reload, or by themselves the
// first time they meet a wrap by a key they do not know. RotateIndexKey does
// the same for the blind-index key; IndexHashes then returns a hash per key
// until rows are re-indexed.
//
// # Root keys and KMS
//
// FileKeySource reads a 32-byte key file (create it with EnsureRootKeyFile)
// and uses it as an AES-256-GCM key. A KMS plugs in through Tink's KMS
// extensions (tink-go-gcpkms, tink-go-awskms, tink-go-hcvault): their
// registry.KMSClient.GetAEAD(keyURI) returns a tink.AEAD whose Encrypt and
// Decrypt call the KMS, and AEADKeySource(description, aead) turns it into a
// KeySource. The KMS is then called only when a node opens the vault,
// reloads or rotates, never per request.
//
// # Formats
//
// Sealed field: Tink AEAD output, 0x01 || customer key id (4 bytes) || IV
// (12) || ciphertext || tag (16), 33 bytes of overhead. The associated data
// is "confide/field/v1" followed by Table, Column and Row, each prefixed by
// its uvarint length, so a value moved to another table, column or row, or
// to another customer, fails with ErrDecrypt.
//
// Blob: version byte 1 || the blob's random 32-byte DEK sealed by the
// customer's keyset (65 bytes) || Tink AES-GCM-HKDF streaming ciphertext
// (HKDF-SHA256, AES-256-GCM, 64 KiB segments) of the contents under the DEK.
// The DEK wrap and the stream both use the associated data
// "confide/blob/v1/"+blobAD. Segment nonces encode the segment index and a
// last-segment flag, so truncation, reordering and extension are detected.
// OpenBlob authenticates the last segment up front, so Size is trustworthy,
// and decrypts other segments only when read.
//
// Blind index: HMAC-SHA256 (Tink PRF) of "confide/blind-index/v1" ||
// uvarint(len(purpose)) || purpose || normalized value, truncated to 16
// bytes; see IndexHashSize for why 128 bits and what it reveals.
//
// # Crypto-shredding
//
// Everything a customer owns (fields and blob DEKs) is sealed under that
// customer's keyset, and the keyset exists only wrapped, in one database
// row. Deleting that row erases the customer: whatever ciphertext remains,
// in the database, in the blob store or in any copy of them that does not
// hold the row, can no longer be decrypted by anyone, including holders of
// the root key and the KEK. Two limits: a database backup taken before the
// deletion still holds the wrapped keyset, so such backups must expire (or
// be restored only together with a replay of erasures); and blind-index
// entries are keyed per installation, not per customer, so they are
// deleted with the customer's rows rather than shredded.
//
// # Secrets in logs
//
// Every type holding key material (Vault, CustomerKeys, BlobReader, the
// blob writer, root AEADs) prints as "REDACTED" through fmt and log/slog.
// Errors carry no key bytes and no plaintext; decryption failures are
// ErrDecrypt and do not say why.
package vault
