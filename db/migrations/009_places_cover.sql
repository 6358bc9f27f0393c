-- The places list counts the visible photos of each country, state or city
-- and picks each one's cover (newest favourite, else newest). This partial
-- index holds just the placed, visible photos with every column that
-- listing reads, so it never touches the photo rows: the country list of
-- 100k photos went from ~90 ms (a row lookup per photo for the country
-- name) to ~12 ms (BenchmarkPlaces in db/places_cover_test.go). search_key
-- is the timeline order (taken time, then id) as one integer; id comes
-- with every index entry. db.Places names it with INDEXED BY.
CREATE INDEX photos_places_cover ON photos(country_code, country, state, city, favorite, private, search_key)
	WHERE country_code <> '' AND missing = 0 AND archived = 0;
