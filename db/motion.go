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

// MotionByHash finds a present file with this content hash, whose photo is
// inside scope, that carries an embedded video. Files without one are
// ErrNotFound, like files outside scope.
func (d *DB) MotionByHash(ctx context.Context, hash string, scope FileScope) (MotionFile, error) {
	var m MotionFile
	// A blob that is not JSON (it is queued for reading again) has no
	// motion; json_extract alone would fail the query.
	err := d.sql.QueryRowContext(ctx, `SELECT f.photo_id, f.path, f.name, f.mime, f.kind, f.size, p.orientation,
			json_extract(f.meta, '$.motion.offset'), json_extract(f.meta, '$.motion.length')
		FROM files f JOIN photos p ON p.id = f.photo_id
		WHERE f.hash = ?1 AND f.missing = 0
			AND (CASE WHEN json_valid(f.meta) THEN json_extract(f.meta, '$.motion.length') END) > 0
			AND (?2 = 0 OR p.private = 0) AND (?4 = 0 OR p.archived = 0)
			AND (?3 = 0 OR p.id IN (SELECT photo_id FROM album_photos WHERE album_id = ?3))
		ORDER BY f.is_primary DESC, f.id LIMIT 1`, hash, boolInt(scope.HidePrivate), scope.Album, boolInt(scope.HideArchived)).
		Scan(&m.PhotoID, &m.Path, &m.Name, &m.MIME, &m.Kind, &m.Size, &m.Orientation, &m.Offset, &m.Length)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("motion photo %s: %w", hash, ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("motion photo %s: %w", hash, err)
	}
	return m, nil
}
