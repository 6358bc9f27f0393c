-- Failed logins and share-password guesses, so the rate limiter still
-- remembers them after a restart. key is the limiter's key as is:
-- 'ip:<address>', 'user:<lower-cased name>' or 'share:<id>'. at is the
-- failure's time, UTC with milliseconds (fixed width, so it sorts). Rows
-- older than the limiter's window are deleted as new failures arrive.
CREATE TABLE login_failures (
	key TEXT NOT NULL,
	at  TEXT NOT NULL
) STRICT;
CREATE INDEX login_failures_key ON login_failures(key, at);
CREATE INDEX login_failures_at ON login_failures(at);
