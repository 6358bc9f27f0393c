-- Each file records the version of the metadata readers that produced its
-- stored metadata (meta.ReaderVersion in app/meta). Files read before
-- versions were recorded are version 0. A newer Pinhole reads the files of
-- an older version again in the background, without hashing unchanged
-- bytes again, so a reader fix reaches a library without `index --full`;
-- the index finds them, oldest version first, without visiting the files
-- that are up to date or missing.
ALTER TABLE files ADD COLUMN reader INTEGER NOT NULL DEFAULT 0;
CREATE INDEX files_reader ON files(reader, id) WHERE missing = 0;
