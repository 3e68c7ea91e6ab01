-- Confide schema, version 1 (SQLite). Keep in step with
-- migrations/postgres/0001_init.sql: same tables, columns and indexes.
-- Times are int64 microseconds since the Unix epoch (UTC); every sensitive
-- value is ciphertext sealed by the vault before it reaches this database.

CREATE TABLE system_keysets (
	name       TEXT    PRIMARY KEY,
	wrapped    BLOB    NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

-- No foreign key to customers: a keyset may be created before its
-- customer row in the same transaction.
CREATE TABLE customer_keysets (
	customer_id TEXT    PRIMARY KEY,
	kek_key_id  INTEGER NOT NULL,
	wrapped     BLOB    NOT NULL
) STRICT;

CREATE TABLE customers (
	id              TEXT    PRIMARY KEY,
	name            BLOB    NOT NULL,
	phones          BLOB    NOT NULL,
	emails          BLOB    NOT NULL,
	address         BLOB    NOT NULL,
	date_of_birth   BLOB    NOT NULL,
	account_numbers BLOB    NOT NULL,
	attributes      BLOB    NOT NULL,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE blind_index (
	purpose     TEXT    NOT NULL,
	key_id      INTEGER NOT NULL,
	hash        BLOB    NOT NULL,
	customer_id TEXT    NOT NULL REFERENCES customers (id),
	PRIMARY KEY (purpose, key_id, hash, customer_id)
) STRICT;
CREATE INDEX blind_index_customer ON blind_index (customer_id);

CREATE TABLE interactions (
	id          TEXT    PRIMARY KEY,
	customer_id TEXT    NOT NULL REFERENCES customers (id),
	channel     TEXT    NOT NULL,
	started_at  INTEGER NOT NULL,
	ended_at    INTEGER,
	queue       TEXT    NOT NULL,
	agent       TEXT    NOT NULL,
	content     BLOB    NOT NULL,
	created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX interactions_customer ON interactions (customer_id, id);

CREATE TABLE blobs (
	blob_key       TEXT    PRIMARY KEY,
	customer_id    TEXT    NOT NULL REFERENCES customers (id),
	interaction_id TEXT    NOT NULL REFERENCES interactions (id),
	kind           TEXT    NOT NULL,
	meta           BLOB    NOT NULL,
	size           INTEGER NOT NULL,
	created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX blobs_interaction ON blobs (interaction_id, blob_key);
CREATE INDEX blobs_customer ON blobs (customer_id);
CREATE UNIQUE INDEX blobs_one_recording ON blobs (interaction_id) WHERE kind = 'recording';

CREATE TABLE blob_deletions (
	blob_key  TEXT    PRIMARY KEY,
	queued_at INTEGER NOT NULL
) STRICT;
CREATE INDEX blob_deletions_queue ON blob_deletions (queued_at, blob_key);

CREATE TABLE tokens (
	id           TEXT    PRIMARY KEY,
	name         TEXT    NOT NULL,
	role         TEXT    NOT NULL,
	hash         BLOB    NOT NULL UNIQUE,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER,
	revoked_at   INTEGER
) STRICT;

CREATE TABLE audit_log (
	seq       INTEGER PRIMARY KEY,
	time      INTEGER NOT NULL,
	body      BLOB    NOT NULL,
	prev_hash BLOB    NOT NULL,
	hash      BLOB    NOT NULL
) STRICT;

-- The single row holding the last appended record; appenders lock it.
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash BLOB    NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, x'');

CREATE TABLE erasures (
	customer_id TEXT    PRIMARY KEY,
	erased_at   INTEGER NOT NULL,
	receipt     BLOB    NOT NULL
) STRICT;
