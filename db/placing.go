package db

import (
	"context"
	"database/sql"
)

// PlaceFix is a resolved place for one photo.
type PlaceFix struct {
	PhotoID     int64
	CountryCode string
	Country     string
	State       string
	City        string
	Source      string // offline, online; "none" when the position has no place (at sea)
}

// Position is a photo's coordinates awaiting a place.
type Position struct {
	PhotoID  int64
	Lat, Lng float64
}

// UnplacedPhotos lists geotagged photos whose place has not been resolved
// since their position last changed, oldest first.
func (d *DB) UnplacedPhotos(ctx context.Context, limit int) ([]Position, error) {
	rows, err := d.sql.QueryContext(ctx, `
		SELECT id, lat, lng FROM photos
		WHERE place_source = '' AND lat IS NOT NULL AND lng IS NOT NULL
		ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Position
	for rows.Next() {
		var p Position
		if err := rows.Scan(&p.PhotoID, &p.Lat, &p.Lng); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetPlaces stores resolved places and refreshes the photos' search rows.
func (d *DB) SetPlaces(ctx context.Context, fixes []PlaceFix) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		for _, f := range fixes {
			if _, err := tx.ExecContext(ctx, `
				UPDATE photos SET country_code = ?, country = ?, state = ?, city = ?, place_source = ?
				WHERE id = ?`, f.CountryCode, f.Country, f.State, f.City, f.Source, f.PhotoID); err != nil {
				return err
			}
			if err := d.syncSearch(ctx, tx, f.PhotoID); err != nil {
				return err
			}
		}
		return nil
	})
}

// ResetPlaces marks every place that came from source for resolving again,
// e.g. after the offline dataset changed. It returns how many.
func (d *DB) ResetPlaces(ctx context.Context, sources ...string) (int64, error) {
	var total int64
	for _, s := range sources {
		res, err := d.sql.ExecContext(ctx, `UPDATE photos SET place_source = '' WHERE place_source = ?`, s)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}

// PlaceCounts reports how many geotagged photos have a place and how many
// wait for one.
func (d *DB) PlaceCounts(ctx context.Context) (resolved, pending int, err error) {
	// One walk of the place sources of geotagged photos (migration 017);
	// the planner would otherwise pick the position index and read every
	// photo row.
	err = d.sql.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE place_source NOT IN ('', 'none')), count(*) FILTER (WHERE place_source = '')
		FROM photos INDEXED BY photos_place_source WHERE lat IS NOT NULL`).Scan(&resolved, &pending)
	return resolved, pending, err
}
