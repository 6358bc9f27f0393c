-- Full-text search over what people remember about a photo. rowid is the
-- photo id; rows are rewritten by the db package whenever a photo changes.
CREATE VIRTUAL TABLE photos_fts USING fts5(
	title, description, keywords, names, camera, place,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3'
);
