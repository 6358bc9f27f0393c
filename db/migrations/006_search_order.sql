-- Text searches list matches newest first. The full-text row's rowid now
-- carries the photo's taken time above its id (see searchKey in search.go),
-- so the index hands matches back already in timeline order and a page of
-- a common word costs the page, not every match. photos.search_key
-- remembers each row's rowid so it can be replaced when the photo changes.
ALTER TABLE photos ADD COLUMN search_key INTEGER NOT NULL DEFAULT 0;

UPDATE photos SET search_key =
	((min(max(coalesce(unixepoch(taken_at), -5364662400), -5364662400), 7258118399) + 5364662400) << 29) | id;

CREATE VIRTUAL TABLE photos_fts_v2 USING fts5(
	title, description, keywords, names, camera, place,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3'
);

INSERT INTO photos_fts_v2 (rowid, title, description, keywords, names, camera, place)
	SELECT p.search_key, f.title, f.description, f.keywords, f.names, f.camera, f.place
	FROM photos_fts f JOIN photos p ON p.id = f.rowid;

DROP TABLE photos_fts;
ALTER TABLE photos_fts_v2 RENAME TO photos_fts;
