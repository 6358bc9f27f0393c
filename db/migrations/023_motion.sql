-- A live photo's motion: the file it plays from, as meta.Merge decides —
-- the primary file itself for a motion photo that carries its video inside
-- (the byte range is in that file's meta), else the video stacked with the
-- picture (an Apple Live Photo's MOV). NULL for photos that do not move.
ALTER TABLE photos ADD COLUMN motion_file_id INTEGER;

-- Live photos indexed before this version move at once with their stacked
-- video; motion photos are found when their files are read again (reader
-- version 2).
UPDATE photos SET motion_file_id = (
	SELECT f.id FROM files f WHERE f.photo_id = photos.id AND f.kind = 'video' AND f.missing = 0 ORDER BY f.id LIMIT 1)
WHERE media_type = 'live';

-- An Apple Live Photo's still and movie carry the same content identifier
-- (meta.Info.ContentID); halves whose names differ are paired by it within
-- their folder (db/live.go, which must use this very expression). A blob
-- that is not JSON indexes as NULL: json_extract alone would fail every
-- write to such a row, the re-read that repairs it included.
CREATE INDEX files_content_id ON files(folder_id, (CASE WHEN json_valid(meta) THEN json_extract(meta, '$.content_id') END))
	WHERE (CASE WHEN json_valid(meta) THEN json_extract(meta, '$.content_id') END) IS NOT NULL;
