-- Month counts for the timeline scrubber read only this index instead of
-- every photo row.
CREATE INDEX photos_timeline ON photos(missing, archived, taken_at);
