package db

import (
	"context"
	"database/sql"
	"fmt"
)

// insertSearchRows is the one definition of a photo's full-text row,
// as an INSERT of the rows of the photos p that where (a condition on p,
// with any ORDER BY after it) selects: its title and description, its
// keywords and the names of the people on it, the paths of its files, its camera and its place. Indexing
// (syncSearch) and the synthetic libraries of tests and benchmarks both
// use it, so what a search finds cannot differ between them. File paths
// are split on separators so "IMG_1234" and "2019/Lisbon" match word by
// word.
func insertSearchRows(where string) string {
	return `INSERT INTO photos_fts (rowid, title, description, keywords, names, camera, place)
		SELECT p.search_key, p.title, p.description,
			coalesce((SELECT group_concat(k.name, ' ') FROM photo_keywords pk JOIN keywords k ON k.id = pk.keyword_id
				WHERE pk.photo_id = p.id), '') || ' ' ||
			coalesce((SELECT group_concat(name, ' ') FROM (SELECT DISTINCT pe.name FROM faces fc JOIN people pe ON pe.id = fc.person_id
				WHERE fc.photo_id = p.id)), ''),
			coalesce((SELECT group_concat(replace(replace(replace(replace(f.path, '/', ' '), '_', ' '), '-', ' '), '.', ' '), ' ')
				FROM files f WHERE f.photo_id = p.id), ''),
			p.make || ' ' || p.model || ' ' || p.lens,
			p.city || ' ' || p.state || ' ' || p.country || ' ' || p.country_code
		FROM photos p WHERE ` + where
}

// syncSearch rewrites a photo's full-text row from its current columns,
// keywords and file names.
func (d *DB) syncSearch(ctx context.Context, tx *sql.Tx, photoID int64) error {
	if photoID > searchIDMask {
		return fmt.Errorf("photo id %d does not fit the search index (at most %d photos)", photoID, searchIDMask)
	}
	var oldKey, newKey int64
	err := tx.QueryRowContext(ctx, `SELECT search_key, `+searchKey("taken_at", "id")+` FROM photos WHERE id = ?`, photoID).
		Scan(&oldKey, &newKey)
	if err != nil {
		return err
	}
	if oldKey != 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM photos_fts WHERE rowid = ?`, oldKey); err != nil {
			return err
		}
	}
	if newKey != oldKey {
		if _, err := tx.ExecContext(ctx, `UPDATE photos SET search_key = ? WHERE id = ?`, newKey, photoID); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, insertSearchRows(`p.id = ?`), photoID)
	return err
}

// A full-text row's rowid is its photo's search key: the taken time in
// seconds since 1800 (clamped to 1800–2199) above searchIDBits bits of photo
// id. Rowid order is then timeline order, which FTS5 can walk backwards
// from any point, so a text search's page costs the page and not the
// number of matches. 34 bits of seconds and 29 of id fill the 63 bits.
const (
	searchIDBits       = 29
	searchIDMask       = 1<<searchIDBits - 1
	searchMinSec int64 = -5364662400 // 1800-01-01 00:00:00 UTC
	searchMaxSec int64 = 7258118399  // 2199-12-31 23:59:59 UTC
)

// searchKey is the SQL expression for the search key of a taken time and a
// photo id (column names or placeholders). Migration 006 spells it out too.
func searchKey(taken, id string) string {
	return fmt.Sprintf("(((min(max(coalesce(unixepoch(%s), %d), %d), %d) - %d) << %d) | %s)",
		taken, searchMinSec, searchMinSec, searchMaxSec, searchMinSec, searchIDBits, id)
}
