package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// MotionFile is a motion photo's file with the byte range of the video it
// carries inside, as the index recorded it (meta.Motion in files.meta).
type MotionFile struct {
	MediaFile
	Offset, Length int64
}

// MotionByHash finds the file FileByHash finds (present, inside scope) and
// the embedded video it carries. A file without one is ErrNotFound, like a
// file outside scope.
func (d *DB) MotionByHash(ctx context.Context, hash string, scope FileScope) (MotionFile, error) {
	f, err := d.FileByHash(ctx, hash, scope)
	if err != nil {
		return MotionFile{}, err
	}
	m := MotionFile{MediaFile: f}
	// A blob that is not JSON (it is queued for reading again) has no
	// motion; json_extract alone would fail the query.
	err = d.sql.QueryRowContext(ctx, `SELECT json_extract(meta, '$.motion.offset'), json_extract(meta, '$.motion.length')
		FROM files WHERE path = ? AND (CASE WHEN json_valid(meta) THEN json_extract(meta, '$.motion.length') END) > 0`, f.Path).
		Scan(&m.Offset, &m.Length)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("motion photo %s: %w", hash, ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("motion photo %s: %w", hash, err)
	}
	return m, nil
}
