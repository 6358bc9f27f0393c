-- Sorting by rating (stars, then newest first) walks this index instead of
-- sorting the library, as the timeline walks photos_timeline: the visible
-- photos (not missing, not archived) lie together in rating order.
CREATE INDEX photos_rating ON photos(missing, archived, rating, taken_at);
