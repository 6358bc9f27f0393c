-- Codecs of videos whose stored metadata has none (indexed before the
-- reader named codecs, or in a container it does not parse), as ffprobe
-- found them the first time someone played the video: whether a browser
-- can play a video directly is decided from these, and asking ffprobe
-- again on every view would cost a process each time. Keyed by content
-- hash, so a moved or renamed file keeps its answer.
CREATE TABLE video_probes (
  hash      TEXT PRIMARY KEY,
  video     TEXT NOT NULL,
  audio     TEXT NOT NULL,
  duration  REAL NOT NULL DEFAULT 0,
  probed_at TEXT NOT NULL
) WITHOUT ROWID;
