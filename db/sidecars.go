package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"pinhole/app/meta"
)

// Where a sidecar was written (sidecar_writes.place).
const (
	SidecarBeside = "originals" // NAME.xmp beside the photo's file
	SidecarData   = "data"      // DATA/sidecars, mirroring the folders
)

// SidecarPhoto is what the sidecar writer needs of one photo: the fields a
// user edited with their values, and where the photo's files are.
type SidecarPhoto struct {
	ID       int64
	Edited   meta.EditedFields
	EditedAt string // as stored (TimeLayout, UTC); "" when unknown

	Title, Description string
	Keywords           []string
	Rating             int
	TakenLocal         string // TimeLayout, the wall clock where taken
	TakenOffset        *int64 // minutes east of UTC; nil when unknown
	Lat, Lng, Alt      *float64

	// Primary is the path (relative to the originals) of the file that
	// shows the photo, "" when it has none; PrimaryMissing when that file
	// is gone from disk.
	Primary        string
	PrimaryMissing bool
	// Sidecars are the photo's present .xmp files in Primary's folder.
	Sidecars []string
	// Last is what Pinhole last wrote for the photo, if anything.
	Last *SidecarWrite
}

// SidecarWrite records one sidecar Pinhole wrote.
type SidecarWrite struct {
	Place    string // SidecarBeside or SidecarData
	Path     string // relative to the place, '/' separated
	Hash     string // SHA-1 hex of the bytes written
	EditedAt string // the photo's edited_at the file holds
}

// OnEdited sets fn to be told, after the transaction commits, which photos
// a user's edit changed; the sidecar writer follows them. Call it before
// the database is shared.
func (d *DB) OnEdited(fn func(ids []int64)) { d.editedHook = fn }

// SidecarPhoto loads what a sidecar of photo id holds.
func (d *DB) SidecarPhoto(ctx context.Context, id int64) (SidecarPhoto, error) {
	p := SidecarPhoto{ID: id}
	var edited string
	var primary sql.NullString
	var folder sql.NullInt64
	var missing sql.NullBool
	err := d.sql.QueryRowContext(ctx, `
		SELECT p.edited, p.edited_at, p.title, p.description, p.rating, p.taken_local, p.taken_offset,
			p.lat, p.lng, p.alt, f.path, f.folder_id, f.missing
		FROM photos p LEFT JOIN files f ON f.id = p.primary_file_id
		WHERE p.id = ?`, id).Scan(&edited, &p.EditedAt, &p.Title, &p.Description, &p.Rating, &p.TakenLocal, &p.TakenOffset,
		&p.Lat, &p.Lng, &p.Alt, &primary, &folder, &missing)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("photo %d: %w", id, ErrNotFound)
	} else if err != nil {
		return p, fmt.Errorf("load photo %d: %w", id, err)
	}
	p.Edited = editedSet(edited)
	p.Primary, p.PrimaryMissing = primary.String, missing.Bool
	if p.Keywords, err = queryStrings(ctx, d.sql, `SELECT k.name FROM photo_keywords pk JOIN keywords k ON k.id = pk.keyword_id
		WHERE pk.photo_id = ? ORDER BY k.name`, id); err != nil {
		return p, err
	}
	if folder.Valid {
		if p.Sidecars, err = queryStrings(ctx, d.sql, `SELECT path FROM files
			WHERE photo_id = ? AND folder_id = ? AND kind = 'sidecar' AND mime = 'application/rdf+xml' AND missing = 0 ORDER BY path`,
			id, folder.Int64); err != nil {
			return p, err
		}
	}
	var w SidecarWrite
	err = d.sql.QueryRowContext(ctx, `SELECT place, path, hash, edited_at FROM sidecar_writes WHERE photo_id = ?`, id).
		Scan(&w.Place, &w.Path, &w.Hash, &w.EditedAt)
	switch {
	case err == nil:
		p.Last = &w
	case !errors.Is(err, sql.ErrNoRows):
		return p, err
	}
	return p, nil
}

// RecordSidecarWrite remembers what Pinhole wrote (or is about to rename
// into place) for photo id: a sidecar file with this hash is then its own.
func (d *DB) RecordSidecarWrite(ctx context.Context, id int64, w SidecarWrite) error {
	if w.Place != SidecarBeside && w.Place != SidecarData {
		return fmt.Errorf("sidecar place %q: %w", w.Place, ErrInvalid)
	}
	_, err := d.sql.ExecContext(ctx, `
		INSERT INTO sidecar_writes (photo_id, place, path, hash, edited_at, written_at)
		SELECT id, ?, ?, ?, ?, ? FROM photos WHERE id = ?
		ON CONFLICT (photo_id) DO UPDATE SET place = excluded.place, path = excluded.path, hash = excluded.hash,
			edited_at = excluded.edited_at, written_at = excluded.written_at`,
		w.Place, w.Path, w.Hash, w.EditedAt, d.stamp(), id)
	if err != nil {
		return fmt.Errorf("record sidecar of photo %d: %w", id, err)
	}
	return nil
}

// StaleSidecars lists up to limit photos after id after whose edits are
// not in a sidecar yet: edited, and never written or edited since. Only
// edited photos are looked at (a partial index), so this stays cheap in a
// large library.
func (d *DB) StaleSidecars(ctx context.Context, after int64, limit int) ([]int64, error) {
	return d.photoIDs(ctx, `
		SELECT p.id FROM photos p LEFT JOIN sidecar_writes s ON s.photo_id = p.id
		WHERE p.edited <> '' AND p.id > ? AND (s.photo_id IS NULL OR s.edited_at <> p.edited_at)
		ORDER BY p.id LIMIT ?`, after, limit)
}

// EditedPhotoIDs lists up to limit photos after id after that have edits.
func (d *DB) EditedPhotoIDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	return d.photoIDs(ctx, `SELECT id FROM photos WHERE edited <> '' AND id > ? ORDER BY id LIMIT ?`, after, limit)
}

// CountEditedPhotos counts the photos that have edits.
func (d *DB) CountEditedPhotos(ctx context.Context) (int, error) {
	var n int
	err := d.sql.QueryRowContext(ctx, `SELECT count(*) FROM photos WHERE edited <> ''`).Scan(&n)
	return n, err
}

func (d *DB) photoIDs(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := d.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list photos: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
