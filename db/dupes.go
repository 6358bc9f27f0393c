package db

import (
	"context"
	"database/sql"
	"fmt"
)

// Near-duplicate review (issue 16, migration 025): a perceptual hash per
// photo, computed in the background by app/dupes, and the pairs someone
// said are not duplicates.

// ToHash is a photo whose picture has no perceptual hash yet, or one of a
// primary file that changed since.
type ToHash struct {
	PhotoID     int64
	Path        string // the primary file, relative to the originals
	Hash        string // its content hash
	MIME        string
	Orientation int
}

// PhotosToHash lists up to limit photos in the library (not in the Trash,
// not missing, not videos) whose primary file has no hash row for its
// current content.
func (d *DB) PhotosToHash(ctx context.Context, limit int) ([]ToHash, error) {
	done, err := d.wait(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := d.sql.QueryContext(ctx, `SELECT p.id, f.path, f.hash, f.mime, p.orientation
		FROM photos p JOIN files f ON f.id = p.primary_file_id
		LEFT JOIN photo_hashes h ON h.photo_id = p.id
		WHERE p.media_type <> 'video' AND p.missing = 0 AND f.missing = 0 AND `+notTrashed+`
			AND (h.photo_id IS NULL OR h.file_hash <> f.hash)
		ORDER BY p.id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("photos to hash: %w", err)
	}
	defer rows.Close()
	var out []ToHash
	for rows.Next() {
		var t ToHash
		if err := rows.Scan(&t.PhotoID, &t.Path, &t.Hash, &t.MIME, &t.Orientation); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// CountToHash counts the photos PhotosToHash would list.
func (d *DB) CountToHash(ctx context.Context) (int, error) {
	var n int
	err := d.sql.QueryRowContext(ctx, `SELECT count(*)
		FROM photos p JOIN files f ON f.id = p.primary_file_id
		LEFT JOIN photo_hashes h ON h.photo_id = p.id
		WHERE p.media_type <> 'video' AND p.missing = 0 AND f.missing = 0 AND `+notTrashed+`
			AND (h.photo_id IS NULL OR h.file_hash <> f.hash)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count photos to hash: %w", err)
	}
	return n, nil
}

// SavePictureHash stores photo id's perceptual hashes of the primary file
// with content hash fileHash; ok false remembers that it could not be
// hashed (not tried again until the file changes).
func (d *DB) SavePictureHash(ctx context.Context, id int64, fileHash string, p, dh uint64, ok bool) error {
	_, err := d.sql.ExecContext(ctx, `INSERT INTO photo_hashes (photo_id, file_hash, p, d, ok) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (photo_id) DO UPDATE SET file_hash = excluded.file_hash, p = excluded.p, d = excluded.d, ok = excluded.ok`,
		id, fileHash, int64(p), int64(dh), boolInt(ok))
	if err != nil {
		return fmt.Errorf("save picture hash of photo %d: %w", id, err)
	}
	return nil
}

// Hashed is a photo with its perceptual hashes and what choosing a keeper
// among near-duplicates weighs.
type Hashed struct {
	Photo
	P, D   uint64
	Bytes  int64 // the primary file's size
	Albums int   // albums it is in
	Edited bool  // a title, a description or a rating was given
}

// moreColumns scans the columns a query reads after photoColumns into
// extra, so that scanPhoto reads the photo's.
type moreColumns struct {
	s     scanner
	extra []any
}

func (m moreColumns) Scan(dest ...any) error { return m.s.Scan(append(dest, m.extra...)...) }

// HashedPhotos lists every photo in the library with a picture hash, in
// id order, for grouping (app/dupes).
func (d *DB) HashedPhotos(ctx context.Context) ([]Hashed, error) {
	done, err := d.wait(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := d.sql.QueryContext(ctx, `SELECT `+photoColumns+`, h.p, h.d, COALESCE(f.size, 0),
			(SELECT count(*) FROM album_photos ap WHERE ap.photo_id = p.id),
			p.title <> '' OR p.description <> '' OR p.rating <> 0
		FROM photo_hashes h JOIN photos p ON p.id = h.photo_id `+photoJoins+`
		WHERE h.ok = 1 AND p.missing = 0 AND `+notTrashed+` AND h.file_hash = COALESCE(f.hash, '')
		ORDER BY p.id`)
	if err != nil {
		return nil, fmt.Errorf("hashed photos: %w", err)
	}
	defer rows.Close()
	var out []Hashed
	for rows.Next() {
		var h Hashed
		var p, dh int64
		ph, err := scanPhoto(moreColumns{rows, []any{&p, &dh, &h.Bytes, &h.Albums, &h.Edited}})
		if err != nil {
			return nil, err
		}
		h.Photo = ph
		h.P, h.D = uint64(p), uint64(dh)
		out = append(out, h)
	}
	return out, rows.Err()
}

// DismissDupes remembers that no two of ids are duplicates.
func (d *DB) DismissDupes(ctx context.Context, ids []int64) error {
	if err := checkIDs(ids); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		for i, a := range ids {
			for _, b := range ids[i+1:] {
				lo, hi := min(a, b), max(a, b)
				if lo == hi {
					continue
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO dupe_dismissals (a, b)
					SELECT ?, ? WHERE EXISTS (SELECT 1 FROM photos WHERE id = ?) AND EXISTS (SELECT 1 FROM photos WHERE id = ?)
					ON CONFLICT DO NOTHING`, lo, hi, lo, hi); err != nil {
					return fmt.Errorf("dismiss duplicates: %w", err)
				}
			}
		}
		return nil
	})
}

// LibraryVersion is a number that moves on every change to a photo,
// file or folder row, whoever writes (migration 017), for answers kept
// until the library changes outside this package (app/dupes' groups).
func (d *DB) LibraryVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := d.sql.QueryRowContext(ctx, `SELECT v FROM library_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("library version: %w", err)
	}
	return v, nil
}

// DismissedPairs returns every pair said not to be duplicates, a < b.
func (d *DB) DismissedPairs(ctx context.Context) ([][2]int64, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT a, b FROM dupe_dismissals`)
	if err != nil {
		return nil, fmt.Errorf("dismissed pairs: %w", err)
	}
	defer rows.Close()
	var out [][2]int64
	for rows.Next() {
		var p [2]int64
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
