-- Answers of the optional online reverse geocoder, one row per map cell
-- (the cell scheme is app/geocode's; see GeoCell there), so a neighbourhood
-- is asked once across all photos and restarts. provider is the service's
-- base URL: answers of another service are asked again.
CREATE TABLE geocache (
	cell         INTEGER PRIMARY KEY,
	provider     TEXT NOT NULL,
	found        INTEGER NOT NULL,           -- 0: the service knows no place here (at sea)
	country_code TEXT NOT NULL DEFAULT '',
	country      TEXT NOT NULL DEFAULT '',
	state        TEXT NOT NULL DEFAULT '',
	city         TEXT NOT NULL DEFAULT '',
	fetched_at   TEXT NOT NULL
) STRICT;

-- /api/v1/geo groups every geotagged photo in view; with the columns its
-- default filters read (and the favourite, type and time filters) in the
-- index, a world view never touches the table. It replaces photos_geo,
-- whose columns lead it.
CREATE INDEX photos_geo_cover ON photos(lat, lng, archived, missing, private, favorite, media_type, taken_at)
	WHERE lat IS NOT NULL;
DROP INDEX photos_geo;

-- Low zooms group by a fixed 0.05° grid first, walking this index in cell
-- order so SQLite aggregates as it goes instead of sorting every photo
-- (db/geo.go; the expression must stay the same there).
CREATE INDEX photos_geo_cell ON photos(CAST((lat + 90) * 20 AS INTEGER) * 8192 + CAST((lng + 180) * 20 AS INTEGER),
	lat, lng, archived, missing, private, favorite, media_type, taken_at)
	WHERE lat IS NOT NULL;
