-- People, from the named face regions files carry in XMP (meta.Region).
-- A person is user data: the name shown, and whether they are hidden.
CREATE TABLE people (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	hidden INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX people_name ON people(name COLLATE NOCASE);

-- Which person a name written in files means. Indexing looks a region's
-- name up here (making a person the first time a name is seen); a rename
-- changes people.name only and a merge moves these rows, so edits survive
-- re-indexing and renames made again in the files' own program.
CREATE TABLE person_names (
	file_name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
	person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE
);
CREATE INDEX person_names_person ON person_names(person_id);

-- A photo's faces, as meta.Merge decides them: rectangles in fractions of
-- the photo as shown (orientation applied), x and y the top-left corner.
-- Rewritten whenever the photo is merged again.
CREATE TABLE faces (
	id INTEGER PRIMARY KEY,
	photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
	person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL
);
CREATE INDEX faces_person ON faces(person_id, photo_id);
CREATE INDEX faces_photo ON faces(photo_id);
