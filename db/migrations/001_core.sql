-- Core library: folders, photos, files, keywords, albums, index errors, settings.
-- Times are stored as text 'YYYY-MM-DD HH:MM:SS' (UTC unless named *_local) so
-- they sort correctly; booleans are 0/1 integers.

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

-- One row per directory under the originals root that held media once.
-- path is relative to the root with '/' separators; the root itself is ''.
CREATE TABLE folders (
	id         INTEGER PRIMARY KEY,
	path       TEXT NOT NULL UNIQUE,
	parent_id  INTEGER REFERENCES folders(id) ON DELETE SET NULL,
	name       TEXT NOT NULL,
	missing    INTEGER NOT NULL DEFAULT 0,
	scanned_at TEXT
) STRICT;
CREATE INDEX folders_parent ON folders(parent_id);

-- A photo is one picture; its metadata is merged from its files, and user
-- edits (listed in `edited`) win over what the files say on every re-index.
CREATE TABLE photos (
	id              INTEGER PRIMARY KEY,
	uid             TEXT NOT NULL UNIQUE,
	media_type      TEXT NOT NULL DEFAULT 'image', -- image, raw, video, live
	taken_at        TEXT NOT NULL,                 -- UTC instant used for sorting
	taken_local     TEXT NOT NULL,                 -- wall-clock time where taken
	taken_offset    INTEGER,                       -- minutes east of UTC; NULL = unknown
	taken_source    TEXT NOT NULL DEFAULT '',
	title           TEXT NOT NULL DEFAULT '',
	description     TEXT NOT NULL DEFAULT '',
	make            TEXT NOT NULL DEFAULT '',
	model           TEXT NOT NULL DEFAULT '',
	lens            TEXT NOT NULL DEFAULT '',
	exposure_time   REAL,
	f_number        REAL,
	iso             INTEGER,
	focal_length    REAL,
	lat             REAL,
	lng             REAL,
	alt             REAL,
	width           INTEGER NOT NULL DEFAULT 0,    -- as displayed (after orientation)
	height          INTEGER NOT NULL DEFAULT 0,
	orientation     INTEGER NOT NULL DEFAULT 0,
	duration        REAL,
	rating          INTEGER NOT NULL DEFAULT 0,
	favorite        INTEGER NOT NULL DEFAULT 0,
	private         INTEGER NOT NULL DEFAULT 0,
	archived        INTEGER NOT NULL DEFAULT 0,
	missing         INTEGER NOT NULL DEFAULT 0,    -- every file of it is missing
	country_code    TEXT NOT NULL DEFAULT '',
	country         TEXT NOT NULL DEFAULT '',
	state           TEXT NOT NULL DEFAULT '',
	city            TEXT NOT NULL DEFAULT '',
	place_source    TEXT NOT NULL DEFAULT '',      -- offline, online, manual
	edited          TEXT NOT NULL DEFAULT '',      -- comma list of user-edited fields
	primary_file_id INTEGER,
	added_at        TEXT NOT NULL,
	updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX photos_taken ON photos(taken_at DESC, id DESC);
CREATE INDEX photos_added ON photos(added_at DESC, id DESC);
CREATE INDEX photos_place ON photos(country_code, state, city);
CREATE INDEX photos_geo ON photos(lat, lng) WHERE lat IS NOT NULL;

-- A file on disk. One photo has one or more files (stacks, exact duplicates,
-- sidecars). A file whose photo is gone keeps photo_id NULL until re-indexed.
CREATE TABLE files (
	id         INTEGER PRIMARY KEY,
	photo_id   INTEGER REFERENCES photos(id) ON DELETE SET NULL,
	folder_id  INTEGER NOT NULL REFERENCES folders(id),
	path       TEXT NOT NULL UNIQUE,          -- relative to the originals root, '/' separated
	name       TEXT NOT NULL,
	stem       TEXT NOT NULL,                 -- lower-case base name for stacking
	size       INTEGER NOT NULL,
	mtime      INTEGER NOT NULL,              -- unix nanoseconds
	hash       TEXT NOT NULL DEFAULT '',      -- SHA-1 hex of the content
	mime       TEXT NOT NULL DEFAULT '',
	kind       TEXT NOT NULL DEFAULT '',      -- image, raw, video, sidecar
	is_primary INTEGER NOT NULL DEFAULT 0,
	missing    INTEGER NOT NULL DEFAULT 0,
	meta       TEXT NOT NULL DEFAULT '{}',    -- what app/meta read, as JSON
	error      TEXT NOT NULL DEFAULT '',      -- last read error; the file may still be listed
	indexed_at TEXT NOT NULL
) STRICT;
CREATE INDEX files_photo ON files(photo_id);
CREATE INDEX files_folder ON files(folder_id, stem);
CREATE INDEX files_hash ON files(hash);

CREATE TABLE keywords (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE COLLATE NOCASE
) STRICT;

CREATE TABLE photo_keywords (
	photo_id   INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
	keyword_id INTEGER NOT NULL REFERENCES keywords(id) ON DELETE CASCADE,
	PRIMARY KEY (photo_id, keyword_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX photo_keywords_kw ON photo_keywords(keyword_id);

CREATE TABLE albums (
	id             INTEGER PRIMARY KEY,
	uid            TEXT NOT NULL UNIQUE,
	title          TEXT NOT NULL,
	description    TEXT NOT NULL DEFAULT '',
	cover_photo_id INTEGER REFERENCES photos(id) ON DELETE SET NULL,
	sort_order     INTEGER NOT NULL DEFAULT 0,
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL
) STRICT;

CREATE TABLE album_photos (
	album_id INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
	photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
	position INTEGER NOT NULL DEFAULT 0,
	added_at TEXT NOT NULL,
	PRIMARY KEY (album_id, photo_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX album_photos_photo ON album_photos(photo_id);

-- Files that could not be indexed at all (unreadable, vanished mid-read) or
-- whose metadata failed; shown to the owner in the status.
CREATE TABLE index_errors (
	path  TEXT PRIMARY KEY,
	error TEXT NOT NULL,
	at    TEXT NOT NULL
) STRICT;
