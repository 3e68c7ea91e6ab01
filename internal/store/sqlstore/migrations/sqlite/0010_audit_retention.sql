-- Confide schema, version 10 (SQLite): audit log retention. Keep in step
-- with migrations/postgres/0010_audit_retention.sql.
--
-- Leaves [0, expired_size) of the tree are gone for good (their node
-- hashes stay in audit_nodes, so proofs still work); leaves
-- [expired_size, archived_size) are in encrypted archive segments in the
-- blob store (audit_archive); the records with seq > archived_size are in
-- audit_log. archived_hash is the chain hash of record archived_size.
CREATE TABLE audit_retention (
	id            INTEGER PRIMARY KEY CHECK (id = 1),
	archived_size INTEGER NOT NULL,
	archived_hash BLOB    NOT NULL,
	expired_size  INTEGER NOT NULL
) STRICT;
INSERT INTO audit_retention (id, archived_size, archived_hash, expired_size) VALUES (1, 0, x'', 0);

-- One archive segment: leaves [start_size, end_size), as standard base64
-- lines, encrypted in the blob object blob_key with the segment's own
-- keyset (wrapped by the KEK, like a customer's). newest_at is when the
-- checkpoint of size end_size was signed: no leaf is newer.
CREATE TABLE audit_archive (
	start_size INTEGER PRIMARY KEY,
	end_size   INTEGER NOT NULL,
	blob_key   TEXT    NOT NULL,
	blob_size  INTEGER NOT NULL,
	keyset     BLOB    NOT NULL,
	newest_at  INTEGER NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
