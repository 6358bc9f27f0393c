-- Private spaces (docs/security.md, "Private spaces"). A photo with an
-- owner is in that user's space: it shows to its owner, to admins and to
-- the partners the owner shares with; a photo without one (NULL) is the
-- library's, shown to every account as before. only_me keeps a photo from
-- partners (and from share links) too. No foreign key: when an account is
-- deleted its photos stay with the dead id, seen by admins only, rather
-- than falling back into everyone's library.
ALTER TABLE photos ADD COLUMN owner_user INTEGER;
ALTER TABLE photos ADD COLUMN only_me INTEGER NOT NULL DEFAULT 0;
CREATE INDEX photos_owner ON photos(owner_user) WHERE owner_user IS NOT NULL;

-- The user's choice: their uploads (browser and WebDAV) start as only-me.
ALTER TABLE users ADD COLUMN uploads_only_me INTEGER NOT NULL DEFAULT 0;

-- Partner sharing: sharer's space (from since, a YYYY-MM-DD compared with
-- taken_at; '' = all of it) shows to partner, read-only.
CREATE TABLE partners (
	sharer     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	partner    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	since      TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	PRIMARY KEY (partner, sharer),
	CHECK (sharer <> partner)
) STRICT;

-- Folders of the originals that belong to a user: an admin's assignment
-- (uploads = 0), a user's WebDAV folder or one browser upload's file
-- (uploads = 1: the user's only-me default applies). A photo whose file
-- lands under one (the longest wins) joins that space when it has none.
CREATE TABLE space_folders (
	path    TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	uploads INTEGER NOT NULL DEFAULT 0
) STRICT;

-- In the same transaction as the indexer's write, so a new photo is never
-- visible outside its space, not even for a moment.
CREATE TRIGGER files_space_insert AFTER INSERT ON files WHEN new.photo_id IS NOT NULL BEGIN
	UPDATE photos SET
		owner_user = (SELECT sf.user_id FROM space_folders sf
			WHERE new.path = sf.path OR substr(new.path, 1, length(sf.path) + 1) = sf.path || '/'
			ORDER BY length(sf.path) DESC LIMIT 1),
		only_me = COALESCE((SELECT sf.uploads AND u.uploads_only_me FROM space_folders sf JOIN users u ON u.id = sf.user_id
			WHERE new.path = sf.path OR substr(new.path, 1, length(sf.path) + 1) = sf.path || '/'
			ORDER BY length(sf.path) DESC LIMIT 1), 0)
	WHERE id = new.photo_id AND owner_user IS NULL AND EXISTS (SELECT 1 FROM space_folders sf
		WHERE new.path = sf.path OR substr(new.path, 1, length(sf.path) + 1) = sf.path || '/');
END;
CREATE TRIGGER files_space_update AFTER UPDATE OF photo_id ON files WHEN new.photo_id IS NOT NULL BEGIN
	UPDATE photos SET
		owner_user = (SELECT sf.user_id FROM space_folders sf
			WHERE new.path = sf.path OR substr(new.path, 1, length(sf.path) + 1) = sf.path || '/'
			ORDER BY length(sf.path) DESC LIMIT 1),
		only_me = COALESCE((SELECT sf.uploads AND u.uploads_only_me FROM space_folders sf JOIN users u ON u.id = sf.user_id
			WHERE new.path = sf.path OR substr(new.path, 1, length(sf.path) + 1) = sf.path || '/'
			ORDER BY length(sf.path) DESC LIMIT 1), 0)
	WHERE id = new.photo_id AND owner_user IS NULL AND EXISTS (SELECT 1 FROM space_folders sf
		WHERE new.path = sf.path OR substr(new.path, 1, length(sf.path) + 1) = sf.path || '/');
END;

-- Answers kept per reader (db/foldercounts.go) change when sharing does.
CREATE TRIGGER partners_version_insert AFTER INSERT ON partners BEGIN UPDATE library_version SET v = v + 1; END;
CREATE TRIGGER partners_version_update AFTER UPDATE ON partners BEGIN UPDATE library_version SET v = v + 1; END;
CREATE TRIGGER partners_version_delete AFTER DELETE ON partners BEGIN UPDATE library_version SET v = v + 1; END;
