package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"pinhole/app/meta"
)

type takenCols struct {
	at, local string
	offset    sql.NullInt64
	source    string
}

// takenColumns turns a read time into the stored columns. Without a known
// zone the wall-clock time doubles as the sort instant, as people expect
// "14:00 on holiday" to sort as 14:00.
func takenColumns(i *meta.Info) takenCols {
	if i == nil || i.Taken.IsZero() {
		return takenCols{at: formatTime(time.Unix(0, 0)), local: formatTime(time.Unix(0, 0))}
	}
	c := takenCols{source: string(i.TakenSource)}
	c.local = i.Taken.Format(TimeLayout)
	if i.HasOffset {
		_, off := i.Taken.Zone()
		c.offset = sql.NullInt64{Int64: int64(off / 60), Valid: true}
		c.at = formatTime(i.Taken)
	} else {
		c.at = c.local
	}
	return c
}

// Editable photo fields, as photos.edited names them (meta.Merge keeps
// them as the user set them).
const (
	FieldTitle       = meta.FieldTitle
	FieldDescription = meta.FieldDescription
	FieldKeywords    = meta.FieldKeywords
	FieldTaken       = meta.FieldTaken
	FieldLocation    = meta.FieldLocation
	FieldRating      = meta.FieldRating
)

func editedSet(s string) meta.EditedFields {
	m := meta.EditedFields{}
	for _, f := range strings.Split(s, ",") {
		if f != "" {
			m[f] = true
		}
	}
	return m
}

// BadMeta is a file whose stored metadata could not be decoded. Its photo
// was merged without it, and it is queued for reading again.
type BadMeta struct {
	FileID int64
	Path   string
	Err    error
}

// OnBadMeta sets fn to be told, after the transaction that found them
// commits, about stored metadata that could not be decoded. Call it before
// the database is shared.
func (d *DB) OnBadMeta(fn func(BadMeta)) { d.badMetaHook = fn }

// BadMetaCount is how many stored metadata blobs could not be decoded
// since the database was opened.
func (d *DB) BadMetaCount() int64 { return d.badMetaCount.Load() }

func (d *DB) reportBadMeta(bad []BadMeta) {
	d.badMetaCount.Add(int64(len(bad)))
	if d.badMetaHook != nil {
		for _, b := range bad {
			d.badMetaHook(b)
		}
	}
}

// photoFiles loads what meta.Merge needs of a photo's files. A file whose
// stored metadata does not decode takes part without it (its kind still
// counts), is returned in bad, and is queued for reading again: its reader
// version is reset so the background re-read picks it up. A sidecar whose
// content is what Pinhole last wrote for the photo is marked Own.
func photoFiles(ctx context.Context, tx *sql.Tx, photoID int64) (files []meta.FileInfo, bad []BadMeta, err error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT f.id, f.path, f.name, f.kind, f.mime, f.missing, f.meta,
			f.kind = 'sidecar' AND f.hash <> '' AND f.hash = COALESCE(s.hash, '')
		FROM files f LEFT JOIN sidecar_writes s ON s.photo_id = f.photo_id
		WHERE f.photo_id = ?`, photoID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var f meta.FileInfo
		var path, kind, js string
		if err := rows.Scan(&f.ID, &path, &f.Name, &kind, &f.MIME, &f.Missing, &js, &f.Own); err != nil {
			return nil, nil, err
		}
		f.Kind = meta.Kind(kind)
		if err := json.Unmarshal([]byte(js), &f.Info); err != nil {
			f.Info = meta.Info{}
			bad = append(bad, BadMeta{FileID: f.ID, Path: path, Err: fmt.Errorf("decode stored metadata: %w", err)})
		}
		files = append(files, f)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows.Close()
	for _, b := range bad {
		if _, err := tx.ExecContext(ctx, `UPDATE files SET reader = 0 WHERE id = ?`, b.FileID); err != nil {
			return nil, nil, err
		}
	}
	return files, bad, nil
}

// refreshPhoto merges a photo's metadata from its files again (meta.Merge
// decides; this only loads and stores) and returns the files whose stored
// metadata could not be decoded. Fields Merge adopts from a sidecar (a
// newer change made in another program) are stored and stay edited.
func (d *DB) refreshPhoto(ctx context.Context, tx *sql.Tx, photoID int64) ([]BadMeta, error) {
	files, bad, err := photoFiles(ctx, tx, photoID)
	if err != nil || len(files) == 0 {
		return bad, err
	}
	var editedStr, editedAt string
	var oldLat, oldLng sql.NullFloat64
	if err := tx.QueryRowContext(ctx, `SELECT edited, edited_at, lat, lng FROM photos WHERE id = ?`, photoID).Scan(&editedStr, &editedAt, &oldLat, &oldLng); err != nil {
		return bad, fmt.Errorf("load photo: %w", err)
	}
	edited := editedSet(editedStr)
	mg := meta.Merge(files, edited, ParseTime(editedAt))
	if mg.Primary == 0 {
		// Only sidecars left (their picture was removed): nothing to show.
		_, err := tx.ExecContext(ctx, `UPDATE photos SET missing = 1, primary_file_id = NULL, motion_file_id = NULL WHERE id = ?`, photoID)
		return bad, err
	}
	m := &mg.Info
	set := []string{
		"media_type = ?", "make = ?", "model = ?", "lens = ?", "exposure_time = ?", "f_number = ?",
		"iso = ?", "focal_length = ?", "width = ?", "height = ?", "orientation = ?", "duration = ?",
		"missing = ?", "primary_file_id = ?", "motion_file_id = ?", "updated_at = ?",
	}
	args := []any{
		string(mg.MediaType), m.Make, m.Model, m.Lens, nullFloat(m.ExposureTime), nullFloat(m.FNumber),
		nullInt(m.ISO), nullFloat(m.FocalLength), m.DisplayWidth(), m.DisplayHeight(), m.Orientation, nullFloat(m.Duration),
		boolInt(mg.Missing), mg.Primary, sql.NullInt64{Int64: mg.Motion, Valid: mg.Motion != 0}, d.stamp(),
	}
	if len(mg.Adopted) > 0 {
		for f := range mg.Adopted {
			edited[f] = true
		}
		at := editedAt
		if t := formatTime(mg.AdoptedAt); t > at {
			at = t
		}
		set, args = append(set, "edited = ?", "edited_at = ?"), append(args, editedList(edited), at)
	}
	if mg.Writes(FieldTitle) {
		set, args = append(set, "title = ?"), append(args, m.Title)
	}
	if mg.Writes(FieldDescription) {
		set, args = append(set, "description = ?"), append(args, m.Description)
	}
	if mg.Writes(FieldRating) {
		set, args = append(set, "rating = ?"), append(args, m.Rating)
	}
	if mg.Writes(FieldTaken) {
		t := takenColumns(m)
		set = append(set, "taken_at = ?", "taken_local = ?", "taken_offset = ?", "taken_source = ?")
		args = append(args, t.at, t.local, t.offset, t.source)
	}
	samePlace := mg.Adopted[FieldLocation] && oldLat.Valid && oldLng.Valid && meta.SamePosition(m.Lat, m.Lng, oldLat.Float64, oldLng.Float64)
	if mg.Writes(FieldLocation) && !samePlace {
		lat, lng, alt := sql.NullFloat64{}, sql.NullFloat64{}, sql.NullFloat64{}
		if m.HasGPS {
			lat, lng = sql.NullFloat64{Float64: m.Lat, Valid: true}, sql.NullFloat64{Float64: m.Lng, Valid: true}
			if m.HasAlt {
				alt = sql.NullFloat64{Float64: m.Alt, Valid: true}
			}
		}
		set = append(set, "lat = ?", "lng = ?", "alt = ?")
		args = append(args, lat, lng, alt)
		if lat != oldLat || lng != oldLng {
			// New position: the place must be resolved again.
			set = append(set, "country_code = ''", "country = ''", "state = ''", "city = ''", "place_source = ''")
		}
	}
	args = append(args, photoID)
	if _, err := tx.ExecContext(ctx, "UPDATE photos SET "+strings.Join(set, ", ")+" WHERE id = ?", args...); err != nil {
		return bad, fmt.Errorf("update photo: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE files SET is_primary = (id = ?) WHERE photo_id = ?`, mg.Primary, photoID); err != nil {
		return bad, err
	}
	if mg.Writes(FieldKeywords) {
		if err := setKeywords(ctx, tx, photoID, m.Keywords); err != nil {
			return bad, err
		}
	}
	if err := d.setFaces(ctx, tx, photoID, mg.Faces); err != nil {
		return bad, err
	}
	return bad, d.syncSearch(ctx, tx, photoID)
}

// editedList is the stored form of an edited set: sorted, comma-separated.
func editedList(m meta.EditedFields) string {
	list := make([]string, 0, len(m))
	for f, on := range m {
		if on {
			list = append(list, f)
		}
	}
	sort.Strings(list)
	return strings.Join(list, ",")
}

func setKeywords(ctx context.Context, tx *sql.Tx, photoID int64, kws []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM photo_keywords WHERE photo_id = ?`, photoID); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, k := range kws {
		k = strings.TrimSpace(k)
		if k == "" || len(k) > 200 || seen[strings.ToLower(k)] {
			continue
		}
		seen[strings.ToLower(k)] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO keywords (name) VALUES (?) ON CONFLICT(name) DO NOTHING`, k); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT OR IGNORE INTO photo_keywords (photo_id, keyword_id) SELECT ?, id FROM keywords WHERE name = ?`, photoID, k); err != nil {
			return err
		}
	}
	return nil
}

func nullFloat(f float64) sql.NullFloat64 { return sql.NullFloat64{Float64: f, Valid: f != 0} }
func nullInt(i int) sql.NullInt64         { return sql.NullInt64{Int64: int64(i), Valid: i != 0} }
