package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// PhotoFile is one file of a photo as the detail view lists it.
type PhotoFile struct {
	ID      int64  `json:"id"`
	Path    string `json:"path"`
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	MIME    string `json:"mime"`
	Kind    string `json:"kind"`
	Hash    string `json:"hash"`
	Primary bool   `json:"primary"`
	Missing bool   `json:"missing"`
}

// AlbumRef names an album a photo is in.
type AlbumRef struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
}

// PhotoDetail is a photo with everything around it.
type PhotoDetail struct {
	Photo    Photo       `json:"photo"`
	Keywords []string    `json:"keywords"`
	Albums   []AlbumRef  `json:"albums"`
	Edited   []string    `json:"edited"`
	Files    []PhotoFile `json:"files"`
}

// PhotoDetail loads a photo with its files, keywords and albums. A photo
// r may not see is ErrNotFound, as if it did not exist.
func (d *DB) PhotoDetail(ctx context.Context, id int64, r Reader) (PhotoDetail, error) {
	var out PhotoDetail
	p, err := d.PhotoByID(ctx, id)
	if err != nil {
		return out, err
	}
	var edited string
	var removed bool
	if err := d.sql.QueryRowContext(ctx, `SELECT edited, removed FROM photos WHERE id = ?`, id).Scan(&edited, &removed); err != nil {
		return out, err
	}
	if !r.mayOpen(p, removed) {
		return out, fmt.Errorf("photo %d: %w", id, ErrNotFound)
	}
	if p.OwnerUser != nil {
		if ok, err := d.canSee(ctx, id, r); err != nil {
			return out, err
		} else if !ok {
			return out, fmt.Errorf("photo %d: %w", id, ErrNotFound)
		}
	}
	if r.Kind == Visitor {
		if ok, err := d.sharedPhoto(ctx, r.Album, id); err != nil {
			return out, err
		} else if !ok {
			return out, fmt.Errorf("photo %d is not in this album: %w", id, ErrNotFound)
		}
	}
	out.Photo = p
	out.Edited = []string{}
	for f := range editedSet(edited) {
		out.Edited = append(out.Edited, f)
	}
	sort.Strings(out.Edited)
	out.Keywords, err = queryStrings(ctx, d.sql, `SELECT k.name FROM photo_keywords pk JOIN keywords k ON k.id = pk.keyword_id
		WHERE pk.photo_id = ? ORDER BY k.name`, id)
	if err != nil {
		return out, err
	}
	rows, err := d.sql.QueryContext(ctx, `SELECT a.id, a.title FROM album_photos ap JOIN albums a ON a.id = ap.album_id
		WHERE ap.photo_id = ? ORDER BY a.title`, id)
	if err != nil {
		return out, err
	}
	out.Albums = []AlbumRef{}
	for rows.Next() {
		var a AlbumRef
		if err := rows.Scan(&a.ID, &a.Title); err != nil {
			rows.Close()
			return out, err
		}
		out.Albums = append(out.Albums, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	rows, err = d.sql.QueryContext(ctx, `SELECT id, path, name, size, mime, kind, hash, is_primary, missing
		FROM files WHERE photo_id = ? ORDER BY is_primary DESC, path`, id)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	out.Files = []PhotoFile{}
	for rows.Next() {
		var f PhotoFile
		if err := rows.Scan(&f.ID, &f.Path, &f.Name, &f.Size, &f.MIME, &f.Kind, &f.Hash, &f.Primary, &f.Missing); err != nil {
			return out, err
		}
		out.Files = append(out.Files, f)
	}
	return out, rows.Err()
}

func queryStrings(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, stmt string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// PhotoEdit is a user's change to a photo; nil fields stay as they are.
type PhotoEdit struct {
	Title       *string
	Description *string
	Keywords    *[]string
	Favorite    *bool
	Private     *bool
	Archived    *bool
	// SetTaken changes the taken time to TakenLocal (wall clock, TimeLayout)
	// with TakenOffset minutes east of UTC (nil: zone unknown).
	SetTaken    bool
	TakenLocal  string
	TakenOffset *int
	// SetLocation changes the position; Lat and Lng nil remove it.
	SetLocation bool
	Lat, Lng    *float64
	// Rating sets the star rating: 0 to 5, or -1 for rejected, as
	// xmp:Rating has it.
	Rating *int
}

// EditPhoto applies a user's edit. Every metadata field it touches is
// recorded in photos.edited so re-indexing never overwrites it, with the
// time in photos.edited_at (the newer of an edit and a change another
// program makes in a sidecar wins); the full-text row is rewritten, and
// the OnEdited hook is told.
func (d *DB) EditPhoto(ctx context.Context, id int64, e PhotoEdit) error {
	var set []string
	var args []any
	var fields []string
	if e.Title != nil {
		if utf8.RuneCountInString(*e.Title) > 500 {
			return fmt.Errorf("title is longer than 500 characters: %w", ErrInvalid)
		}
		set, args, fields = append(set, "title = ?"), append(args, strings.TrimSpace(*e.Title)), append(fields, FieldTitle)
	}
	if e.Description != nil {
		if len(*e.Description) > 20000 {
			return fmt.Errorf("description is longer than 20000 bytes: %w", ErrInvalid)
		}
		set, args, fields = append(set, "description = ?"), append(args, *e.Description), append(fields, FieldDescription)
	}
	if e.Keywords != nil {
		if len(*e.Keywords) > 500 {
			return fmt.Errorf("more than 500 keywords: %w", ErrInvalid)
		}
		fields = append(fields, FieldKeywords)
	}
	if e.Rating != nil {
		if *e.Rating < -1 || *e.Rating > 5 {
			return fmt.Errorf("rating %d: want 0 to 5, or -1 for rejected: %w", *e.Rating, ErrInvalid)
		}
		set, args, fields = append(set, "rating = ?"), append(args, *e.Rating), append(fields, FieldRating)
	}
	for col, v := range map[string]*bool{"favorite": e.Favorite, "private": e.Private, "archived": e.Archived} {
		if v != nil {
			set, args = append(set, col+" = ?"), append(args, boolInt(*v))
		}
	}
	if e.SetTaken {
		local, err := time.ParseInLocation(TimeLayout, e.TakenLocal, time.UTC)
		if err != nil {
			return fmt.Errorf("taken time %q: want YYYY-MM-DD HH:MM:SS: %w", e.TakenLocal, ErrInvalid)
		}
		at := local
		var off sql.NullInt64
		if e.TakenOffset != nil {
			if *e.TakenOffset < -14*60 || *e.TakenOffset > 14*60 {
				return fmt.Errorf("zone offset %d minutes is out of range: %w", *e.TakenOffset, ErrInvalid)
			}
			off = sql.NullInt64{Int64: int64(*e.TakenOffset), Valid: true}
			at = local.Add(-time.Duration(*e.TakenOffset) * time.Minute)
		}
		set = append(set, "taken_at = ?", "taken_local = ?", "taken_offset = ?", "taken_source = 'manual'")
		args = append(args, formatTime(at), local.Format(TimeLayout), off)
		fields = append(fields, FieldTaken)
	}
	if e.SetLocation {
		var lat, lng sql.NullFloat64
		if (e.Lat == nil) != (e.Lng == nil) {
			return fmt.Errorf("location needs both lat and lng (or neither): %w", ErrInvalid)
		}
		if e.Lat != nil {
			if math.Abs(*e.Lat) > 90 || math.Abs(*e.Lng) > 180 || math.IsNaN(*e.Lat) || math.IsNaN(*e.Lng) {
				return fmt.Errorf("location out of range: %w", ErrInvalid)
			}
			lat, lng = sql.NullFloat64{Float64: *e.Lat, Valid: true}, sql.NullFloat64{Float64: *e.Lng, Valid: true}
		}
		// The place is cleared so the geocoder resolves the new position.
		set = append(set, "lat = ?", "lng = ?", "alt = NULL",
			"country_code = ''", "country = ''", "state = ''", "city = ''", "place_source = ''")
		args = append(args, lat, lng)
		fields = append(fields, FieldLocation)
	}
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var edited string
		err := tx.QueryRowContext(ctx, `SELECT edited FROM photos WHERE id = ?`, id).Scan(&edited)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("photo %d: %w", id, ErrNotFound)
		} else if err != nil {
			return err
		}
		m := editedSet(edited)
		for _, f := range fields {
			m[f] = true
		}
		now := d.stamp()
		set := append(set, "edited = ?", "updated_at = ?")
		args := append(args, editedList(m), now)
		if len(fields) > 0 {
			set, args = append(set, "edited_at = ?"), append(args, now)
		}
		args = append(args, id)
		if _, err := tx.ExecContext(ctx, `UPDATE photos SET `+strings.Join(set, ", ")+` WHERE id = ?`, args...); err != nil {
			return fmt.Errorf("edit photo: %w", err)
		}
		if e.Keywords != nil {
			if err := setKeywords(ctx, tx, id, *e.Keywords); err != nil {
				return fmt.Errorf("edit keywords: %w", err)
			}
		}
		return d.syncSearch(ctx, tx, id)
	})
	if err == nil && len(fields) > 0 && d.editedHook != nil {
		d.editedHook([]int64{id})
	}
	return err
}

// SetFlags sets favorite/private/archived on many photos at once and
// reports how many exist.
func (d *DB) SetFlags(ctx context.Context, ids []int64, flags map[string]bool) (int, error) {
	if len(ids) == 0 || len(ids) > 10000 {
		return 0, fmt.Errorf("give 1 to 10000 photo ids: %w", ErrInvalid)
	}
	var set []string
	var args []any
	for _, f := range []string{"favorite", "private", "archived"} {
		if v, ok := flags[f]; ok {
			set, args = append(set, f+" = ?"), append(args, boolInt(v))
		}
	}
	if len(set) == 0 {
		return 0, fmt.Errorf("no flag to set (favorite, private, archived): %w", ErrInvalid)
	}
	set, args = append(set, "updated_at = ?"), append(args, d.stamp())
	n := 0
	err := d.tx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `UPDATE photos SET `+strings.Join(set, ", ")+` WHERE id = ?`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, id := range ids {
			res, err := st.ExecContext(ctx, append(args, id)...)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	return n, err
}
