-- Confide schema, version 8 (SQLite): what elevation and re-authentication
-- need. Keep in step with migrations/postgres/0008_elevation.sql.
--
-- sessions.auth_time is the last full authentication of a session: NULL
-- until the user re-authenticates (the session's creation, by two factors,
-- counts as one). user_training holds each user's current security-training
-- attestation. break_glass_grants are time-boxed elevations with their
-- reason (redacted of personal data) and their review by a security admin.

ALTER TABLE sessions ADD COLUMN auth_time INTEGER;

CREATE TABLE user_training (
	user_id     TEXT    PRIMARY KEY REFERENCES users (id),
	expires_at  INTEGER NOT NULL,
	attested_by TEXT    NOT NULL,
	attested_at INTEGER NOT NULL
) STRICT;

CREATE TABLE break_glass_grants (
	id          TEXT    PRIMARY KEY,
	user_id     TEXT    NOT NULL REFERENCES users (id),
	reason      TEXT    NOT NULL,
	customer_id TEXT,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	ended_at    INTEGER,
	reviewed_at INTEGER,
	reviewer_id TEXT,
	outcome     TEXT,
	review_note TEXT
) STRICT;
CREATE INDEX break_glass_user ON break_glass_grants (user_id, expires_at);
CREATE INDEX break_glass_created ON break_glass_grants (created_at, id);
