package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"pinhole/app/meta"
)

// livePartner finds the partner of a file (folder ?1, content identifier
// ?2, kind ?5, in photo ?4): a file of the other kind ?3 through the
// files_content_id index.
const livePartner = `SELECT f.photo_id FROM files f
	WHERE f.folder_id = ?1 AND (CASE WHEN json_valid(meta) THEN json_extract(meta, '$.content_id') END) = ?2 AND f.kind = ?3
		AND f.photo_id IS NOT NULL AND f.photo_id <> ?4
		AND NOT EXISTS (SELECT 1 FROM files g WHERE g.photo_id = f.photo_id AND g.kind = ?5)
		AND NOT EXISTS (SELECT 1 FROM files h WHERE h.photo_id = ?4 AND h.kind = ?3)
	ORDER BY f.missing, f.id LIMIT 1`

// pairLive joins an Apple Live Photo's halves whose names differ (an
// export or a rename broke the stack by name): a still and a movie in one
// folder carrying the same content identifier (meta.Info.ContentID) become
// one photo. Only a lone still and a lone movie pair — a photo that already
// has a picture, or a video, keeps it — so an edited copy or a second export
// never folds into another photo. The older photo keeps everything of both
// (mergePhotos). It returns the photo the file belongs to afterwards.
func (d *DB) pairLive(ctx context.Context, tx *sql.Tx, rel string) (int64, error) {
	var fileID, photoID, folderID int64
	var kind, cid string
	err := tx.QueryRowContext(ctx, `SELECT id, COALESCE(photo_id, 0), folder_id, kind,
			COALESCE(CASE WHEN json_valid(meta) THEN json_extract(meta, '$.content_id') END, '')
		FROM files WHERE path = ?`, rel).Scan(&fileID, &photoID, &folderID, &kind, &cid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("pair live photo: %w", err)
	}
	other := map[string]string{string(meta.KindImage): string(meta.KindVideo), string(meta.KindVideo): string(meta.KindImage)}[kind]
	if cid == "" || photoID == 0 || other == "" {
		return photoID, nil
	}
	// The partner: the other kind, same folder and identifier, in another
	// photo that has nothing of this file's kind; and this file's photo
	// has nothing of the partner's.
	var partner int64
	err = tx.QueryRowContext(ctx, livePartner, folderID, cid, other, photoID, kind).Scan(&partner)
	if errors.Is(err, sql.ErrNoRows) {
		return photoID, nil
	} else if err != nil {
		return 0, fmt.Errorf("pair live photo: %w", err)
	}
	keep, drop := min(photoID, partner), max(photoID, partner)
	if err := d.mergePhotos(ctx, tx, keep, drop); err != nil {
		return 0, err
	}
	return keep, nil
}
