-- Confide schema, version 7 (PostgreSQL): WebAuthn credentials (passkeys)
-- as a second factor, and the server-side challenges of WebAuthn
-- ceremonies. Keep in step with migrations/sqlite/0007_webauthn.sql.
--
-- public_key is the credential's COSE public key, sealed under the user's
-- own keyset and bound to the user and credential ids, so that write access
-- to the database alone cannot plant a passkey. credential_id is the
-- authenticator's id (unique across users). flags is the raw authenticator
-- data flags octet of the last ceremony (UP, UV, BE, BS bits);
-- backup_eligible and backup_state repeat BE and BS for queries.
CREATE TABLE webauthn_credentials (
	id                 TEXT COLLATE "C" PRIMARY KEY,
	user_id            TEXT COLLATE "C" NOT NULL REFERENCES users (id),
	credential_id      BYTEA            NOT NULL UNIQUE,
	public_key         BYTEA            NOT NULL,
	name               TEXT             NOT NULL,
	aaguid             BYTEA            NOT NULL,
	sign_count         BIGINT           NOT NULL,
	transports         TEXT COLLATE "C" NOT NULL,
	attachment         TEXT COLLATE "C" NOT NULL,
	attestation_type   TEXT COLLATE "C" NOT NULL,
	attestation_format TEXT COLLATE "C" NOT NULL,
	flags              BIGINT           NOT NULL,
	backup_eligible    BIGINT           NOT NULL,
	backup_state       BIGINT           NOT NULL,
	created_at         BIGINT           NOT NULL,
	last_used_at       BIGINT
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id, created_at);

-- The pending ceremony of a session: at most one per session (a new begin
-- replaces it), taken (deleted) by the finish step whatever its outcome,
-- useless after expires_at, and deleted with its session. data is the
-- library's session data (JSON: the challenge, the user handle, the
-- allowed credentials).
CREATE TABLE webauthn_challenges (
	session_id TEXT COLLATE "C" PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
	ceremony   TEXT COLLATE "C" NOT NULL,
	data       BYTEA            NOT NULL,
	expires_at BIGINT           NOT NULL
);
CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges (expires_at);
