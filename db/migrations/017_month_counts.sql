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
-- "none"). The status page counts them too. This index holds just those
-- photos, usually none.
CREATE INDEX photos_unplaced ON photos(id) WHERE place_source = '' AND lat IS NOT NULL;
