-- Confide schema, version 2 (PostgreSQL): the Merkle tree over the audit
-- log, its signed checkpoints, and searchable event columns. Keep in step
-- with migrations/sqlite/0002_audit_tree.sql.

ALTER TABLE audit_log ADD COLUMN actor_id TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN action   TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN resource TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN outcome  TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE audit_log SET
	actor_id = coalesce(convert_from(body, 'UTF8')::jsonb ->> 'actor_id', ''),
	action   = coalesce(convert_from(body, 'UTF8')::jsonb ->> 'action', ''),
	resource = coalesce(convert_from(body, 'UTF8')::jsonb ->> 'resource', ''),
	outcome  = coalesce(convert_from(body, 'UTF8')::jsonb ->> 'outcome', '');
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_resource ON audit_log (resource, seq);

CREATE TABLE audit_tree (
	id     BIGINT  PRIMARY KEY CHECK (id = 1),
	origin TEXT    NOT NULL,
	size   BIGINT  NOT NULL,
	compact BYTEA   NOT NULL
);
INSERT INTO audit_tree (id, origin, size, compact)
	VALUES (1, 'confide.local/audit/' || substr(md5(random()::text || clock_timestamp()::text), 1, 16), 0, '\x'::bytea);

CREATE TABLE audit_nodes (
	level BIGINT NOT NULL,
	idx   BIGINT NOT NULL,
	hash  BYTEA  NOT NULL,
	PRIMARY KEY (level, idx)
);

CREATE TABLE audit_checkpoints (
	size       BIGINT PRIMARY KEY,
	note       BYTEA  NOT NULL,
	created_at BIGINT NOT NULL
);
