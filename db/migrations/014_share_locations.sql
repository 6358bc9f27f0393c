-- Whether a share's visitors get the exact position (latitude, longitude,
-- altitude) of the album's photos. Off unless the owner ticks it: a shared
-- album should not tell strangers where someone lives.
ALTER TABLE shares ADD COLUMN locations INTEGER NOT NULL DEFAULT 0;
