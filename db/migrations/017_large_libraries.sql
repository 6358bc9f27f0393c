-- A million photos (issue 14).
--
-- The timeline's month counts were a GROUP BY over every visible photo:
-- 1.5 s for a million, 3 s without private ones (every row read). This
-- table keeps them, per month of taken_at and private flag, for the
-- photos a timeline shows (not missing, not archived); triggers keep it
-- right on every insert, delete and change, whoever writes. db.MonthCounts
-- reads it when no other filter is asked for. Rows that fall to 0 stay
-- and are skipped when read.
CREATE TABLE month_counts (
	month   TEXT NOT NULL,    -- substr(taken_at, 1, 7): 'YYYY-MM'
	private INTEGER NOT NULL, -- 0 or 1
	n       INTEGER NOT NULL,
	PRIMARY KEY (month, private)
) STRICT, WITHOUT ROWID;

INSERT INTO month_counts (month, private, n)
	SELECT substr(taken_at, 1, 7), private <> 0, count(*) FROM photos
	WHERE missing = 0 AND archived = 0 GROUP BY 1, 2;

CREATE TRIGGER photos_month_insert AFTER INSERT ON photos
WHEN new.missing = 0 AND new.archived = 0
BEGIN
	INSERT INTO month_counts (month, private, n) VALUES (substr(new.taken_at, 1, 7), new.private <> 0, 1)
		ON CONFLICT (month, private) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER photos_month_delete AFTER DELETE ON photos
WHEN old.missing = 0 AND old.archived = 0
BEGIN
	UPDATE month_counts SET n = n - 1 WHERE month = substr(old.taken_at, 1, 7) AND private = (old.private <> 0);
END;

-- Only when what is counted changes: the indexer rewrites these columns on
-- every re-read of a photo, mostly with the values they had.
CREATE TRIGGER photos_month_update AFTER UPDATE OF taken_at, missing, archived, private ON photos
WHEN substr(old.taken_at, 1, 7) IS NOT substr(new.taken_at, 1, 7)
	OR (old.private <> 0) IS NOT (new.private <> 0)
	OR (old.missing = 0 AND old.archived = 0) IS NOT (new.missing = 0 AND new.archived = 0)
BEGIN
	UPDATE month_counts SET n = n - 1
	WHERE old.missing = 0 AND old.archived = 0 AND month = substr(old.taken_at, 1, 7) AND private = (old.private <> 0);
	INSERT INTO month_counts (month, private, n)
		SELECT substr(new.taken_at, 1, 7), new.private <> 0, 1 WHERE new.missing = 0 AND new.archived = 0
		ON CONFLICT (month, private) DO UPDATE SET n = n + 1;
END;

-- The placer asks every minute, and after every index batch, for photos
-- whose place is not resolved yet: a scan of every photo row (a million
-- rows read, and a page cache filled, for an answer that is almost always
-- "none"). The status counts resolved and waiting places, another two
-- scans: 7 s of the status document's 7.3 s at a million photos. This
-- index answers both from the geotagged photos' place sources alone.
CREATE INDEX photos_place_source ON photos(place_source, id) WHERE lat IS NOT NULL;

-- The rest of the status counts, and the cameras and lenses of the search
-- filters, read every photo or file row (1-2 s each at a million): these
-- indexes hold what they count.
CREATE INDEX files_missing ON files(missing);
CREATE INDEX files_errors ON files(missing) WHERE error <> '';
CREATE INDEX photos_videos ON photos(missing) WHERE media_type = 'video';
CREATE INDEX photos_cameras ON photos(model, make, missing, archived, private);
DROP INDEX photos_lens;
CREATE INDEX photos_lens ON photos(lens, missing, archived, private);

-- The world map grouped every geotagged photo on each request: 0.8-1.8 s
-- for 600k of them. This table keeps, per 0.05° cell of the fixed fine
-- grid (the photos_geo_cell expression, migration 005) and private flag,
-- what that grouping needs of the photos a map shows (geotagged, not
-- missing, not archived): count, sums of positions, bounds and the
-- representative (favourite << 40 | id, the largest wins). db.GeoClusters
-- reads it at low zooms when no filter but the visible box is asked for,
-- and reads the photos themselves only in the cells the box cuts through.
-- Triggers keep it: a photo that leaves a cell on its edge, or that was
-- its representative, makes that one cell be measured again from the
-- index.
CREATE TABLE geo_cells (
	cell    INTEGER NOT NULL, -- CAST((lat + 90) * 20 AS INTEGER) * 8192 + CAST((lng + 180) * 20 AS INTEGER)
	private INTEGER NOT NULL, -- 0 or 1
	n       INTEGER NOT NULL,
	slat    REAL NOT NULL,    -- sum of latitudes
	slng    REAL NOT NULL,
	s       REAL NOT NULL,    -- bounds: min lat, min lng, max lat, max lng
	w       REAL NOT NULL,
	nn      REAL NOT NULL,
	e       REAL NOT NULL,
	rep     INTEGER NOT NULL,
	PRIMARY KEY (cell, private)
) STRICT, WITHOUT ROWID;

INSERT INTO geo_cells (cell, private, n, slat, slng, s, w, nn, e, rep)
	SELECT CAST((lat + 90) * 20 AS INTEGER) * 8192 + CAST((lng + 180) * 20 AS INTEGER), private <> 0,
		count(*), sum(lat), sum(lng), min(lat), min(lng), max(lat), max(lng), max((favorite << 40) | id)
	FROM photos WHERE lat IS NOT NULL AND lng IS NOT NULL AND missing = 0 AND archived = 0 GROUP BY 1, 2;

CREATE TRIGGER photos_geo_insert AFTER INSERT ON photos
WHEN new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0
BEGIN
	INSERT INTO geo_cells (cell, private, n, slat, slng, s, w, nn, e, rep)
		VALUES (CAST((new.lat + 90) * 20 AS INTEGER) * 8192 + CAST((new.lng + 180) * 20 AS INTEGER), new.private <> 0,
			1, new.lat, new.lng, new.lat, new.lng, new.lat, new.lng, (new.favorite << 40) | new.id)
		ON CONFLICT (cell, private) DO UPDATE SET n = n + 1, slat = slat + excluded.slat, slng = slng + excluded.slng,
			s = min(s, excluded.s), w = min(w, excluded.w), nn = max(nn, excluded.nn), e = max(e, excluded.e),
			rep = max(rep, excluded.rep);
END;

CREATE TRIGGER photos_geo_delete AFTER DELETE ON photos
WHEN old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0
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
			AND p.lng IS NOT NULL AND p.missing = 0 AND p.archived = 0 AND (p.private <> 0) = geo_cells.private)
	WHERE cell = CAST((old.lat + 90) * 20 AS INTEGER) * 8192 + CAST((old.lng + 180) * 20 AS INTEGER)
		AND private = (old.private <> 0)
		AND (old.lat <= s OR old.lat >= nn OR old.lng <= w OR old.lng >= e OR ((old.favorite << 40) | old.id) >= rep);
END;

-- A photo that changes what is kept leaves its old cell and joins its new
-- one (often the same): the indexer rewrites these columns on every
-- re-read, mostly with the values they had, which changes nothing.
CREATE TRIGGER photos_geo_update AFTER UPDATE OF lat, lng, missing, archived, private, favorite ON photos
WHEN (old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0)
		IS NOT (new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0)
	OR (new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0
		AND (old.lat IS NOT new.lat OR old.lng IS NOT new.lng OR (old.private <> 0) IS NOT (new.private <> 0)
			OR old.favorite IS NOT new.favorite))
BEGIN
	UPDATE geo_cells SET n = n - 1, slat = slat - old.lat, slng = slng - old.lng
	WHERE cell = CAST((old.lat + 90) * 20 AS INTEGER) * 8192 + CAST((old.lng + 180) * 20 AS INTEGER)
		AND private = (old.private <> 0)
		AND old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0;
	DELETE FROM geo_cells
	WHERE cell = CAST((old.lat + 90) * 20 AS INTEGER) * 8192 + CAST((old.lng + 180) * 20 AS INTEGER)
		AND private = (old.private <> 0) AND n <= 0;
	UPDATE geo_cells SET (s, w, nn, e, rep) = (
		SELECT coalesce(min(p.lat), geo_cells.s), coalesce(min(p.lng), geo_cells.w), coalesce(max(p.lat), geo_cells.nn),
			coalesce(max(p.lng), geo_cells.e), coalesce(max((p.favorite << 40) | p.id), geo_cells.rep)
		FROM photos p
		WHERE p.lat IS NOT NULL AND CAST((lat + 90) * 20 AS INTEGER) * 8192 + CAST((lng + 180) * 20 AS INTEGER) = geo_cells.cell
			AND p.lng IS NOT NULL AND p.missing = 0 AND p.archived = 0 AND (p.private <> 0) = geo_cells.private)
	WHERE cell = CAST((old.lat + 90) * 20 AS INTEGER) * 8192 + CAST((old.lng + 180) * 20 AS INTEGER)
		AND private = (old.private <> 0)
		AND old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0
		AND (old.lat <= s OR old.lat >= nn OR old.lng <= w OR old.lng >= e OR ((old.favorite << 40) | old.id) >= rep);
	INSERT INTO geo_cells (cell, private, n, slat, slng, s, w, nn, e, rep)
		SELECT CAST((new.lat + 90) * 20 AS INTEGER) * 8192 + CAST((new.lng + 180) * 20 AS INTEGER), new.private <> 0,
			1, new.lat, new.lng, new.lat, new.lng, new.lat, new.lng, (new.favorite << 40) | new.id
		WHERE new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0
		ON CONFLICT (cell, private) DO UPDATE SET n = n + 1, slat = slat + excluded.slat, slng = slng + excluded.slng,
			s = min(s, excluded.s), w = min(w, excluded.w), nn = max(nn, excluded.nn), e = max(e, excluded.e),
			rep = max(rep, excluded.rep);
END;

-- The same for a finer grid of 0.001° (about 110 m), for views of a
-- city (zooms 9 to 14 with the usual 72-pixel map cells), where a map
-- cell spans six fine cells or more:
-- grouping the 50k photos of a city in view took 25-60 ms, 250 ms at a
-- busy moment. Cells cut by the view's edges count whole (photos at
-- most 0.001° outside it). Its cell number is
-- CAST((lat + 90) * 1000 AS INTEGER) * 524288 + CAST((lng + 180) * 1000 AS INTEGER).
CREATE TABLE geo_cells_fine (
	cell    INTEGER NOT NULL,
	private INTEGER NOT NULL,
	n       INTEGER NOT NULL,
	slat    REAL NOT NULL,
	slng    REAL NOT NULL,
	s       REAL NOT NULL,
	w       REAL NOT NULL,
	nn      REAL NOT NULL,
	e       REAL NOT NULL,
	rep     INTEGER NOT NULL,
	PRIMARY KEY (cell, private)
) STRICT, WITHOUT ROWID;

INSERT INTO geo_cells_fine (cell, private, n, slat, slng, s, w, nn, e, rep)
	SELECT CAST((photos.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((photos.lng + 180) * 1000 AS INTEGER), private <> 0,
		count(*), sum(lat), sum(lng), min(lat), min(lng), max(lat), max(lng), max((favorite << 40) | id)
	FROM photos WHERE photos.lat IS NOT NULL AND photos.lng IS NOT NULL AND photos.missing = 0 AND photos.archived = 0 GROUP BY 1, 2;

CREATE TRIGGER photos_geo_fine_insert AFTER INSERT ON photos
WHEN new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0
BEGIN
	INSERT INTO geo_cells_fine (cell, private, n, slat, slng, s, w, nn, e, rep)
		VALUES (CAST((new.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((new.lng + 180) * 1000 AS INTEGER), new.private <> 0,
			1, new.lat, new.lng, new.lat, new.lng, new.lat, new.lng, (new.favorite << 40) | new.id)
		ON CONFLICT (cell, private) DO UPDATE SET n = n + 1, slat = slat + excluded.slat, slng = slng + excluded.slng,
			s = min(s, excluded.s), w = min(w, excluded.w), nn = max(nn, excluded.nn), e = max(e, excluded.e),
			rep = max(rep, excluded.rep);
END;

CREATE TRIGGER photos_geo_fine_delete AFTER DELETE ON photos
WHEN old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0
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
			AND p.lng IS NOT NULL AND p.missing = 0 AND p.archived = 0 AND (p.private <> 0) = geo_cells_fine.private)
	WHERE cell = CAST((old.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((old.lng + 180) * 1000 AS INTEGER) AND private = (old.private <> 0)
		AND (old.lat <= s OR old.lat >= nn OR old.lng <= w OR old.lng >= e OR ((old.favorite << 40) | old.id) >= rep);
END;

CREATE TRIGGER photos_geo_fine_update AFTER UPDATE OF lat, lng, missing, archived, private, favorite ON photos
WHEN (old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0)
		IS NOT (new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0)
	OR (new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0
		AND (old.lat IS NOT new.lat OR old.lng IS NOT new.lng OR (old.private <> 0) IS NOT (new.private <> 0)
			OR old.favorite IS NOT new.favorite))
BEGIN
	UPDATE geo_cells_fine SET n = n - 1, slat = slat - old.lat, slng = slng - old.lng
	WHERE cell = CAST((old.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((old.lng + 180) * 1000 AS INTEGER) AND private = (old.private <> 0)
		AND old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0;
	DELETE FROM geo_cells_fine WHERE cell = CAST((old.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((old.lng + 180) * 1000 AS INTEGER) AND private = (old.private <> 0) AND n <= 0;
	UPDATE geo_cells_fine SET (s, w, nn, e, rep) = (
		SELECT coalesce(min(p.lat), geo_cells_fine.s), coalesce(min(p.lng), geo_cells_fine.w), coalesce(max(p.lat), geo_cells_fine.nn),
			coalesce(max(p.lng), geo_cells_fine.e), coalesce(max((p.favorite << 40) | p.id), geo_cells_fine.rep)
		FROM photos p
		WHERE p.lat BETWEEN (geo_cells_fine.cell / 524288) / 1000.0 - 90.000001 AND (geo_cells_fine.cell / 524288 + 1) / 1000.0 - 89.999999
			AND CAST((p.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((p.lng + 180) * 1000 AS INTEGER) = geo_cells_fine.cell
			AND p.lng IS NOT NULL AND p.missing = 0 AND p.archived = 0 AND (p.private <> 0) = geo_cells_fine.private)
	WHERE cell = CAST((old.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((old.lng + 180) * 1000 AS INTEGER) AND private = (old.private <> 0)
		AND old.lat IS NOT NULL AND old.lng IS NOT NULL AND old.missing = 0 AND old.archived = 0
		AND (old.lat <= s OR old.lat >= nn OR old.lng <= w OR old.lng >= e OR ((old.favorite << 40) | old.id) >= rep);
	INSERT INTO geo_cells_fine (cell, private, n, slat, slng, s, w, nn, e, rep)
		SELECT CAST((new.lat + 90) * 1000 AS INTEGER) * 524288 + CAST((new.lng + 180) * 1000 AS INTEGER), new.private <> 0,
			1, new.lat, new.lng, new.lat, new.lng, new.lat, new.lng, (new.favorite << 40) | new.id
		WHERE new.lat IS NOT NULL AND new.lng IS NOT NULL AND new.missing = 0 AND new.archived = 0
		ON CONFLICT (cell, private) DO UPDATE SET n = n + 1, slat = slat + excluded.slat, slng = slng + excluded.slng,
			s = min(s, excluded.s), w = min(w, excluded.w), nn = max(nn, excluded.nn), e = max(e, excluded.e),
			rep = max(rep, excluded.rep);
END;

-- The folder list counts the visible photos of every folder: a join of
-- every file with its photo, 5-7 s at a million files. Its counts are
-- kept in memory (db.Folder) and computed again only when this number
-- has moved: every change to a photo, file or folder row moves it,
-- whoever writes.
CREATE TABLE library_version (v INTEGER NOT NULL) STRICT;
INSERT INTO library_version (v) VALUES (0);
CREATE TRIGGER photos_version_insert AFTER INSERT ON photos BEGIN UPDATE library_version SET v = v + 1; END;
CREATE TRIGGER photos_version_update AFTER UPDATE ON photos BEGIN UPDATE library_version SET v = v + 1; END;
CREATE TRIGGER photos_version_delete AFTER DELETE ON photos BEGIN UPDATE library_version SET v = v + 1; END;
CREATE TRIGGER files_version_insert AFTER INSERT ON files BEGIN UPDATE library_version SET v = v + 1; END;
CREATE TRIGGER files_version_update AFTER UPDATE ON files BEGIN UPDATE library_version SET v = v + 1; END;
CREATE TRIGGER files_version_delete AFTER DELETE ON files BEGIN UPDATE library_version SET v = v + 1; END;
CREATE TRIGGER folders_version_insert AFTER INSERT ON folders BEGIN UPDATE library_version SET v = v + 1; END;
CREATE TRIGGER folders_version_update AFTER UPDATE ON folders BEGIN UPDATE library_version SET v = v + 1; END;
CREATE TRIGGER folders_version_delete AFTER DELETE ON folders BEGIN UPDATE library_version SET v = v + 1; END;
