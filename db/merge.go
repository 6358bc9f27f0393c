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

// Editable photo fields. A field named in photos.edited was changed by a
// user and is never overwritten from file metadata.
const (
	FieldTitle       = "title"
	FieldDescription = "description"
	FieldKeywords    = "keywords"
	FieldTaken       = "taken"
	FieldLocation    = "location"
	FieldRating      = "rating"
)

func editedSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		if f != "" {
			m[f] = true
		}
	}
	return m
}

type fileMeta struct {
	id      int64
	kind    meta.Kind
	mime    string
	missing bool
	info    meta.Info
}

// kindRank orders the files of a stack for choosing the primary one:
// JPEG first, then other images, RAW, video; sidecars are never primary.
func kindRank(f *fileMeta) int {
	switch {
	case f.kind == meta.KindImage && f.mime == "image/jpeg":
		return 0
	case f.kind == meta.KindImage:
		return 1
	case f.kind == meta.KindRaw:
		return 2
	case f.kind == meta.KindVideo:
		return 3
	}
	return 9
}

// refreshPhoto merges a photo's metadata from its files again: the primary
// file (by kind, present files first) wins, gaps are filled from the others,
// a sidecar's XMP wins for what people write (title, description, keywords,
// rating), and fields a user edited are left alone.
func (d *DB) refreshPhoto(ctx context.Context, tx *sql.Tx, photoID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, mime, missing, meta FROM files WHERE photo_id = ?`, photoID)
	if err != nil {
		return err
	}
	var files []*fileMeta
	for rows.Next() {
		var f fileMeta
		var kind, js string
		if err := rows.Scan(&f.id, &kind, &f.mime, &f.missing, &js); err != nil {
			rows.Close()
			return err
		}
		f.kind = meta.Kind(kind)
		_ = json.Unmarshal([]byte(js), &f.info) // a bad blob only loses metadata
		files = append(files, &f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(files) == 0 {
		return nil
	}
	sort.SliceStable(files, func(i, j int) bool {
		a, b := files[i], files[j]
		if a.missing != b.missing {
			return !a.missing
		}
		if ra, rb := kindRank(a), kindRank(b); ra != rb {
			return ra < rb
		}
		return a.id < b.id
	})

	var media, side []*fileMeta
	for _, f := range files {
		if f.kind == meta.KindSidecar {
			side = append(side, f)
		} else {
			media = append(media, f)
		}
	}
	if len(media) == 0 {
		// Only sidecars left (their picture was removed): nothing to show.
		_, err := tx.ExecContext(ctx, `UPDATE photos SET missing = 1, primary_file_id = NULL WHERE id = ?`, photoID)
		return err
	}
	primary := media[0]
	m := primary.info
	for _, f := range media[1:] {
		fillGaps(&m, &f.info)
	}
	for _, s := range side {
		x := s.info
		if x.Title != "" {
			m.Title = x.Title
		}
		if x.Description != "" {
			m.Description = x.Description
		}
		if len(x.Keywords) > 0 {
			m.Keywords = x.Keywords
		}
		if x.Rating != 0 {
			m.Rating = x.Rating
		}
		if !m.HasGPS && x.HasGPS {
			m.HasGPS, m.Lat, m.Lng, m.Alt, m.HasAlt = true, x.Lat, x.Lng, x.Alt, x.HasAlt
		}
		// Only a date the sidecar's XMP states wins: a sidecar without one
		// is dated by its own name or modification time, and an editor
		// that wrote it today must not move the photo to today.
		if !x.Taken.IsZero() && x.TakenSource.Strength() > m.TakenSource.Strength() {
			m.Taken, m.HasOffset, m.TakenSource = x.Taken, x.HasOffset, x.TakenSource
		}
	}

	allMissing := true
	hasRaw, hasVideo, hasImage := false, false, false
	for _, f := range media {
		if !f.missing {
			allMissing = false
		}
		switch f.kind {
		case meta.KindRaw:
			hasRaw = true
		case meta.KindVideo:
			hasVideo = true
		case meta.KindImage:
			hasImage = true
		}
	}
	mediaType := "image"
	switch {
	case hasVideo && (hasImage || hasRaw):
		mediaType = "live"
	case hasVideo:
		mediaType = "video"
	case hasRaw:
		mediaType = "raw"
	}

	var editedStr string
	var oldLat, oldLng sql.NullFloat64
	if err := tx.QueryRowContext(ctx, `SELECT edited, lat, lng FROM photos WHERE id = ?`, photoID).Scan(&editedStr, &oldLat, &oldLng); err != nil {
		return fmt.Errorf("load photo: %w", err)
	}
	edited := editedSet(editedStr)

	set := []string{
		"media_type = ?", "make = ?", "model = ?", "lens = ?", "exposure_time = ?", "f_number = ?",
		"iso = ?", "focal_length = ?", "width = ?", "height = ?", "orientation = ?", "duration = ?",
		"missing = ?", "primary_file_id = ?", "updated_at = ?",
	}
	args := []any{
		mediaType, m.Make, m.Model, m.Lens, nullFloat(m.ExposureTime), nullFloat(m.FNumber),
		nullInt(m.ISO), nullFloat(m.FocalLength), m.DisplayWidth(), m.DisplayHeight(), m.Orientation, nullFloat(m.Duration),
		boolInt(allMissing), primary.id, d.stamp(),
	}
	if !edited[FieldTitle] {
		set, args = append(set, "title = ?"), append(args, m.Title)
	}
	if !edited[FieldDescription] {
		set, args = append(set, "description = ?"), append(args, m.Description)
	}
	if !edited[FieldRating] {
		set, args = append(set, "rating = ?"), append(args, m.Rating)
	}
	if !edited[FieldTaken] {
		t := takenColumns(&m)
		set = append(set, "taken_at = ?", "taken_local = ?", "taken_offset = ?", "taken_source = ?")
		args = append(args, t.at, t.local, t.offset, t.source)
	}
	if !edited[FieldLocation] {
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
		return fmt.Errorf("update photo: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE files SET is_primary = (id = ?) WHERE photo_id = ?`, primary.id, photoID); err != nil {
		return err
	}
	if !edited[FieldKeywords] {
		if err := setKeywords(ctx, tx, photoID, m.Keywords); err != nil {
			return err
		}
	}
	return d.syncSearch(ctx, tx, photoID)
}

// fillGaps copies into m what m lacks and o knows (RAW + JPEG: the RAW may
// carry the lens while the JPEG carries GPS).
func fillGaps(m, o *meta.Info) {
	if m.Make == "" {
		m.Make = o.Make
	}
	if m.Model == "" {
		m.Model = o.Model
	}
	if m.Lens == "" {
		m.Lens = o.Lens
	}
	if m.ExposureTime == 0 {
		m.ExposureTime = o.ExposureTime
	}
	if m.FNumber == 0 {
		m.FNumber = o.FNumber
	}
	if m.ISO == 0 {
		m.ISO = o.ISO
	}
	if m.FocalLength == 0 {
		m.FocalLength = o.FocalLength
	}
	if !m.HasGPS && o.HasGPS {
		m.HasGPS, m.Lat, m.Lng, m.Alt, m.HasAlt = true, o.Lat, o.Lng, o.Alt, o.HasAlt
	}
	if o.TakenSource.Strength() > m.TakenSource.Strength() {
		m.Taken, m.HasOffset, m.TakenSource = o.Taken, o.HasOffset, o.TakenSource
	}
	if m.Title == "" {
		m.Title = o.Title
	}
	if m.Description == "" {
		m.Description = o.Description
	}
	if len(m.Keywords) == 0 {
		m.Keywords = o.Keywords
	}
	if m.Duration == 0 {
		m.Duration = o.Duration
	}
	if m.Width == 0 {
		m.Width, m.Height, m.Orientation = o.Width, o.Height, o.Orientation
	}
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
