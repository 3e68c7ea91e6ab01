-- Confide schema, version 4 (PostgreSQL): the detection engine's cursor,
-- lease and state snapshot, and the alerts it raises. Keep in step with
-- migrations/sqlite/0004_monitor.sql.

CREATE TABLE monitor_state (
	id          BIGINT PRIMARY KEY CHECK (id = 1),
	cursor      BIGINT NOT NULL,
	snapshot    BYTEA  NOT NULL,
	holder      TEXT   NOT NULL,
	lease_until BIGINT NOT NULL
);
INSERT INTO monitor_state (id, cursor, snapshot, holder, lease_until) VALUES (1, 0, '\x'::bytea, '', 0);

CREATE TABLE monitor_alerts (
	id         TEXT   COLLATE "C" PRIMARY KEY,
	dedup_key  TEXT   COLLATE "C" NOT NULL,
	rule       TEXT   COLLATE "C" NOT NULL,
	severity   TEXT   NOT NULL,
	actor_id   TEXT   COLLATE "C" NOT NULL,
	source_ip  TEXT   NOT NULL,
	summary    TEXT   NOT NULL,
	evidence   BYTEA  NOT NULL,
	status     TEXT   NOT NULL,
	created_at BIGINT NOT NULL,
	acked_at   BIGINT,
	acked_by   TEXT   NOT NULL,
	ack_reason TEXT   NOT NULL,
	contained  BIGINT NOT NULL
);
CREATE UNIQUE INDEX monitor_alerts_dedup ON monitor_alerts (dedup_key);
CREATE INDEX monitor_alerts_status ON monitor_alerts (status, id);

CREATE TABLE monitor_outbox (
	alert_id   TEXT   COLLATE "C" PRIMARY KEY,
	attempts   BIGINT NOT NULL,
	next_at    BIGINT NOT NULL
);
