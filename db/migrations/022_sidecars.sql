-- Edits that outlive the database (app/sidecar): photos' edits are written to
-- XMP sidecars. edited_at is when a photo's edited fields last changed (a
-- user's edit, or a newer change another program made in a sidecar); ''
-- for edits made before it was recorded, whose date is unknown.
ALTER TABLE photos ADD COLUMN edited_at TEXT NOT NULL DEFAULT '';
CREATE INDEX photos_edited ON photos(id) WHERE edited <> '';

-- What Pinhole last wrote for a photo: where, the SHA-1 of the bytes (a
-- sidecar file with that hash is Pinhole's own, not another program's
-- change), and the edits it holds (stale when the photo's edited_at moved).
CREATE TABLE sidecar_writes (
	photo_id   INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
	place      TEXT NOT NULL,  -- originals (beside the photo) or data (DATA/sidecars)
	path       TEXT NOT NULL,  -- relative to that place, '/' separated
	hash       TEXT NOT NULL,
	edited_at  TEXT NOT NULL,
	written_at TEXT NOT NULL
) STRICT;
