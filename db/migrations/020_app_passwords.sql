-- App passwords: what phone backup apps (PhotoSync, FolderSync, rclone)
-- sign in to /dav/ with, instead of the account password. Each is 140
-- random bits shown once; only a keyed hash of it is stored (HMAC-SHA256
-- under a subkey of the server key, DATA/secret.key), so a copy of the
-- database cannot sign in. last_used_at is written at most once a minute.
CREATE TABLE app_passwords (
	id           INTEGER PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE,
	created_at   TEXT NOT NULL,
	last_used_at TEXT,
	last_used_ip TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX app_passwords_user ON app_passwords(user_id);

-- A new account password (by the user, an admin or `pinhole users
-- passwd`) revokes the account's app passwords: whoever changes a
-- password after a scare must not leave a device signed in with one the
-- intruder made. So does becoming a viewer: viewers cannot upload.
CREATE TRIGGER app_passwords_password_changed AFTER UPDATE OF password ON users
	WHEN NEW.password <> OLD.password
BEGIN
	DELETE FROM app_passwords WHERE user_id = NEW.id;
END;
CREATE TRIGGER app_passwords_viewer AFTER UPDATE OF role ON users
	WHEN NEW.role = 'viewer' AND OLD.role <> 'viewer'
BEGIN
	DELETE FROM app_passwords WHERE user_id = NEW.id;
END;
