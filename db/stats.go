package db

import (
	"context"
	"fmt"
)

// Counts summarises the library for the status page.
type Counts struct {
	Photos       int `json:"photos"`
	Videos       int `json:"videos"`
	Files        int `json:"files"`
	MissingFiles int `json:"missing_files"`
	Folders      int `json:"folders"`
	Errors       int `json:"errors"`
	Albums       int `json:"albums"`
	Geotagged    int `json:"geotagged"`
}

// Counts counts what the library holds.
func (d *DB) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	err := d.sql.QueryRowContext(ctx, `
		SELECT
			(SELECT count(*) FROM photos p WHERE missing = 0 AND `+notTrashed+`),
			(SELECT count(*) FROM photos p WHERE missing = 0 AND `+notTrashed+` AND media_type = 'video'),
			(SELECT count(*) FROM files WHERE missing = 0),
			(SELECT count(*) FROM files WHERE missing = 1),
			(SELECT count(*) FROM folders WHERE missing = 0),
			(SELECT count(*) FROM index_errors) + (SELECT count(*) FROM files WHERE error <> '' AND missing = 0),
			(SELECT count(*) FROM albums),
			(SELECT count(*) FROM photos p WHERE missing = 0 AND `+notTrashed+` AND lat IS NOT NULL)`).
		Scan(&c.Photos, &c.Videos, &c.Files, &c.MissingFiles, &c.Folders, &c.Errors, &c.Albums, &c.Geotagged)
	return c, err
}

// VisibleCounts is what a viewer may count: photos that are not private.
type VisibleCounts struct {
	Photos    int `json:"photos"`
	Videos    int `json:"videos"`
	Albums    int `json:"albums"`
	Geotagged int `json:"geotagged"`
}

// CountVisible counts the library as a viewer sees it: no private photos,
// no files or folders (a private photo's file is still a file).
func (d *DB) CountVisible(ctx context.Context) (VisibleCounts, error) {
	var c VisibleCounts
	err := d.sql.QueryRowContext(ctx, `
		SELECT
			(SELECT count(*) FROM photos p WHERE missing = 0 AND `+Reader{}.photoCond()+`),
			(SELECT count(*) FROM photos p WHERE missing = 0 AND `+Reader{}.photoCond()+` AND media_type = 'video'),
			(SELECT count(*) FROM albums),
			(SELECT count(*) FROM photos p WHERE missing = 0 AND `+Reader{}.photoCond()+` AND lat IS NOT NULL)`).
		Scan(&c.Photos, &c.Videos, &c.Albums, &c.Geotagged)
	if err != nil {
		return c, fmt.Errorf("count visible photos: %w", err)
	}
	return c, nil
}
