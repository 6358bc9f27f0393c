-- Trash (issue 16): photos moved to the Trash leave every view but the
-- Trash screen; they are restored, or deleted after trash-days.
--
-- trashed_at is when the photo was moved to the Trash, '' while it is in
-- the library. Every view's condition (db.Reader, db/reader.go) asks for
-- trashed_at = ''. removed is 1 for a photo removed from the library for
-- good while the originals are read-only: its files stay on disk, the row
-- stays (trashed_at kept) so that a re-index or a move of its files finds
-- it and it stays hidden.
ALTER TABLE photos ADD COLUMN trashed_at TEXT NOT NULL DEFAULT '';
ALTER TABLE photos ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;

-- The Trash screen lists trashed photos newest first, and the purge looks
-- for the oldest: both read only the trashed photos.
CREATE INDEX photos_trashed ON photos(trashed_at, id) WHERE trashed_at <> '';

-- The covering and partial indexes of the timeline, the map and the
-- places list hold the trash condition too, so those views still never
-- read a photo row for it (the expressions and conditions are as in
-- migrations 004, 005 and 009, with trashed_at added).
DROP INDEX photos_timeline;
CREATE INDEX photos_timeline ON photos(missing, archived, trashed_at, taken_at);
DROP INDEX photos_geo_cover;
CREATE INDEX photos_geo_cover ON photos(lat, lng, archived, missing, private, favorite, media_type, taken_at, trashed_at)
	WHERE lat IS NOT NULL;
DROP INDEX photos_geo_cell;
CREATE INDEX photos_geo_cell ON photos(CAST((lat + 90) * 20 AS INTEGER) * 8192 + CAST((lng + 180) * 20 AS INTEGER),
	lat, lng, archived, missing, private, favorite, media_type, taken_at, trashed_at)
	WHERE lat IS NOT NULL;
DROP INDEX photos_places_cover;
CREATE INDEX photos_places_cover ON photos(country_code, country, state, city, favorite, private, search_key)
	WHERE country_code <> '' AND missing = 0 AND archived = 0 AND trashed_at = '';

-- The deletion journal. Emptying the Trash (or the purge) first writes a
-- row per file of every photo it deletes, in one transaction; then each
-- file is unlinked and its row marked deleted (or kept: the file on disk
-- is no longer the one the library knew); once every file of a photo is
-- done, the photo's rows go. A crash at any point resumes from here on
-- the next start, and the indexer leaves journalled files alone (it must
-- neither report them missing nor index a file it read just before it was
-- deleted). Done rows stay a while as tombstones for that second case.
CREATE TABLE trash_deletions (
	id         INTEGER PRIMARY KEY,
	photo_id   INTEGER NOT NULL,            -- no foreign key: the journal outlives the photo's rows
	file_id    INTEGER NOT NULL DEFAULT 0,  -- the files row; 0 for Pinhole's own sidecar copies
	place      TEXT NOT NULL,               -- originals, or data (DATA/sidecars)
	path       TEXT NOT NULL,               -- relative to that place, '/' separated
	size       INTEGER NOT NULL,            -- what the library knew: a file that differs is kept
	mtime      INTEGER NOT NULL,
	hash       TEXT NOT NULL DEFAULT '',    -- for files known only by their content (size -1)
	state      TEXT NOT NULL DEFAULT 'pending', -- pending, deleted, kept
	created_at TEXT NOT NULL,
	done_at    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX trash_deletions_pending ON trash_deletions(photo_id) WHERE state = 'pending';
CREATE INDEX trash_deletions_path ON trash_deletions(path);

-- Content removed from the library while the originals were read-only:
-- a file with one of these hashes that appears again (a copy, a restored
-- backup) is indexed into a hidden photo.
CREATE TABLE ignored_hashes (
	hash       TEXT PRIMARY KEY,
	path       TEXT NOT NULL,  -- where it was when removed, for the owner's eyes
	removed_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
