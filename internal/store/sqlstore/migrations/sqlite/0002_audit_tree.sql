-- Confide schema, version 2 (SQLite): the Merkle tree over the audit log,
-- its signed checkpoints, and searchable event columns. Keep in step with
-- migrations/postgres/0002_audit_tree.sql.

-- Copies of the event's actor, action, resource and outcome, for search.
-- They are not part of what the tree commits to (body is).
ALTER TABLE audit_log ADD COLUMN actor_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN action   TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN resource TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN outcome  TEXT NOT NULL DEFAULT '';
UPDATE audit_log SET
	actor_id = coalesce(json_extract(CAST(body AS TEXT), '$.actor_id'), ''),
	action   = coalesce(json_extract(CAST(body AS TEXT), '$.action'), ''),
	resource = coalesce(json_extract(CAST(body AS TEXT), '$.resource'), ''),
	outcome  = coalesce(json_extract(CAST(body AS TEXT), '$.outcome'), '')
WHERE json_valid(CAST(body AS TEXT));
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_resource ON audit_log (resource, seq);

-- The single row describing how far the tree is built: leaves 0..size-1
-- are the records with seq 1..size; compact holds the hashes of the compact
-- range [0, size), 32 bytes each, left to right. origin is the log's
-- installation-unique name, fixed here once.
CREATE TABLE audit_tree (
	id     INTEGER PRIMARY KEY CHECK (id = 1),
	origin TEXT    NOT NULL,
	size   INTEGER NOT NULL,
	compact BLOB   NOT NULL
) STRICT;
INSERT INTO audit_tree (id, origin, size, compact)
	VALUES (1, 'confide.local/audit/' || lower(hex(randomblob(8))), 0, x'');

-- Every complete node of the tree: (level, idx) as in RFC 6962 / the
-- transparency-dev compact ranges (level 0 holds the leaf hashes).
CREATE TABLE audit_nodes (
	level INTEGER NOT NULL,
	idx   INTEGER NOT NULL,
	hash  BLOB    NOT NULL,
	PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;

-- Signed checkpoints (C2SP signed notes), one per tree size.
CREATE TABLE audit_checkpoints (
	size       INTEGER PRIMARY KEY,
	note       BLOB    NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
