-- Two-factor sign-in (TOTP) and sign-in with an OpenID Connect provider.

-- A user's TOTP secret, sealed with the server key (AES-256-GCM, bound to
-- the user's id; '' = two-factor sign-in off). totp_pending is a secret
-- shown for enrolment and not yet confirmed with a code. totp_step is the
-- last 30-second step a code was accepted for: no code is accepted twice,
-- nor one older than the last one used.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_step INTEGER NOT NULL DEFAULT 0;

-- Single-use recovery codes: the SHA-256 of each (80 random bits, so a
-- copy of the database cannot be searched for them). A used code is
-- deleted.
CREATE TABLE totp_recovery (
	user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	code_hash TEXT NOT NULL,
	PRIMARY KEY (user_id, code_hash)
) STRICT, WITHOUT ROWID;

-- Accounts at an OpenID Connect provider that sign in as a Pinhole user.
-- The issuer and subject name a person for good (names and emails can
-- change); email is what the provider last said, for the admin's eyes.
CREATE TABLE user_identities (
	issuer     TEXT NOT NULL,
	subject    TEXT NOT NULL,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	email      TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	last_login TEXT NOT NULL,
	PRIMARY KEY (issuer, subject)
) STRICT, WITHOUT ROWID;
CREATE INDEX user_identities_user ON user_identities(user_id);

-- How a session was opened: 'password' (with its second step, if any) or
-- 'oidc' (the provider did the checking, two factors included).
ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password';
