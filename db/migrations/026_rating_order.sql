-- Sorting by rating (stars, then newest first) walks this index instead of
-- sorting the library, and a minimum-rating filter can use it too.
CREATE INDEX photos_rating ON photos(rating, taken_at);
