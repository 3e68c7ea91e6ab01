-- Confide schema, version 11 (PostgreSQL): the successful reveals of each
-- actor by time, for the reveal rate limit that every node enforces from
-- the shared audit log. A partial index: only customer.reveal records are
-- in it, so other appends do not pay for it. Keep in step with
-- migrations/sqlite/0011_reveal_index.sql.
CREATE INDEX audit_log_reveals ON audit_log (actor_id, time) WHERE action = 'customer.reveal' AND outcome = 'success';
