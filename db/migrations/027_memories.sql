-- Memories ("on this day", "this week N years ago") look photos up by the
-- month and day of their wall-clock time, whatever the year. This index
-- holds that "MM-DD" for the photos memories may show (present and not
-- archived), so a day's candidates across every year are one index range
-- per day instead of a scan of the library. db/memories.go writes the same
-- expression, which is how SQLite knows to use it.
CREATE INDEX photos_monthday ON photos(substr(taken_local, 6, 5)) WHERE archived = 0 AND missing = 0;
