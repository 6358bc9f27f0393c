package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// GeoAnswer is what the online geocoder said about one map cell.
type GeoAnswer struct {
	Found       bool // false: no place there (at sea); cached all the same
	CountryCode string
	Country     string
	State       string
	City        string
}

// GeoCached returns the cached answer of provider for a map cell, or
// ErrNotFound.
func (d *DB) GeoCached(ctx context.Context, provider string, cell int64) (GeoAnswer, error) {
	var a GeoAnswer
	err := d.sql.QueryRowContext(ctx, `
		SELECT found, country_code, country, state, city FROM geocache
		WHERE cell = ? AND provider = ?`, cell, provider).Scan(&a.Found, &a.CountryCode, &a.Country, &a.State, &a.City)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("geocache cell %d: %w", cell, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("read geocache: %w", err)
	}
	return a, nil
}

// PutGeoCache stores provider's answer for a map cell, replacing any
// older one.
func (d *DB) PutGeoCache(ctx context.Context, provider string, cell int64, a GeoAnswer) error {
	_, err := d.sql.ExecContext(ctx, `
		INSERT INTO geocache (cell, provider, found, country_code, country, state, city, fetched_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (cell) DO UPDATE SET provider = excluded.provider, found = excluded.found,
			country_code = excluded.country_code, country = excluded.country, state = excluded.state,
			city = excluded.city, fetched_at = excluded.fetched_at`,
		cell, provider, boolInt(a.Found), a.CountryCode, a.Country, a.State, a.City, d.stamp())
	if err != nil {
		return fmt.Errorf("write geocache: %w", err)
	}
	return nil
}

// GeoCacheSize counts the cached cells.
func (d *DB) GeoCacheSize(ctx context.Context) (int, error) {
	var n int
	if err := d.sql.QueryRowContext(ctx, `SELECT count(*) FROM geocache`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count geocache: %w", err)
	}
	return n, nil
}
