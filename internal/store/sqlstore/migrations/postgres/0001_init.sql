-- Confide schema, version 1 (PostgreSQL). Keep in step with
-- migrations/sqlite/0001_init.sql: same tables, columns and indexes.
-- Times are int64 microseconds since the Unix epoch (UTC); every sensitive
-- value is ciphertext sealed by the vault before it reaches this database.
-- Text columns use the "C" collation so that identifiers compare and sort
-- bytewise, as they do on SQLite, whatever the database's locale.

CREATE TABLE system_keysets (
	name       TEXT COLLATE "C" PRIMARY KEY,
	wrapped    BYTEA   NOT NULL,
	updated_at BIGINT  NOT NULL
);

-- No foreign key to customers: a keyset may be created before its
-- customer row in the same transaction.
CREATE TABLE customer_keysets (
	customer_id TEXT COLLATE "C" PRIMARY KEY,
	kek_key_id  BIGINT  NOT NULL,
	wrapped     BYTEA   NOT NULL
);

CREATE TABLE customers (
	id              TEXT COLLATE "C" PRIMARY KEY,
	name            BYTEA   NOT NULL,
	phones          BYTEA   NOT NULL,
	emails          BYTEA   NOT NULL,
	address         BYTEA   NOT NULL,
	date_of_birth   BYTEA   NOT NULL,
	account_numbers BYTEA   NOT NULL,
	attributes      BYTEA   NOT NULL,
	created_at      BIGINT  NOT NULL,
	updated_at      BIGINT  NOT NULL
);

CREATE TABLE blind_index (
	purpose     TEXT COLLATE "C" NOT NULL,
	key_id      BIGINT  NOT NULL,
	hash        BYTEA   NOT NULL,
	customer_id TEXT COLLATE "C" NOT NULL REFERENCES customers (id),
	PRIMARY KEY (purpose, key_id, hash, customer_id)
);
CREATE INDEX blind_index_customer ON blind_index (customer_id);

CREATE TABLE interactions (
	id          TEXT COLLATE "C" PRIMARY KEY,
	customer_id TEXT COLLATE "C" NOT NULL REFERENCES customers (id),
	channel     TEXT COLLATE "C" NOT NULL,
	started_at  BIGINT  NOT NULL,
	ended_at    BIGINT,
	queue       TEXT COLLATE "C" NOT NULL,
	agent       TEXT COLLATE "C" NOT NULL,
	content     BYTEA   NOT NULL,
	created_at  BIGINT  NOT NULL
);
CREATE INDEX interactions_customer ON interactions (customer_id, id);

CREATE TABLE blobs (
	blob_key       TEXT COLLATE "C" PRIMARY KEY,
	customer_id    TEXT COLLATE "C" NOT NULL REFERENCES customers (id),
	interaction_id TEXT COLLATE "C" NOT NULL REFERENCES interactions (id),
	kind           TEXT COLLATE "C" NOT NULL,
	meta           BYTEA   NOT NULL,
	size           BIGINT  NOT NULL,
	created_at     BIGINT  NOT NULL
);
CREATE INDEX blobs_interaction ON blobs (interaction_id, blob_key);
CREATE INDEX blobs_customer ON blobs (customer_id);
CREATE UNIQUE INDEX blobs_one_recording ON blobs (interaction_id) WHERE kind = 'recording';

CREATE TABLE blob_deletions (
	blob_key  TEXT COLLATE "C" PRIMARY KEY,
	queued_at BIGINT  NOT NULL
);
CREATE INDEX blob_deletions_queue ON blob_deletions (queued_at, blob_key);

CREATE TABLE tokens (
	id           TEXT COLLATE "C" PRIMARY KEY,
	name         TEXT COLLATE "C" NOT NULL,
	role         TEXT COLLATE "C" NOT NULL,
	hash         BYTEA   NOT NULL UNIQUE,
	created_at   BIGINT  NOT NULL,
	last_used_at BIGINT,
	revoked_at   BIGINT
);

CREATE TABLE audit_log (
	seq       BIGINT  PRIMARY KEY,
	time      BIGINT  NOT NULL,
	body      BYTEA   NOT NULL,
	prev_hash BYTEA   NOT NULL,
	hash      BYTEA   NOT NULL
);

-- The single row holding the last appended record; appenders lock it.
CREATE TABLE audit_head (
	id   BIGINT  PRIMARY KEY CHECK (id = 1),
	seq  BIGINT  NOT NULL,
	hash BYTEA   NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '\x'::bytea);

CREATE TABLE erasures (
	customer_id TEXT COLLATE "C" PRIMARY KEY,
	erased_at   BIGINT  NOT NULL,
	receipt     BYTEA   NOT NULL
);
