package db

import (
	"context"
	"database/sql"
	"strings"
)

// syncSearch rewrites a photo's full-text row from its current columns,
// keywords and file names.
func (d *DB) syncSearch(ctx context.Context, tx *sql.Tx, photoID int64) error {
	var title, desc, mk, model, lens, country, state, city, cc string
	err := tx.QueryRowContext(ctx, `
		SELECT title, description, make, model, lens, country, state, city, country_code
		FROM photos WHERE id = ?`, photoID).Scan(&title, &desc, &mk, &model, &lens, &country, &state, &city, &cc)
	if err != nil {
		return err
	}
	kws, err := joinColumn(ctx, tx, `
		SELECT k.name FROM photo_keywords pk JOIN keywords k ON k.id = pk.keyword_id WHERE pk.photo_id = ?`, photoID)
	if err != nil {
		return err
	}
	names, err := joinColumn(ctx, tx, `SELECT path FROM files WHERE photo_id = ?`, photoID)
	if err != nil {
		return err
	}
	// File names are split on separators so "IMG_1234" and "2019/Lisbon" match word by word.
	names = strings.NewReplacer("/", " ", "_", " ", "-", " ", ".", " ").Replace(names)
	if _, err := tx.ExecContext(ctx, `DELETE FROM photos_fts WHERE rowid = ?`, photoID); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO photos_fts (rowid, title, description, keywords, names, camera, place) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		photoID, title, desc, kws, names, strings.Join([]string{mk, model, lens}, " "), strings.Join([]string{city, state, country, cc}, " "))
	return err
}

func joinColumn(ctx context.Context, tx *sql.Tx, q string, args ...any) (string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " "), rows.Err()
}
