-- Accounts, sessions and share links, plus indexes the API's searches need.

CREATE TABLE users (
	id         INTEGER PRIMARY KEY,
	username   TEXT NOT NULL UNIQUE COLLATE NOCASE,
	password   TEXT NOT NULL,               -- PHC string: $argon2id$v=19$m=…,t=…,p=…$salt$hash
	role       TEXT NOT NULL CHECK (role IN ('admin', 'user', 'viewer')),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;

-- Only a SHA-256 of each session token is stored, so a copy of the
-- database does not let anyone log in.
CREATE TABLE sessions (
	id          INTEGER PRIMARY KEY,
	token_hash  TEXT NOT NULL UNIQUE,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf        TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	last_seen   TEXT NOT NULL,
	expires_at  TEXT NOT NULL,
	ip          TEXT NOT NULL DEFAULT '',
	user_agent  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- A share link gives visitors one album. token is the link; access is the
-- secret a visitor gets (after the password, if any) for thumbnail and
-- download URLs. Both die with the share.
CREATE TABLE shares (
	id          INTEGER PRIMARY KEY,
	album_id    INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
	token       TEXT NOT NULL UNIQUE,
	token_hash  TEXT NOT NULL UNIQUE,
	access      TEXT NOT NULL,
	access_hash TEXT NOT NULL UNIQUE,
	password    TEXT NOT NULL DEFAULT '',   -- PHC string, '' = none
	expires_at  TEXT,                        -- NULL = never
	views       INTEGER NOT NULL DEFAULT 0,
	revoked_at  TEXT,
	created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX shares_album ON shares(album_id);

-- Search filters that must stay fast with the taken-time order.
CREATE INDEX photos_place_taken ON photos(country_code, state, city, taken_at DESC, id DESC);
CREATE INDEX photos_model ON photos(model, taken_at DESC, id DESC);
CREATE INDEX photos_lens ON photos(lens);
CREATE INDEX photos_title ON photos(title, id);
CREATE INDEX album_photos_pos ON album_photos(album_id, position, photo_id);
CREATE INDEX files_folder_photo ON files(folder_id, photo_id);
