-- Confide schema, version 8 (PostgreSQL): what elevation and
-- re-authentication need. Keep in step with
-- migrations/sqlite/0008_elevation.sql.
--
-- sessions.auth_time is the last full authentication of a session: NULL
-- until the user re-authenticates (the session's creation, by two factors,
-- counts as one). user_training holds each user's current security-training
-- attestation. break_glass_grants are time-boxed elevations with their
-- reason (redacted of personal data) and their review by a security admin.

ALTER TABLE sessions ADD COLUMN auth_time BIGINT;

CREATE TABLE user_training (
	user_id        TEXT COLLATE "C" PRIMARY KEY REFERENCES users (id),
	expires_at     BIGINT           NOT NULL,
	attested_by    TEXT COLLATE "C" NOT NULL,
	attested_at    BIGINT           NOT NULL
);

CREATE TABLE break_glass_grants (
	id             TEXT COLLATE "C" PRIMARY KEY,
	user_id        TEXT COLLATE "C" NOT NULL REFERENCES users (id),
	reason         TEXT             NOT NULL,
	customer_id    TEXT COLLATE "C" ,
	created_at     BIGINT           NOT NULL,
	expires_at     BIGINT           NOT NULL,
	ended_at       BIGINT           ,
	reviewed_at    BIGINT           ,
	reviewer_id    TEXT COLLATE "C" ,
	outcome        TEXT COLLATE "C" ,
	review_note    TEXT
);
CREATE INDEX break_glass_user ON break_glass_grants (user_id, expires_at);
CREATE INDEX break_glass_created ON break_glass_grants (created_at, id);
