-- Confide schema, version 4 (SQLite): the detection engine's cursor, lease
-- and state snapshot, and the alerts it raises. Keep in step with
-- migrations/postgres/0004_monitor.sql.

-- The single row describing the engine: the last audit seq whose effects
-- are in snapshot, the detector state at that point, and the lease that
-- lets one node at a time run the engine (holder, expiry in unix µs).
CREATE TABLE monitor_state (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	cursor      INTEGER NOT NULL,
	snapshot    BLOB    NOT NULL,
	holder      TEXT    NOT NULL,
	lease_until INTEGER NOT NULL
) STRICT;
INSERT INTO monitor_state (id, cursor, snapshot, holder, lease_until) VALUES (1, 0, x'', '', 0);

-- Alerts raised by the detection rules. dedup_key makes raising idempotent
-- (a replay after fail-over raises nothing twice). evidence is a JSON array
-- of audit indexes (seq). Times are unix µs; acked_at is NULL while open. Ids are UUIDv7, so
-- they sort by creation time.
CREATE TABLE monitor_alerts (
	id         TEXT    PRIMARY KEY,
	dedup_key  TEXT    NOT NULL,
	rule       TEXT    NOT NULL,
	severity   TEXT    NOT NULL,
	actor_id   TEXT    NOT NULL,
	source_ip  TEXT    NOT NULL,
	summary    TEXT    NOT NULL,
	evidence   BLOB    NOT NULL,
	status     TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	acked_at   INTEGER,
	acked_by   TEXT    NOT NULL,
	ack_reason TEXT    NOT NULL,
	contained  INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX monitor_alerts_dedup ON monitor_alerts (dedup_key);
CREATE INDEX monitor_alerts_status ON monitor_alerts (status, id);

-- Webhook deliveries not yet acknowledged by the receiver.
CREATE TABLE monitor_outbox (
	alert_id   TEXT    PRIMARY KEY,
	attempts   INTEGER NOT NULL,
	next_at    INTEGER NOT NULL
) STRICT;
