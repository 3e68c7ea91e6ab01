-- Confide schema, version 5 (SQLite): human users, their credentials,
-- single-use links and interactive sessions. Keep in step with
-- migrations/postgres/0005_identity.sql.
--
-- The e-mail address and name are employee personal data: they are sealed
-- in profile under the user's own keyset (keyset, wrapped by the KEK) and
-- found through a blind-index hash of the normalized address. Secrets are
-- stored only as hashes (passwords: Argon2id PHC strings; links, sessions
-- and recovery codes: SHA-256 of random values) or sealed (TOTP secret).

CREATE TABLE users (
	id             TEXT    PRIMARY KEY,
	email_key_id   INTEGER NOT NULL,
	email_index    BLOB    NOT NULL,
	keyset         BLOB    NOT NULL,
	kek_key_id     INTEGER NOT NULL,
	profile        BLOB    NOT NULL,
	roles          TEXT    NOT NULL,
	team           TEXT    NOT NULL,
	status         TEXT    NOT NULL,
	password_hash  TEXT    NOT NULL,
	totp_secret    BLOB    NOT NULL,
	totp_last_step INTEGER NOT NULL,
	failed_logins  INTEGER NOT NULL,
	locked_until   INTEGER,
	created_at     INTEGER NOT NULL,
	enrolled_at    INTEGER,
	last_login_at  INTEGER,
	updated_at     INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX users_email ON users (email_key_id, email_index);

-- Past passwords of each user, to refuse their reuse.
CREATE TABLE user_password_history (
	user_id    TEXT    NOT NULL REFERENCES users (id),
	created_at INTEGER NOT NULL,
	hash       TEXT    NOT NULL,
	PRIMARY KEY (user_id, created_at)
) STRICT;

CREATE TABLE user_recovery_codes (
	user_id TEXT    NOT NULL REFERENCES users (id),
	hash    BLOB    NOT NULL,
	used_at INTEGER,
	PRIMARY KEY (user_id, hash)
) STRICT;

-- Single-use links: enrollment of a user, or setup of the first security
-- admin (user_id NULL).
CREATE TABLE user_links (
	hash       BLOB    PRIMARY KEY,
	user_id    TEXT    REFERENCES users (id),
	purpose    TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
) STRICT;
CREATE INDEX user_links_user ON user_links (user_id, purpose);

-- Interactive sessions: hash is SHA-256 of the cookie value, id the public
-- handle used to list and revoke; stage is 'enroll', 'password' (first
-- factor only) or 'full'.
CREATE TABLE sessions (
	id           TEXT    PRIMARY KEY,
	hash         BLOB    NOT NULL UNIQUE,
	user_id      TEXT    NOT NULL REFERENCES users (id),
	stage        TEXT    NOT NULL,
	binding      BLOB    NOT NULL,
	client       TEXT    NOT NULL,
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	revoked_at   INTEGER
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id, created_at);
CREATE INDEX sessions_expiry ON sessions (expires_at);
