-- Confide schema, version 5 (PostgreSQL): human users, their credentials,
-- single-use links and interactive sessions. Keep in step with
-- migrations/sqlite/0005_identity.sql.
--
-- The e-mail address and name are employee personal data: they are sealed
-- in profile under the user's own keyset (keyset, wrapped by the KEK) and
-- found through a blind-index hash of the normalized address. Secrets are
-- stored only as hashes (passwords: Argon2id PHC strings; links, sessions
-- and recovery codes: SHA-256 of random values) or sealed (TOTP secret).

CREATE TABLE users (
	id             TEXT COLLATE "C" PRIMARY KEY,
	email_key_id   BIGINT           NOT NULL,
	email_index    BYTEA            NOT NULL,
	keyset         BYTEA            NOT NULL,
	kek_key_id     BIGINT           NOT NULL,
	profile        BYTEA            NOT NULL,
	roles          TEXT COLLATE "C" NOT NULL,
	team           TEXT COLLATE "C" NOT NULL,
	status         TEXT COLLATE "C" NOT NULL,
	password_hash  TEXT COLLATE "C" NOT NULL,
	totp_secret    BYTEA            NOT NULL,
	totp_last_step BIGINT           NOT NULL,
	failed_logins  BIGINT           NOT NULL,
	locked_until   BIGINT           ,
	created_at     BIGINT           NOT NULL,
	enrolled_at    BIGINT           ,
	last_login_at  BIGINT           ,
	updated_at     BIGINT           NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email_key_id, email_index);

-- Past passwords of each user, to refuse their reuse.
CREATE TABLE user_password_history (
	user_id        TEXT COLLATE "C" NOT NULL REFERENCES users (id),
	created_at     BIGINT           NOT NULL,
	hash           TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (user_id, created_at)
);

CREATE TABLE user_recovery_codes (
	user_id        TEXT COLLATE "C" NOT NULL REFERENCES users (id),
	hash           BYTEA            NOT NULL,
	used_at        BIGINT           ,
	PRIMARY KEY (user_id, hash)
);

-- Single-use links: enrollment of a user, or setup of the first security
-- admin (user_id NULL).
CREATE TABLE user_links (
	hash           BYTEA            PRIMARY KEY,
	user_id        TEXT COLLATE "C" REFERENCES users (id),
	purpose        TEXT COLLATE "C" NOT NULL,
	created_at     BIGINT           NOT NULL,
	expires_at     BIGINT           NOT NULL,
	used_at        BIGINT
);
CREATE INDEX user_links_user ON user_links (user_id, purpose);

-- Interactive sessions: hash is SHA-256 of the cookie value, id the public
-- handle used to list and revoke; stage is 'enroll', 'password' (first
-- factor only) or 'full'.
CREATE TABLE sessions (
	id             TEXT COLLATE "C" PRIMARY KEY,
	hash           BYTEA            NOT NULL UNIQUE,
	user_id        TEXT COLLATE "C" NOT NULL REFERENCES users (id),
	stage          TEXT COLLATE "C" NOT NULL,
	binding        BYTEA            NOT NULL,
	client         TEXT COLLATE "C" NOT NULL,
	created_at     BIGINT           NOT NULL,
	last_seen_at   BIGINT           NOT NULL,
	expires_at     BIGINT           NOT NULL,
	revoked_at     BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id, created_at);
CREATE INDEX sessions_expiry ON sessions (expires_at);
