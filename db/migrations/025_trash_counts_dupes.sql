-- Trash and near-duplicate review (issue 16).
--
-- 1. The tables kept by triggers for large libraries (migration 017:
-- month_counts, geo_cells, geo_cells_fine) count what a timeline or a map
-- shows: not missing, not archived, and now not in the Trash (trashed_at,
-- migration 024), so the timeline's months and the map's clusters lose a
-- photo moved to the Trash and get it back on restore. The triggers are
-- those of migration 017 with trashed_at = '' beside archived = 0, and
-- trashed_at among the columns whose change they follow; the tables are
-- counted again from the photos.
DROP TRIGGER photos_month_insert;
DROP TRIGGER photos_month_delete;
DROP TRIGGER photos_month_update;
DROP TRIGGER photos_geo_insert;
DROP TRIGGER photos_geo_delete;
DROP TRIGGER photos_geo_update;
DROP TRIGGER photos_geo_fine_insert;
DROP TRIGGER photos_geo_fine_delete;
DROP TRIGGER photos_geo_fine_update;

DELETE FROM month_counts;
INSERT INTO month_counts (month, private, n)
	SELECT substr(taken_at, 1, 7), private <> 0, count(*) FROM photos
	WHERE missing = 0 AND archived = 0 AND trashed_at = '' GROUP BY 1, 2;

DELETE FROM geo_cells;
INSERT INTO geo_cells (cell, private, n, slat, slng, s, w, nn, e, rep)
	SELECT CAST((lat + 90) * 20 AS INTEGER) * 8192 + CAST((lng + 180) * 20 AS INTEGER), private <> 0,
		count(*), sum(lat), sum(lng), min(lat), min(lng), max(lat), max(lng), max((favorite << 40) | id)
	FROM photos WHERE lat IS NOT NULL AND lng IS NOT NULL AND missing = 0 AND archived = 0 AND trashed_at = '' GROUP BY 1, 2;

DELETE FROM geo_cells_fine;
INSERT INTO geo_cells_fine (cell, private, n, slat, slng, s, w, nn, e, rep)
	SELECT CAST((photos.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((photos.lng + 180) * 1000 AS INTEGER), private <> 0,
		count(*), sum(lat), sum(lng), min(lat), min(lng), max(lat), max(lng), max((favorite << 40) | id)
	FROM photos WHERE photos.lat IS NOT NULL AND photos.lng IS NOT NULL AND photos.missing = 0 AND photos.archived = 0
		AND photos.trashed_at = '' GROUP BY 1, 2;

CREATE TRIGGER photos_month_insert AFTER INSERT ON photos
WHEN new.missing = 0 AND new.archived = 0 AND new.trashed_at = ''
BEGIN
	INSERT INTO month_counts (month, private, n) VALUES (substr(new.taken_at, 1, 7), new.private <> 0, 1)
		ON CONFLICT (month, private) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER photos_month_delete AFTER DELETE ON photos
WHEN old.missing = 0 AND old.archived = 0 AND old.trashed_at = ''
BEGIN
	UPDATE month_counts SET n = n - 1 WHERE month = substr(old.taken_at, 1, 7) AND private = (old.private <> 0);
END;

CREATE TRIGGER photos_month_update AFTER UPDATE OF taken_at, missing, archived, private, trashed_at ON photos
WHEN substr(old.taken_at, 1, 7) IS NOT substr(new.taken_at, 1, 7)
	OR (old.private <> 0) IS NOT (new.private <> 0)
	OR (old.missing = 0 AND old.archived = 0 AND old.trashed_at = '') IS NOT (new.missing = 0 AND new.archived = 0 AND new.trashed_at = '')
BEGIN
	UPDATE month_counts SET n = n - 1
	WHERE old.missing = 0 AND old.archived = 0 AND old.trashed_at = '' AND month = substr(old.taken_at, 1, 7) AND private = (old.private <> 0);
	INSERT INTO month_counts (month, private, n)
		SELECT substr(new.taken_at, 1, 7), new.private <> 0, 1 WHERE new.missing = 0 AND new.archived = 0 AND new.trashed_at = ''
		ON CONFLICT (month, private) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER photos_geo_insert AFTER INSERT ON photos
WHEN new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0 AND new.trashed_at = ''
BEGIN
	INSERT INTO geo_cells (cell, private, n, slat, slng, s, w, nn, e, rep)
		VALUES (CAST((new.lat + 90) * 20 AS INTEGER) * 8192 + CAST((new.lng + 180) * 20 AS INTEGER), new.private <> 0,
			1, new.lat, new.lng, new.lat, new.lng, new.lat, new.lng, (new.favorite << 40) | new.id)
		ON CONFLICT (cell, private) DO UPDATE SET n = n + 1, slat = slat + excluded.slat, slng = slng + excluded.slng,
			s = min(s, excluded.s), w = min(w, excluded.w), nn = max(nn, excluded.nn), e = max(e, excluded.e),
			rep = max(rep, excluded.rep);
END;

CREATE TRIGGER photos_geo_delete AFTER DELETE ON photos
WHEN old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0 AND old.trashed_at = ''
BEGIN
	UPDATE geo_cells SET n = n - 1, slat = slat - old.lat, slng = slng - old.lng
	WHERE cell = CAST((old.lat + 90) * 20 AS INTEGER) * 8192 + CAST((old.lng + 180) * 20 AS INTEGER)
		AND private = (old.private <> 0);
	DELETE FROM geo_cells
	WHERE cell = CAST((old.lat + 90) * 20 AS INTEGER) * 8192 + CAST((old.lng + 180) * 20 AS INTEGER)
		AND private = (old.private <> 0) AND n <= 0;
	UPDATE geo_cells SET (s, w, nn, e, rep) = (
		SELECT coalesce(min(p.lat), geo_cells.s), coalesce(min(p.lng), geo_cells.w), coalesce(max(p.lat), geo_cells.nn),
			coalesce(max(p.lng), geo_cells.e), coalesce(max((p.favorite << 40) | p.id), geo_cells.rep)
		FROM photos p
		WHERE p.lat IS NOT NULL AND CAST((lat + 90) * 20 AS INTEGER) * 8192 + CAST((lng + 180) * 20 AS INTEGER) = geo_cells.cell
			AND p.lng IS NOT NULL AND p.missing = 0 AND p.archived = 0 AND p.trashed_at = '' AND (p.private <> 0) = geo_cells.private)
	WHERE cell = CAST((old.lat + 90) * 20 AS INTEGER) * 8192 + CAST((old.lng + 180) * 20 AS INTEGER)
		AND private = (old.private <> 0)
		AND (old.lat <= s OR old.lat >= nn OR old.lng <= w OR old.lng >= e OR ((old.favorite << 40) | old.id) >= rep);
END;

CREATE TRIGGER photos_geo_update AFTER UPDATE OF lat, lng, missing, archived, private, favorite, trashed_at ON photos
WHEN (old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0 AND old.trashed_at = '')
		IS NOT (new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0 AND new.trashed_at = '')
	OR (new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0 AND new.trashed_at = ''
		AND (old.lat IS NOT new.lat OR old.lng IS NOT new.lng OR (old.private <> 0) IS NOT (new.private <> 0)
			OR old.favorite IS NOT new.favorite))
BEGIN
	UPDATE geo_cells SET n = n - 1, slat = slat - old.lat, slng = slng - old.lng
	WHERE cell = CAST((old.lat + 90) * 20 AS INTEGER) * 8192 + CAST((old.lng + 180) * 20 AS INTEGER)
		AND private = (old.private <> 0)
		AND old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0 AND old.trashed_at = '';
	DELETE FROM geo_cells
	WHERE cell = CAST((old.lat + 90) * 20 AS INTEGER) * 8192 + CAST((old.lng + 180) * 20 AS INTEGER)
		AND private = (old.private <> 0) AND n <= 0;
	UPDATE geo_cells SET (s, w, nn, e, rep) = (
		SELECT coalesce(min(p.lat), geo_cells.s), coalesce(min(p.lng), geo_cells.w), coalesce(max(p.lat), geo_cells.nn),
			coalesce(max(p.lng), geo_cells.e), coalesce(max((p.favorite << 40) | p.id), geo_cells.rep)
		FROM photos p
		WHERE p.lat IS NOT NULL AND CAST((lat + 90) * 20 AS INTEGER) * 8192 + CAST((lng + 180) * 20 AS INTEGER) = geo_cells.cell
			AND p.lng IS NOT NULL AND p.missing = 0 AND p.archived = 0 AND p.trashed_at = '' AND (p.private <> 0) = geo_cells.private)
	WHERE cell = CAST((old.lat + 90) * 20 AS INTEGER) * 8192 + CAST((old.lng + 180) * 20 AS INTEGER)
		AND private = (old.private <> 0)
		AND old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0 AND old.trashed_at = ''
		AND (old.lat <= s OR old.lat >= nn OR old.lng <= w OR old.lng >= e OR ((old.favorite << 40) | old.id) >= rep);
	INSERT INTO geo_cells (cell, private, n, slat, slng, s, w, nn, e, rep)
		SELECT CAST((new.lat + 90) * 20 AS INTEGER) * 8192 + CAST((new.lng + 180) * 20 AS INTEGER), new.private <> 0,
			1, new.lat, new.lng, new.lat, new.lng, new.lat, new.lng, (new.favorite << 40) | new.id
		WHERE new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0 AND new.trashed_at = ''
		ON CONFLICT (cell, private) DO UPDATE SET n = n + 1, slat = slat + excluded.slat, slng = slng + excluded.slng,
			s = min(s, excluded.s), w = min(w, excluded.w), nn = max(nn, excluded.nn), e = max(e, excluded.e),
			rep = max(rep, excluded.rep);
END;

CREATE TRIGGER photos_geo_fine_insert AFTER INSERT ON photos
WHEN new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0 AND new.trashed_at = ''
BEGIN
	INSERT INTO geo_cells_fine (cell, private, n, slat, slng, s, w, nn, e, rep)
		VALUES (CAST((new.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((new.lng + 180) * 1000 AS INTEGER), new.private <> 0,
			1, new.lat, new.lng, new.lat, new.lng, new.lat, new.lng, (new.favorite << 40) | new.id)
		ON CONFLICT (cell, private) DO UPDATE SET n = n + 1, slat = slat + excluded.slat, slng = slng + excluded.slng,
			s = min(s, excluded.s), w = min(w, excluded.w), nn = max(nn, excluded.nn), e = max(e, excluded.e),
			rep = max(rep, excluded.rep);
END;

CREATE TRIGGER photos_geo_fine_delete AFTER DELETE ON photos
WHEN old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0 AND old.trashed_at = ''
BEGIN
	UPDATE geo_cells_fine SET n = n - 1, slat = slat - old.lat, slng = slng - old.lng
	WHERE cell = CAST((old.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((old.lng + 180) * 1000 AS INTEGER) AND private = (old.private <> 0);
	DELETE FROM geo_cells_fine WHERE cell = CAST((old.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((old.lng + 180) * 1000 AS INTEGER) AND private = (old.private <> 0) AND n <= 0;
	UPDATE geo_cells_fine SET (s, w, nn, e, rep) = (
		SELECT coalesce(min(p.lat), geo_cells_fine.s), coalesce(min(p.lng), geo_cells_fine.w), coalesce(max(p.lat), geo_cells_fine.nn),
			coalesce(max(p.lng), geo_cells_fine.e), coalesce(max((p.favorite << 40) | p.id), geo_cells_fine.rep)
		FROM photos p
		WHERE p.lat BETWEEN (geo_cells_fine.cell / 524288) / 1000.0 - 90.000001 AND (geo_cells_fine.cell / 524288 + 1) / 1000.0 - 89.999999
			AND CAST((p.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((p.lng + 180) * 1000 AS INTEGER) = geo_cells_fine.cell
			AND p.lng IS NOT NULL AND p.missing = 0 AND p.archived = 0 AND p.trashed_at = '' AND (p.private <> 0) = geo_cells_fine.private)
	WHERE cell = CAST((old.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((old.lng + 180) * 1000 AS INTEGER) AND private = (old.private <> 0)
		AND (old.lat <= s OR old.lat >= nn OR old.lng <= w OR old.lng >= e OR ((old.favorite << 40) | old.id) >= rep);
END;

CREATE TRIGGER photos_geo_fine_update AFTER UPDATE OF lat, lng, missing, archived, private, favorite, trashed_at ON photos
WHEN (old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0 AND old.trashed_at = '')
		IS NOT (new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0 AND new.trashed_at = '')
	OR (new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0 AND new.trashed_at = ''
		AND (old.lat IS NOT new.lat OR old.lng IS NOT new.lng OR (old.private <> 0) IS NOT (new.private <> 0)
			OR old.favorite IS NOT new.favorite))
BEGIN
	UPDATE geo_cells_fine SET n = n - 1, slat = slat - old.lat, slng = slng - old.lng
	WHERE cell = CAST((old.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((old.lng + 180) * 1000 AS INTEGER) AND private = (old.private <> 0)
		AND old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0 AND old.trashed_at = '';
	DELETE FROM geo_cells_fine WHERE cell = CAST((old.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((old.lng + 180) * 1000 AS INTEGER) AND private = (old.private <> 0) AND n <= 0;
	UPDATE geo_cells_fine SET (s, w, nn, e, rep) = (
		SELECT coalesce(min(p.lat), geo_cells_fine.s), coalesce(min(p.lng), geo_cells_fine.w), coalesce(max(p.lat), geo_cells_fine.nn),
			coalesce(max(p.lng), geo_cells_fine.e), coalesce(max((p.favorite << 40) | p.id), geo_cells_fine.rep)
		FROM photos p
		WHERE p.lat BETWEEN (geo_cells_fine.cell / 524288) / 1000.0 - 90.000001 AND (geo_cells_fine.cell / 524288 + 1) / 1000.0 - 89.999999
			AND CAST((p.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((p.lng + 180) * 1000 AS INTEGER) = geo_cells_fine.cell
			AND p.lng IS NOT NULL AND p.missing = 0 AND p.archived = 0 AND p.trashed_at = '' AND (p.private <> 0) = geo_cells_fine.private)
	WHERE cell = CAST((old.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((old.lng + 180) * 1000 AS INTEGER) AND private = (old.private <> 0)
		AND old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0 AND old.trashed_at = ''
		AND (old.lat <= s OR old.lat >= nn OR old.lng <= w OR old.lng >= e OR ((old.favorite << 40) | old.id) >= rep);
	INSERT INTO geo_cells_fine (cell, private, n, slat, slng, s, w, nn, e, rep)
		SELECT CAST((new.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((new.lng + 180) * 1000 AS INTEGER), new.private <> 0,
			1, new.lat, new.lng, new.lat, new.lng, new.lat, new.lng, (new.favorite << 40) | new.id
		WHERE new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0 AND new.trashed_at = ''
		ON CONFLICT (cell, private) DO UPDATE SET n = n + 1, slat = slat + excluded.slat, slng = slng + excluded.slng,
			s = min(s, excluded.s), w = min(w, excluded.w), nn = max(nn, excluded.nn), e = max(e, excluded.e),
			rep = max(rep, excluded.rep);
END;

-- 2. Near-duplicate review. A perceptual hash of each photo's picture
-- (app/dupes: a pHash and a dHash, 64 bits each, stored as signed
-- integers), computed in the background. file_hash is the content hash
-- of the primary file that was hashed: a photo whose primary file has
-- another hash now is hashed again. ok is 0 for a photo that could not be
-- hashed (a video, an unreadable file): not tried again until its file
-- changes.
CREATE TABLE photo_hashes (
	photo_id  INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
	file_hash TEXT NOT NULL,
	p         INTEGER NOT NULL DEFAULT 0,
	d         INTEGER NOT NULL DEFAULT 0,
	ok        INTEGER NOT NULL DEFAULT 1
) STRICT;

-- Pairs of photos someone said are not duplicates ("Not duplicates" on a
-- group dismisses every pair of it), a < b.
CREATE TABLE dupe_dismissals (
	a INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
	b INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
	PRIMARY KEY (a, b)
) STRICT, WITHOUT ROWID;
CREATE INDEX dupe_dismissals_b ON dupe_dismissals(b);
