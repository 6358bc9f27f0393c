package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of one batch edit.
const (
	// MaxBatchPhotos is the most photos one batch edit changes.
	MaxBatchPhotos = 10000
	// MaxShift is the largest taken-time shift: two centuries either way
	// covers any wrong camera clock (a year of 1970 or 2099 included).
	MaxShift = 200 * 366 * 24 * time.Hour
	// maxBatchKeywords is how many keywords one batch adds or removes.
	maxBatchKeywords = 100
)

// Taken times must stay inside what the stored layout can hold and sort.
var (
	minTaken = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTaken = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// BatchEdit is one change made to many photos at once (a selection in the
// app). Absent parts (nil, false, zero, empty) leave the photos as they
// are. The taken-time parts apply in this order: the date, the zone, the
// shift. Every field it touches is recorded in photos.edited, as a single
// edit's are, so re-indexing and moved files keep it.
type BatchEdit struct {
	// SetTaken sets every photo's wall-clock taken time to TakenLocal
	// (TimeLayout); each photo keeps its zone, so the instants follow.
	SetTaken   bool
	TakenLocal string
	// SetZone sets the zone the taken time was recorded in: ZoneOffset
	// minutes east of UTC, nil for unknown. The wall clock stays and the
	// instant moves, as in a single edit.
	SetZone    bool
	ZoneOffset *int
	// Shift moves each photo's taken time, wall clock and instant alike
	// (a camera clock that was wrong by this much); each keeps its zone.
	// Whole seconds; 0 is no shift.
	Shift time.Duration
	// SetLocation sets the position, or with Lat and Lng nil removes it.
	// Place, when given, is the place of that position (picked by name),
	// stored at once; otherwise the place is resolved in the background.
	SetLocation bool
	Lat, Lng    *float64
	Place       *PlaceFix
	// KeywordsAdd and KeywordsRemove change each photo's keywords and
	// leave its others; adding one it has, or removing one it lacks, does
	// nothing.
	KeywordsAdd, KeywordsRemove []string
	// Title and Description set the text ("" clears it).
	Title, Description *string
	// Rating sets the stars: 0 to 5, or -1 for rejected (xmp:Rating).
	Rating *int
}

// validate checks e on its own and returns it cleaned (keywords trimmed
// and de-duplicated) with the edited fields it touches.
func (e BatchEdit) validate() (BatchEdit, []string, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf(format+": %w", append(args, ErrInvalid)...)
	}
	var fields []string
	if e.SetTaken {
		t, err := time.ParseInLocation(TimeLayout, e.TakenLocal, time.UTC)
		if err != nil {
			return e, nil, bad("taken time %q: want YYYY-MM-DD HH:MM:SS", e.TakenLocal)
		}
		e.TakenLocal = t.Format(TimeLayout)
	}
	if e.SetZone && e.ZoneOffset != nil && (*e.ZoneOffset < -14*60 || *e.ZoneOffset > 14*60) {
		return e, nil, bad("zone offset %d minutes: want -840 to 840", *e.ZoneOffset)
	}
	if e.Shift%time.Second != 0 {
		return e, nil, bad("shift %v: want whole seconds", e.Shift)
	}
	if e.Shift > MaxShift || e.Shift < -MaxShift {
		return e, nil, bad("shift of %d seconds: at most %d either way (200 years)", int64(e.Shift/time.Second), int64(MaxShift/time.Second))
	}
	if e.SetTaken && e.Shift != 0 {
		return e, nil, bad("give a date or a shift, not both")
	}
	if e.SetTaken || e.SetZone || e.Shift != 0 {
		fields = append(fields, FieldTaken)
	}
	if e.SetLocation {
		if (e.Lat == nil) != (e.Lng == nil) {
			return e, nil, bad("location needs both lat and lng (or neither)")
		}
		if e.Lat != nil && !(finite(*e.Lat, *e.Lng) && math.Abs(*e.Lat) <= 90 && math.Abs(*e.Lng) <= 180) {
			return e, nil, bad("location %v, %v: want latitude -90 to 90 and longitude -180 to 180", *e.Lat, *e.Lng)
		}
		if e.Place != nil && e.Lat == nil {
			return e, nil, bad("a place needs its position")
		}
		fields = append(fields, FieldLocation)
	} else if e.Place != nil {
		return e, nil, bad("a place needs its position")
	}
	var err error
	if e.KeywordsAdd, err = cleanKeywords("keywords_add", e.KeywordsAdd); err != nil {
		return e, nil, err
	}
	if e.KeywordsRemove, err = cleanKeywords("keywords_remove", e.KeywordsRemove); err != nil {
		return e, nil, err
	}
	for _, k := range e.KeywordsAdd {
		if slices.ContainsFunc(e.KeywordsRemove, func(r string) bool { return strings.EqualFold(r, k) }) {
			return e, nil, bad("keyword %q is both added and removed", k)
		}
	}
	if len(e.KeywordsAdd) > 0 || len(e.KeywordsRemove) > 0 {
		fields = append(fields, FieldKeywords)
	}
	if e.Title != nil {
		t := strings.TrimSpace(*e.Title)
		if utf8.RuneCountInString(t) > 500 {
			return e, nil, bad("title is longer than 500 characters")
		}
		e.Title = &t
		fields = append(fields, FieldTitle)
	}
	if e.Description != nil {
		if len(*e.Description) > 20000 {
			return e, nil, bad("description is longer than 20000 bytes")
		}
		fields = append(fields, FieldDescription)
	}
	if e.Rating != nil {
		if *e.Rating < -1 || *e.Rating > 5 {
			return e, nil, bad("rating %d: want 0 to 5, or -1 for rejected", *e.Rating)
		}
		fields = append(fields, FieldRating)
	}
	if len(fields) == 0 {
		return e, nil, bad("nothing to change")
	}
	return e, fields, nil
}

// cleanKeywords trims keywords, drops empty ones and repeats (keywords
// compare without case, as the keywords table does) and refuses long ones.
func cleanKeywords(what string, kws []string) ([]string, error) {
	if len(kws) > maxBatchKeywords {
		return nil, fmt.Errorf("%s: at most %d keywords: %w", what, maxBatchKeywords, ErrInvalid)
	}
	var out []string
	for _, k := range kws {
		k = strings.TrimSpace(k)
		if k == "" || slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, k) }) {
			continue
		}
		if utf8.RuneCountInString(k) > 200 {
			return nil, fmt.Errorf("%s: keyword %.20q… is longer than 200 characters: %w", what, k, ErrInvalid)
		}
		out = append(out, k)
	}
	return out, nil
}

// batchPhoto is what a batch edit needs of a photo before changing it.
type batchPhoto struct {
	id     int64
	edited string
	local  string
	offset sql.NullInt64
}

// BatchEditPhotos applies e to the photos ids in one transaction: either
// every photo changes or none does. Photos r may not see count as absent;
// any absent id fails the whole batch with ErrNotFound naming it. It
// returns how many photos changed, and tells the OnEdited hook which.
//
// The work is done set-wise (one statement per kind of change over all
// the photos), so 10,000 photos take about a second on a Pi-class machine
// and the write lock is held that long; readers are not blocked meanwhile
// (WAL).
func (d *DB) BatchEditPhotos(ctx context.Context, ids []int64, e BatchEdit, r Reader) (int, error) {
	e, fields, err := e.validate()
	if err != nil {
		return 0, err
	}
	ids = uniqueIDs(ids)
	if len(ids) == 0 || len(ids) > MaxBatchPhotos {
		return 0, fmt.Errorf("give 1 to %d photo ids: %w", MaxBatchPhotos, ErrInvalid)
	}
	if ids[0] < 1 {
		return 0, fmt.Errorf("photo id %d: %w", ids[0], ErrInvalid)
	}
	list, _ := json.Marshal(ids)
	inIDs := `id IN (SELECT value FROM json_each(?))`
	taken := e.SetTaken || e.SetZone || e.Shift != 0
	err = d.tx(ctx, func(tx *sql.Tx) error {
		photos, err := batchPhotos(ctx, tx, string(list), r)
		if err != nil {
			return err
		}
		if len(photos) != len(ids) {
			return absentIDs(ids, photos)
		}
		now := d.stamp()
		set := []string{"updated_at = ?", "edited_at = ?"}
		args := []any{now, now}
		if e.Title != nil {
			set, args = append(set, "title = ?"), append(args, *e.Title)
		}
		if e.Description != nil {
			set, args = append(set, "description = ?"), append(args, *e.Description)
		}
		if e.Rating != nil {
			set, args = append(set, "rating = ?"), append(args, *e.Rating)
		}
		if e.SetLocation {
			var lat, lng sql.NullFloat64
			if e.Lat != nil {
				lat, lng = sql.NullFloat64{Float64: *e.Lat, Valid: true}, sql.NullFloat64{Float64: *e.Lng, Valid: true}
			}
			pl := PlaceFix{}
			if e.Place != nil {
				pl = *e.Place
			}
			// Without a place the geocoder resolves the new position.
			set = append(set, "lat = ?", "lng = ?", "alt = NULL", "country_code = ?", "country = ?", "state = ?", "city = ?", "place_source = ?")
			args = append(args, lat, lng, pl.CountryCode, pl.Country, pl.State, pl.City, pl.Source)
		}
		args = append(args, string(list))
		if _, err := tx.ExecContext(ctx, `UPDATE photos SET `+strings.Join(set, ", ")+` WHERE `+inIDs, args...); err != nil {
			return fmt.Errorf("batch edit photos: %w", err)
		}
		if err := markEdited(ctx, tx, photos, fields); err != nil {
			return err
		}
		if taken {
			if err := batchTaken(ctx, tx, photos, e); err != nil {
				return err
			}
		}
		if err := batchKeywords(ctx, tx, string(list), e.KeywordsAdd, e.KeywordsRemove); err != nil {
			return err
		}
		// The full-text row holds the text fields and place, and its key
		// the taken time; the rating is not in it.
		if taken || e.SetLocation || e.Title != nil || e.Description != nil || len(e.KeywordsAdd)+len(e.KeywordsRemove) > 0 {
			return syncSearchMany(ctx, tx, string(list))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if d.editedHook != nil {
		d.editedHook(ids)
	}
	return len(ids), nil
}

// uniqueIDs sorts ids and drops repeats.
func uniqueIDs(ids []int64) []int64 {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return slices.Compact(ids)
}

// batchPhotos loads the photos of list (a JSON array of ids) that r may see.
func batchPhotos(ctx context.Context, tx *sql.Tx, list string, r Reader) ([]batchPhoto, error) {
	rows, err := tx.QueryContext(ctx, `SELECT p.id, p.edited, p.taken_local, p.taken_offset FROM photos p
		WHERE p.id IN (SELECT value FROM json_each(?)) AND `+r.readCond(), list)
	if err != nil {
		return nil, fmt.Errorf("load photos: %w", err)
	}
	defer rows.Close()
	var out []batchPhoto
	for rows.Next() {
		var p batchPhoto
		if err := rows.Scan(&p.id, &p.edited, &p.local, &p.offset); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// absentIDs is the error for ids (sorted) that photos (found) lacks.
func absentIDs(ids []int64, photos []batchPhoto) error {
	found := make(map[int64]bool, len(photos))
	for _, p := range photos {
		found[p.id] = true
	}
	var miss []string
	n := 0
	for _, id := range ids {
		if !found[id] {
			if n++; n <= 5 {
				miss = append(miss, fmt.Sprint(id))
			}
		}
	}
	more := ""
	if n > 5 {
		more = fmt.Sprintf(" and %d more", n-5)
	}
	return fmt.Errorf("photo %s%s: %w; nothing was changed", strings.Join(miss, ", "), more, ErrNotFound)
}

// markEdited adds fields to each photo's edited list. Photos share few
// distinct lists, so it is one statement per list.
func markEdited(ctx context.Context, tx *sql.Tx, photos []batchPhoto, fields []string) error {
	groups := map[string][]int64{}
	for _, p := range photos {
		groups[p.edited] = append(groups[p.edited], p.id)
	}
	for old, ids := range groups {
		m := editedSet(old)
		for _, f := range fields {
			m[f] = true
		}
		if next := editedList(m); next != old {
			list, _ := json.Marshal(ids)
			if _, err := tx.ExecContext(ctx, `UPDATE photos SET edited = ? WHERE id IN (SELECT value FROM json_each(?))`, next, string(list)); err != nil {
				return fmt.Errorf("mark edited: %w", err)
			}
		}
	}
	return nil
}

// batchTaken sets each photo's taken time. The arithmetic is on the wall
// clock and the fixed offset stored with it, never on a named zone, so a
// shift across a daylight-saving change moves every photo by exactly the
// shift: a camera clock that was an hour off was an hour off all trip.
func batchTaken(ctx context.Context, tx *sql.Tx, photos []batchPhoto, e BatchEdit) error {
	st, err := tx.PrepareContext(ctx, `UPDATE photos SET taken_at = ?, taken_local = ?, taken_offset = ?, taken_source = 'manual' WHERE id = ?`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, p := range photos {
		local, err := time.ParseInLocation(TimeLayout, p.local, time.UTC)
		if err != nil && !e.SetTaken {
			return fmt.Errorf("photo %d has no taken time to change (%q); set a date instead: %w", p.id, p.local, ErrInvalid)
		}
		if e.SetTaken {
			local, _ = time.ParseInLocation(TimeLayout, e.TakenLocal, time.UTC)
		}
		off := p.offset
		if e.SetZone {
			off = sql.NullInt64{}
			if e.ZoneOffset != nil {
				off = sql.NullInt64{Int64: int64(*e.ZoneOffset), Valid: true}
			}
		}
		local = local.Add(e.Shift)
		at := local
		if off.Valid {
			at = local.Add(-time.Duration(off.Int64) * time.Minute)
		}
		if local.Before(minTaken) || local.After(maxTaken) || at.Before(minTaken) || at.After(maxTaken) {
			return fmt.Errorf("photo %d would be taken at %s, outside years 1 to 9999; nothing was changed: %w",
				p.id, local.Format(TimeLayout), ErrInvalid)
		}
		if _, err := st.ExecContext(ctx, formatTime(at), local.Format(TimeLayout), off, p.id); err != nil {
			return fmt.Errorf("set taken time: %w", err)
		}
	}
	return nil
}

// batchKeywords adds and removes keywords of the photos of list.
func batchKeywords(ctx context.Context, tx *sql.Tx, list string, add, remove []string) error {
	for _, k := range add {
		if _, err := tx.ExecContext(ctx, `INSERT INTO keywords (name) VALUES (?) ON CONFLICT(name) DO NOTHING`, k); err != nil {
			return fmt.Errorf("add keyword: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO photo_keywords (photo_id, keyword_id)
			SELECT j.value, k.id FROM json_each(?1) j, keywords k WHERE k.name = ?2`, list, k); err != nil {
			return fmt.Errorf("add keyword: %w", err)
		}
	}
	for _, k := range remove {
		if _, err := tx.ExecContext(ctx, `DELETE FROM photo_keywords
			WHERE photo_id IN (SELECT value FROM json_each(?1)) AND keyword_id = (SELECT id FROM keywords WHERE name = ?2)`, list, k); err != nil {
			return fmt.Errorf("remove keyword: %w", err)
		}
	}
	return nil
}

// syncSearchMany is syncSearch for the photos of list (a JSON array of
// ids), a statement for all of them at each step rather than three per
// photo. New rows go in in key order: FTS5 flushes its pending data
// whenever a rowid arrives out of order.
func syncSearchMany(ctx context.Context, tx *sql.Tx, list string) error {
	var maxID int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(value), 0) FROM json_each(?)`, list).Scan(&maxID); err != nil {
		return err
	}
	if maxID > searchIDMask {
		return fmt.Errorf("photo id %d does not fit the search index (at most %d photos)", maxID, searchIDMask)
	}
	in := `SELECT value FROM json_each(?)`
	if _, err := tx.ExecContext(ctx, `DELETE FROM photos_fts WHERE rowid IN (SELECT search_key FROM photos
		WHERE search_key <> 0 AND id IN (`+in+`))`, list); err != nil {
		return fmt.Errorf("rewrite search rows: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE photos SET search_key = `+searchKey("taken_at", "id")+` WHERE id IN (`+in+`)`, list); err != nil {
		return fmt.Errorf("rewrite search rows: %w", err)
	}
	if _, err := tx.ExecContext(ctx, insertSearchRows(`p.id IN (`+in+`) ORDER BY p.search_key`), list); err != nil {
		return fmt.Errorf("rewrite search rows: %w", err)
	}
	return nil
}
