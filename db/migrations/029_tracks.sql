-- GPX tracks found among the originals (issue 17): one row per .gpx file,
-- its lines packed in geometry (db/tracks.go), its time span for finding
-- the photos taken along it. Tracks are not photos: they have no files
-- row and never show in the timeline or the problem lists unless they
-- could not be read.
CREATE TABLE tracks (
	id         INTEGER PRIMARY KEY,
	path       TEXT NOT NULL UNIQUE,   -- relative to the originals folder
	size       INTEGER NOT NULL,
	mtime      INTEGER NOT NULL,       -- Unix nanoseconds, as files.mtime
	name       TEXT NOT NULL DEFAULT '',
	start_at   TEXT NOT NULL DEFAULT '', -- first and last point time, UTC (TimeLayout); '' untimed
	end_at     TEXT NOT NULL DEFAULT '',
	points     INTEGER NOT NULL,
	min_lat    REAL NOT NULL, min_lng REAL NOT NULL, max_lat REAL NOT NULL, max_lng REAL NOT NULL,
	geometry   BLOB NOT NULL,
	indexed_at TEXT NOT NULL
);
CREATE INDEX tracks_span ON tracks(start_at, end_at) WHERE start_at <> '';
