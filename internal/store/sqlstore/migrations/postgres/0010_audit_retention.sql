-- Confide schema, version 10 (PostgreSQL): audit log retention. Keep in step
-- with migrations/sqlite/0010_audit_retention.sql.
--
-- Leaves [0, expired_size) of the tree are gone for good (their node
-- hashes stay in audit_nodes, so proofs still work); leaves
-- [expired_size, archived_size) are in encrypted archive segments in the
-- blob store (audit_archive); the records with seq > archived_size are in
-- audit_log. archived_hash is the chain hash of record archived_size.
CREATE TABLE audit_retention (
	id            BIGINT PRIMARY KEY CHECK (id = 1),
	archived_size BIGINT  NOT NULL,
	archived_hash BYTEA   NOT NULL,
	expired_size  BIGINT  NOT NULL
);
INSERT INTO audit_retention (id, archived_size, archived_hash, expired_size) VALUES (1, 0, '\x'::bytea, 0);

-- One archive segment: leaves [start_size, end_size), as standard base64
-- lines, encrypted in the blob object blob_key with the segment's own
-- keyset (wrapped by the KEK, like a customer's). newest_at is when the
-- checkpoint of size end_size was signed: no leaf is newer.
CREATE TABLE audit_archive (
	start_size BIGINT  PRIMARY KEY,
	end_size   BIGINT  NOT NULL,
	blob_key   TEXT COLLATE "C" NOT NULL,
	blob_size  BIGINT  NOT NULL,
	keyset     BYTEA   NOT NULL,
	newest_at  BIGINT  NOT NULL,
	created_at BIGINT  NOT NULL
);
