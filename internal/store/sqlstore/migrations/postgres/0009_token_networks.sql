-- Confide schema, version 9 (PostgreSQL): per-token allowed networks. Keep
-- in step with migrations/sqlite/0009_token_networks.sql.
--
-- tokens.networks lists the CIDR prefixes a service-account token may be
-- used from, canonical (masked) and comma-separated, e.g.
-- "10.0.0.0/8,2001:db8::/32". The empty string means any address.

ALTER TABLE tokens ADD COLUMN networks TEXT NOT NULL DEFAULT '';
