-- Confide schema, version 6 (PostgreSQL): what interaction-scoped access
-- needs. Keep in step with migrations/sqlite/0006_access.sql.
--
-- An interaction is live while ended_at is NULL; its agent is the Confide
-- user id of the agent handling it. verified_at records when the caller
-- passed identity verification in this interaction (caller verification
-- tables follow below).

ALTER TABLE interactions ADD COLUMN verified_at BIGINT;
CREATE INDEX interactions_live_agent ON interactions (agent, customer_id) WHERE ended_at IS NULL;

-- Caller verification (docs/VERIFICATION.md). One row per verification
-- started in an interaction. A one-time code is kept only as a keyed hash
-- (the blind-index PRF under key code_key_id, bound to the row id); a
-- knowledge-based check stores no code (empty hash, key 0). status is
-- pending, passed or failed; a pending row past expires_at is expired.
-- Rows go with their interaction (and so with an erased customer).
CREATE TABLE verifications (
	id             TEXT COLLATE "C" PRIMARY KEY,
	interaction_id TEXT COLLATE "C" NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
	customer_id    TEXT COLLATE "C" NOT NULL,
	method         TEXT COLLATE "C" NOT NULL,
	status         TEXT COLLATE "C" NOT NULL,
	code_key_id    BIGINT  NOT NULL,
	code_hash      BYTEA   NOT NULL,
	attempts       INTEGER NOT NULL,
	max_attempts   INTEGER NOT NULL,
	actor_id       TEXT COLLATE "C" NOT NULL,
	created_at     BIGINT  NOT NULL,
	expires_at     BIGINT  NOT NULL,
	completed_at   BIGINT
);
CREATE INDEX verifications_interaction ON verifications (interaction_id, id);
CREATE INDEX verifications_customer_failed ON verifications (customer_id, completed_at) WHERE status = 'failed';
