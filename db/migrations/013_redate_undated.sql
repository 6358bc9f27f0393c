-- Photos nothing inside the file dates were dated by the file's
-- modification time, which copying resets: a library copied to a new disk
-- had them all taken "today". The index now tries the folders' names first
-- (2019/2019-07-14 Lake, Holidays 2018, 2016/05) and records damaged JPEGs.
-- A modification time of 0 matches no file on disk, so the next scan reads
-- these files again, as it reads any changed file; nothing else changes.
UPDATE files SET mtime = 0
WHERE kind <> 'sidecar' AND photo_id IN (SELECT id FROM photos WHERE taken_source = 'file_time');
