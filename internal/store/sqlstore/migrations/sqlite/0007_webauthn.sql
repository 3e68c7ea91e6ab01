-- Confide schema, version 7 (SQLite): WebAuthn credentials (passkeys) as a
-- second factor, and the server-side challenges of WebAuthn ceremonies.
-- Keep in step with migrations/postgres/0007_webauthn.sql.
--
-- public_key is the credential's COSE public key, sealed under the user's
-- own keyset and bound to the user and credential ids, so that write access
-- to the database alone cannot plant a passkey. credential_id is the
-- authenticator's id (unique across users). flags is the raw authenticator
-- data flags octet of the last ceremony (UP, UV, BE, BS bits);
-- backup_eligible and backup_state repeat BE and BS for queries.
CREATE TABLE webauthn_credentials (
	id                 TEXT    PRIMARY KEY,
	user_id            TEXT    NOT NULL REFERENCES users (id),
	credential_id      BLOB    NOT NULL UNIQUE,
	public_key         BLOB    NOT NULL,
	name               TEXT    NOT NULL,
	aaguid             BLOB    NOT NULL,
	sign_count         INTEGER NOT NULL,
	transports         TEXT    NOT NULL,
	attachment         TEXT    NOT NULL,
	attestation_type   TEXT    NOT NULL,
	attestation_format TEXT    NOT NULL,
	flags              INTEGER NOT NULL,
	backup_eligible    INTEGER NOT NULL,
	backup_state       INTEGER NOT NULL,
	created_at         INTEGER NOT NULL,
	last_used_at       INTEGER
) STRICT;
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id, created_at);

-- The pending ceremony of a session: at most one per session (a new begin
-- replaces it), taken (deleted) by the finish step whatever its outcome,
-- useless after expires_at, and deleted with its session. data is the
-- library's session data (JSON: the challenge, the user handle, the
-- allowed credentials).
CREATE TABLE webauthn_challenges (
	session_id TEXT    PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
	ceremony   TEXT    NOT NULL,
	data       BLOB    NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges (expires_at);
