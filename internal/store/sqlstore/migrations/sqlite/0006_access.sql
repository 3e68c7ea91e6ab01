-- Confide schema, version 6 (SQLite): what interaction-scoped access needs.
-- Keep in step with migrations/postgres/0006_access.sql.
--
-- An interaction is live while ended_at is NULL; its agent is the Confide
-- user id of the agent handling it. verified_at records when the caller
-- passed identity verification in this interaction (caller verification
-- tables follow below).

ALTER TABLE interactions ADD COLUMN verified_at INTEGER;
CREATE INDEX interactions_live_agent ON interactions (agent, customer_id) WHERE ended_at IS NULL;
