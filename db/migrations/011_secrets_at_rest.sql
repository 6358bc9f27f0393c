-- Secrets at rest, per-user link secrets and sign-in clients.
--
-- Freed pages are zeroed from here on in this connection, so the share
-- links copied out of the old table below do not linger in the file.
PRAGMA secure_delete = ON;

-- Each user's thumbnail/download secret is derived from the server key
-- (DATA/secret.key, never in the database) and this nonce; a new nonce
-- (role or password change, "rotate tokens") kills every URL made with
-- the old secret. The database alone cannot produce a working URL.
ALTER TABLE users ADD COLUMN thumb_nonce TEXT NOT NULL DEFAULT '';
UPDATE users SET thumb_nonce = lower(hex(randomblob(16)));

-- The old shared thumbnail tokens are gone: every user has their own.
DELETE FROM settings WHERE key IN ('thumb_token', 'thumb_token_viewer');

-- Addresses each user signed in from recently. A name under attack from
-- many addresses is slowed down for everyone else, not for these.
CREATE TABLE login_clients (
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	ip         TEXT NOT NULL,
	last_login TEXT NOT NULL,
	PRIMARY KEY (user_id, ip)
) STRICT, WITHOUT ROWID;

-- Share links and access secrets are no longer stored in clear: a
-- SHA-256 of each finds the share, and a copy sealed with the server key
-- (AES-256-GCM) lets the owner see the link again. The clear values of
-- links made before this migration wait in legacy_token/legacy_access
-- until the program seals them on its next start (SQL cannot encrypt)
-- and clears the columns.
CREATE TABLE shares_new (
	id            INTEGER PRIMARY KEY,
	album_id      INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
	token_hash    TEXT NOT NULL UNIQUE,
	token_sealed  TEXT NOT NULL DEFAULT '',
	access_hash   TEXT NOT NULL UNIQUE,
	access_sealed TEXT NOT NULL DEFAULT '',
	legacy_token  TEXT,
	legacy_access TEXT,
	password      TEXT NOT NULL DEFAULT '',   -- PHC string, '' = none
	expires_at    TEXT,                        -- NULL = never
	views         INTEGER NOT NULL DEFAULT 0,
	revoked_at    TEXT,
	created_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at    TEXT NOT NULL,
	downloads     INTEGER NOT NULL DEFAULT 1
) STRICT;
INSERT INTO shares_new (id, album_id, token_hash, legacy_token, access_hash, legacy_access, password,
		expires_at, views, revoked_at, created_by, created_at, downloads)
	SELECT id, album_id, token_hash, token, access_hash, access, password,
		expires_at, views, revoked_at, created_by, created_at, downloads FROM shares;
DROP TABLE shares;
ALTER TABLE shares_new RENAME TO shares;
CREATE INDEX shares_album ON shares(album_id);
CREATE INDEX shares_legacy ON shares(id) WHERE legacy_token IS NOT NULL;

PRAGMA secure_delete = OFF;
