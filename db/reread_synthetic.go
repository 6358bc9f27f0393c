//go:build synthetic

package db

import "context"

// MarkStale sets the reader version of files to 0, as if an older reader
// had read them. Tests use it; it exists only with the synthetic tag.
func (d *DB) MarkStale(ctx context.Context, paths []string) error {
	for _, p := range paths {
		if _, err := d.sql.ExecContext(ctx, `UPDATE files SET reader = 0 WHERE path = ?`, p); err != nil {
			return err
		}
	}
	return nil
}
