-- Confide schema, version 3 (SQLite): SIEM export cursors. Keep in step
-- with migrations/postgres/0003_siem.sql.

-- One row per SIEM sink (named by kind and destination): seq is the last
-- audit record the sink has accepted (0: none yet). holder and lease_until
-- form a lease so that one node at a time delivers to a sink. Times are
-- Unix microseconds, as everywhere.
CREATE TABLE siem_cursors (
	sink        TEXT    PRIMARY KEY,
	seq         INTEGER NOT NULL DEFAULT 0,
	holder      TEXT    NOT NULL DEFAULT '',
	lease_until INTEGER NOT NULL DEFAULT 0,
	updated_at  INTEGER NOT NULL
) STRICT;
