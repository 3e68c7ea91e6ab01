-- Confide schema, version 3 (PostgreSQL): SIEM export cursors. Keep in
-- step with migrations/sqlite/0003_siem.sql.

CREATE TABLE siem_cursors (
	sink        TEXT COLLATE "C" PRIMARY KEY,
	seq         BIGINT NOT NULL DEFAULT 0,
	holder      TEXT   NOT NULL DEFAULT '',
	lease_until BIGINT NOT NULL DEFAULT 0,
	updated_at  BIGINT NOT NULL
);
