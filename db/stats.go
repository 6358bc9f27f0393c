package db

import "context"

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
			(SELECT count(*) FROM photos WHERE missing = 0),
			(SELECT count(*) FROM photos WHERE missing = 0 AND media_type = 'video'),
			(SELECT count(*) FROM files WHERE missing = 0),
			(SELECT count(*) FROM files WHERE missing = 1),
			(SELECT count(*) FROM folders WHERE missing = 0),
			(SELECT count(*) FROM index_errors) + (SELECT count(*) FROM files WHERE error <> '' AND missing = 0),
			(SELECT count(*) FROM albums),
			(SELECT count(*) FROM photos WHERE missing = 0 AND lat IS NOT NULL)`).
		Scan(&c.Photos, &c.Videos, &c.Files, &c.MissingFiles, &c.Folders, &c.Errors, &c.Albums, &c.Geotagged)
	return c, err
}
