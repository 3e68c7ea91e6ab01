// Package store defines Confide's persistence interfaces. Backends
// (sqlite, postgres) implement them over one shared SQL implementation
// (sqlstore) and every backend passes the same conformance suite
// (storetest).
//
// The store is untrusted: every sensitive value reaches it already sealed
// by the vault. Rows hold ciphertext, random identifiers, timestamps and
// operational metadata (channel, queue, agent id) only.
package store

import (
	"context"
	"errors"
	"net/netip"
	"time"
)

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when an insert collides with an existing row or an
// optimistic check (for example an audit sequence number) fails.
var ErrConflict = errors.New("store: conflict")

// Store is a transactional database. Update transactions are serialized
// (one writer at a time on SQLite; row locks on PostgreSQL) and either
// commit entirely or leave nothing behind.
type Store interface {
	// Update runs fn in a read-write transaction. If fn returns an error the
	// transaction is rolled back and that error is returned.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Ping reports whether the database is reachable.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// Tx is the set of operations available inside a transaction.
type Tx interface {
	SystemKeysets
	CustomerKeysets
	Customers
	BlindIndex
	Interactions
	Blobs
	Tokens
	Audit
	AuditTree
	AuditRetention
	Erasures
	SIEMCursors
	Monitor
	Identity
	WebAuthn
	Verifications
	InteractionLifecycle
	Elevation
	Access
}

// SystemKeyset is an installation-wide keyset (the key-encryption keyset,
// the blind-index keyset), wrapped by the root key.
type SystemKeyset struct {
	Name      string
	Wrapped   []byte
	UpdatedAt time.Time
}

// SystemKeysets stores installation-wide wrapped keysets by name.
type SystemKeysets interface {
	// GetSystemKeyset returns ErrNotFound if the keyset does not exist.
	GetSystemKeyset(ctx context.Context, name string) (SystemKeyset, error)
	// CreateSystemKeyset inserts k unless a keyset of that name exists, and
	// returns the stored keyset (the existing one if there was a race).
	CreateSystemKeyset(ctx context.Context, k SystemKeyset) (SystemKeyset, error)
	// UpdateSystemKeyset replaces the keyset if its current value equals
	// old (compare-and-swap); otherwise ErrConflict.
	UpdateSystemKeyset(ctx context.Context, name string, old, new []byte) error
	// DeleteSystemKeyset removes the keyset if its current value equals old
	// (compare-and-delete): ErrNotFound if it does not exist, ErrConflict
	// if it holds another value.
	DeleteSystemKeyset(ctx context.Context, name string, old []byte) error
}

// CustomerKeyset is one customer's data keyset, wrapped by the
// key-encryption keyset with the customer id as additional data.
type CustomerKeyset struct {
	CustomerID string
	KEKKeyID   uint32 // id of the KEK key that wrapped it (rotation progress)
	Wrapped    []byte
}

// CustomerKeysets stores per-customer wrapped keysets. Deleting one is
// crypto-shredding: everything sealed under it becomes unreadable.
type CustomerKeysets interface {
	InsertCustomerKeyset(ctx context.Context, k CustomerKeyset) error
	GetCustomerKeyset(ctx context.Context, customerID string) (CustomerKeyset, error)
	// UpdateCustomerKeyset replaces the wrapped keyset (rewrap after KEK
	// rotation). ErrNotFound if it does not exist.
	UpdateCustomerKeyset(ctx context.Context, k CustomerKeyset) error
	// ListCustomerKeysetsNotWrappedBy returns up to limit keysets whose
	// KEKKeyID differs from kekKeyID, ordered by customer id, starting after
	// afterCustomerID.
	ListCustomerKeysetsNotWrappedBy(ctx context.Context, kekKeyID uint32, afterCustomerID string, limit int) ([]CustomerKeyset, error)
	// CountCustomerKeysets returns (total, wrapped by kekKeyID).
	CountCustomerKeysets(ctx context.Context, kekKeyID uint32) (total, current int64, err error)
}

// Customer is a customer profile; every profile field is sealed.
type Customer struct {
	ID             string
	Name           []byte
	Phones         []byte
	Emails         []byte
	Address        []byte
	DateOfBirth    []byte
	AccountNumbers []byte
	Attributes     []byte
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Customers stores customer profiles.
type Customers interface {
	InsertCustomer(ctx context.Context, c Customer) error
	GetCustomer(ctx context.Context, id string) (Customer, error)
	// UpdateCustomer replaces all sealed fields and UpdatedAt.
	UpdateCustomer(ctx context.Context, c Customer) error
	// DeleteCustomer deletes the customer, their keyset, blind-index entries
	// and interactions, and queues their blobs for deletion (returned).
	// ErrNotFound if the customer does not exist.
	DeleteCustomer(ctx context.Context, id string) (ErasedRows, error)
}

// ErasedRows counts what DeleteCustomer removed.
type ErasedRows struct {
	Keysets      int64
	IndexEntries int64
	Interactions int64
	Blobs        []string // blob keys queued for deletion
}

// IndexEntry is one blind-index row: a truncated keyed hash of a
// normalized value (phone in E.164, case-folded email) for a purpose.
type IndexEntry struct {
	Purpose    string // "phone", "email"
	KeyID      uint32 // blind-index key that produced Hash
	Hash       []byte
	CustomerID string
}

// BlindIndex stores and queries blind-index entries.
type BlindIndex interface {
	// ReplaceIndexEntries deletes all entries of the customer and inserts
	// entries.
	ReplaceIndexEntries(ctx context.Context, customerID string, entries []IndexEntry) error
	// LookupIndex returns the ids of customers with an entry matching
	// (purpose, keyID, hash), ordered by id, at most limit.
	LookupIndex(ctx context.Context, purpose string, keyID uint32, hash []byte, limit int) ([]string, error)
}

// Interaction is one contact (call, chat, email, sms). Content is sealed.
type Interaction struct {
	ID         string
	CustomerID string
	Channel    string
	StartedAt  time.Time
	EndedAt    time.Time // zero if open
	Queue      string
	Agent      string // agent (user) identifier, not customer data
	Content    []byte // sealed content document
	CreatedAt  time.Time
	VerifiedAt time.Time // when the caller passed identity verification; zero if not
}

// Interactions stores interactions.
type Interactions interface {
	InsertInteraction(ctx context.Context, in Interaction) error
	GetInteraction(ctx context.Context, id string) (Interaction, error)
	// ListInteractions returns up to limit interactions of the customer
	// ordered by id ascending, with id > afterID.
	ListInteractions(ctx context.Context, customerID, afterID string, limit int) ([]Interaction, error)
	// ScanInteractions returns up to limit interactions of all customers
	// ordered by id ascending, with id > afterID (for background scans).
	ScanInteractions(ctx context.Context, afterID string, limit int) ([]Interaction, error)
}

// Blob is a stored object (recording, attachment) belonging to a customer's
// interaction. The object bytes live in the blob store, encrypted.
type Blob struct {
	Key           string // blob-store key
	CustomerID    string
	InteractionID string
	Kind          string // "recording", "attachment"
	Meta          []byte // sealed metadata (file name, content type, ...)
	Size          int64  // plaintext size
	CreatedAt     time.Time
}

// Blobs stores blob metadata and the queue of blobs awaiting deletion from
// the blob store.
type Blobs interface {
	// PutBlob inserts b; if a blob of the same interaction and kind
	// "recording" or "recording_original" exists it is replaced and its
	// key returned in replaced (and queued for deletion).
	PutBlob(ctx context.Context, b Blob) (replaced string, err error)
	GetBlob(ctx context.Context, key string) (Blob, error)
	// ListBlobs returns the blobs of an interaction ordered by key.
	ListBlobs(ctx context.Context, interactionID string) ([]Blob, error)
	// PendingBlobDeletions returns up to limit blob keys queued for deletion.
	PendingBlobDeletions(ctx context.Context, limit int) ([]string, error)
	// CompleteBlobDeletion removes key from the deletion queue.
	CompleteBlobDeletion(ctx context.Context, key string) error
}

// Token is an API token for a service account; only its hash is stored.
type Token struct {
	ID         string
	Name       string
	Role       string
	Hash       []byte // SHA-256 of the secret token
	CreatedAt  time.Time
	LastUsedAt time.Time // zero if never
	RevokedAt  time.Time // zero if active
	// Networks are the prefixes the token may be used from (canonical,
	// masked); empty means any address.
	Networks []netip.Prefix
}

// Tokens stores API tokens.
type Tokens interface {
	InsertToken(ctx context.Context, t Token) error
	// TokenByHash returns ErrNotFound for unknown hashes (revoked tokens are
	// returned; callers check RevokedAt).
	TokenByHash(ctx context.Context, hash []byte) (Token, error)
	ListTokens(ctx context.Context) ([]Token, error)
	RevokeToken(ctx context.Context, id string, at time.Time) error
	TouchToken(ctx context.Context, id string, at time.Time) error
}

// AuditRecord is one hash-chained audit event as stored.
type AuditRecord struct {
	Seq      int64 // 1-based, gapless
	Time     time.Time
	Body     []byte // canonical JSON of the event (no PII)
	PrevHash []byte
	Hash     []byte
	// Copies of the event's fields, for search only: Body is what the
	// chain and the Merkle tree commit to.
	Actor, Action, Resource, Outcome string
}

// Audit stores the hash-chained audit log.
type Audit interface {
	// AuditHead returns the sequence number and hash of the last record
	// (0, nil if empty) and locks the head until the transaction ends, so
	// concurrent appenders on other nodes serialize.
	AuditHead(ctx context.Context) (seq int64, hash []byte, err error)
	// AppendAudit inserts r; r.Seq must be head+1, else ErrConflict.
	AppendAudit(ctx context.Context, r AuditRecord) error
	// ListAudit returns up to limit records with Seq >= fromSeq in order.
	ListAudit(ctx context.Context, fromSeq int64, limit int) ([]AuditRecord, error)
	// SearchAudit returns up to q.Limit records matching q, in Seq order.
	SearchAudit(ctx context.Context, q AuditQuery) ([]AuditRecord, error)
	// CountReveals returns how many successful customer.reveal records
	// actor has at or after since (the reveal rate limit, shared by every
	// node). Inside Update after AuditHead, no other node can add one
	// until the transaction ends.
	CountReveals(ctx context.Context, actor string, since time.Time) (int, error)
}

// AuditQuery selects audit records. Empty fields match everything.
type AuditQuery struct {
	Actor, Action, Resource, Outcome string // exact matches
	From, To                         time.Time
	AfterSeq                         int64 // records with Seq > AfterSeq
	Limit                            int
}

// AuditTreeState is how far the Merkle tree over the audit log is built:
// its leaves are the bodies of the records with Seq 1..Size.
type AuditTreeState struct {
	// Origin names the log; it is chosen at random when the database is
	// created and never changes.
	Origin string
	Size   int64
	// Range holds the hashes of the compact range [0, Size), left to right.
	Range [][]byte
}

// AuditNode is one complete node of the tree: Level 0 holds leaf hashes,
// and node (l, i) is the parent of (l-1, 2i) and (l-1, 2i+1).
type AuditNode struct {
	Level int
	Index int64
	Hash  []byte
}

// AuditCheckpoint is a signed checkpoint of the tree at Size.
type AuditCheckpoint struct {
	Size      int64
	Note      []byte // the signed note
	CreatedAt time.Time
}

// AuditTree stores the Merkle tree over the audit log and its checkpoints.
type AuditTree interface {
	// AuditTreeState returns the tree state. Inside Update it locks the
	// state until the transaction ends.
	AuditTreeState(ctx context.Context) (AuditTreeState, error)
	// AdvanceAuditTree replaces the state of size oldSize by s (origin
	// unchanged) and inserts nodes; ErrConflict if the stored size is not
	// oldSize or a node already exists.
	AdvanceAuditTree(ctx context.Context, oldSize int64, s AuditTreeState, nodes []AuditNode) error
	// AuditNodes returns the hashes of the nodes ids (Hash ignored), in
	// the same order; ErrNotFound if one is missing.
	AuditNodes(ctx context.Context, ids []AuditNode) ([][]byte, error)
	// InsertAuditCheckpoint stores c; ErrConflict if a checkpoint of that
	// size exists.
	InsertAuditCheckpoint(ctx context.Context, c AuditCheckpoint) error
	// LatestAuditCheckpoint returns the checkpoint of the largest size, or
	// ErrNotFound.
	LatestAuditCheckpoint(ctx context.Context) (AuditCheckpoint, error)
	// ListAuditCheckpoints returns up to limit checkpoints with Size >=
	// fromSize, by size.
	ListAuditCheckpoints(ctx context.Context, fromSize int64, limit int) ([]AuditCheckpoint, error)
}

// AuditRetentionState says where the leaves of the audit tree are held
// (docs/AUDIT.md, Retention): leaves [0, ExpiredSize) are deleted for good
// (their node hashes stay, so proofs still work), leaves [ExpiredSize,
// ArchivedSize) are in archive segments, and the records with Seq >
// ArchivedSize are in the log.
type AuditRetentionState struct {
	ExpiredSize  int64
	ArchivedSize int64
	// ArchivedHash is the chain hash of record ArchivedSize (nil if 0).
	ArchivedHash []byte
}

// AuditSegment is an archived range of leaves [Start, End): standard
// base64 lines, encrypted in the blob store under BlobKey with the
// segment's own keyset (Keyset, wrapped by the KEK).
type AuditSegment struct {
	Start, End int64
	BlobKey    string
	BlobSize   int64
	Keyset     []byte
	// NewestAt is when the checkpoint of size End was signed: no leaf of
	// the segment is newer.
	NewestAt  time.Time
	CreatedAt time.Time
}

// AuditRetention moves old audit records to archive segments and expires
// segments.
type AuditRetention interface {
	// AuditRetentionState returns the state. Inside Update it locks it
	// until the transaction ends.
	AuditRetentionState(ctx context.Context) (AuditRetentionState, error)
	// ArchiveAudit records seg as archived: the archived size moves from
	// seg.Start (else ErrConflict) to seg.End with chain hash endHash, and
	// the records with Seq <= seg.End and the checkpoints of sizes strictly
	// between seg.Start and seg.End are deleted.
	ArchiveAudit(ctx context.Context, seg AuditSegment, endHash []byte) error
	// ListAuditSegments returns the archive segments, by Start.
	ListAuditSegments(ctx context.Context) ([]AuditSegment, error)
	// ExpireAudit moves the expired size from old (else ErrConflict) to
	// end, deleting the segments that end at or before end and the
	// checkpoints of smaller sizes.
	ExpireAudit(ctx context.Context, old, end int64) error
	// AuditCheckpointBefore returns the checkpoint of the largest size in
	// (after, atMost] signed before t, or ErrNotFound.
	AuditCheckpointBefore(ctx context.Context, after, atMost int64, t time.Time) (AuditCheckpoint, error)
}

// Erasure is the receipt of a customer erasure.
type Erasure struct {
	CustomerID string
	ErasedAt   time.Time
	Receipt    []byte // JSON receipt (no PII)
}

// Erasures stores erasure receipts.
type Erasures interface {
	InsertErasure(ctx context.Context, e Erasure) error
	GetErasure(ctx context.Context, customerID string) (Erasure, error)
}
