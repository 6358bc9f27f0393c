package db

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// batchLib is a small synthetic library whose first photos are set up
// with known times, zones, places and keywords.
func batchLib(t testing.TB, n int) (*DB, []int64) {
	t.Helper()
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	d.SetClock(func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) })
	if err := d.InsertSynthetic(ctx, n, 3); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	rows, err := d.sql.QueryContext(ctx, `SELECT id FROM photos ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	return d, ids
}

// batchState is what a batch edit may change of one photo, for comparing.
type batchState struct {
	Local, At, Source    string
	Offset               string // "nil" or minutes
	Lat, Lng             string
	City, PlaceSrc       string
	Title, Desc          string
	Rating               int
	Keywords             string
	Edited, EditedAt     string
	SearchKey, FTSRowsOf int64
}

func stateOf(t *testing.T, d *DB, id int64) batchState {
	t.Helper()
	ctx := context.Background()
	p, err := d.PhotoByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	s := batchState{Local: p.TakenLocal, At: p.TakenAt, Source: p.TakenSource, Offset: "nil", Lat: "nil", Lng: "nil",
		City: p.City, PlaceSrc: p.PlaceSource, Title: p.Title, Desc: p.Description, Rating: p.Rating}
	if p.TakenOffset != nil {
		s.Offset = fmt.Sprint(*p.TakenOffset)
	}
	if p.Lat != nil {
		s.Lat, s.Lng = fmt.Sprintf("%.5f", *p.Lat), fmt.Sprintf("%.5f", *p.Lng)
	}
	kws, err := queryStrings(ctx, d.sql, `SELECT k.name FROM photo_keywords pk JOIN keywords k ON k.id = pk.keyword_id WHERE pk.photo_id = ? ORDER BY k.name COLLATE NOCASE`, id)
	if err != nil {
		t.Fatal(err)
	}
	s.Keywords = strings.Join(kws, ",")
	if err := d.sql.QueryRowContext(ctx, `SELECT edited, edited_at, search_key FROM photos WHERE id = ?`, id).Scan(&s.Edited, &s.EditedAt, &s.SearchKey); err != nil {
		t.Fatal(err)
	}
	if err := d.sql.QueryRowContext(ctx, `SELECT count(*) FROM photos_fts WHERE rowid & ? = ?`, searchIDMask, id).Scan(&s.FTSRowsOf); err != nil {
		t.Fatal(err)
	}
	return s
}

// setUp gives a photo a known taken time, zone and keywords.
func setUp(t *testing.T, d *DB, id int64, local string, offset *int, kws ...string) {
	t.Helper()
	e := PhotoEdit{SetTaken: true, TakenLocal: local, TakenOffset: offset}
	if kws != nil {
		e.Keywords = &kws
	}
	if err := d.EditPhoto(context.Background(), id, e); err != nil {
		t.Fatal(err)
	}
}

func TestBatchEditKinds(t *testing.T) {
	ctx := context.Background()
	cet, cest, jst := ptrTo(60), ptrTo(120), ptrTo(540)
	type photo struct {
		local  string
		offset *int
		kws    []string
	}
	cases := []struct {
		name   string
		photos []photo
		edit   BatchEdit
		// want checks each photo's state after (i is its index in photos).
		want func(t *testing.T, i int, before, after batchState)
	}{
		{
			name:   "shift +1 h 30 min keeps each zone",
			photos: []photo{{"2019-07-02 13:14:03", cest, nil}, {"2019-07-02 20:00:00", jst, nil}, {"2019-12-31 23:00:00", nil, nil}},
			edit:   BatchEdit{Shift: 90 * time.Minute},
			want: func(t *testing.T, i int, b, a batchState) {
				wantLocal := []string{"2019-07-02 14:44:03", "2019-07-02 21:30:00", "2020-01-01 00:30:00"}[i]
				wantAt := []string{"2019-07-02 12:44:03", "2019-07-02 12:30:00", "2020-01-01 00:30:00"}[i]
				if a.Local != wantLocal || a.At != wantAt || a.Offset != b.Offset || a.Source != "manual" {
					t.Errorf("local %s at %s offset %s source %s; want %s at %s offset %s manual", a.Local, a.At, a.Offset, a.Source, wantLocal, wantAt, b.Offset)
				}
			},
		},
		{
			name:   "shift −1 day 2 h across a month and a leap day",
			photos: []photo{{"2020-03-01 01:00:00", cet, nil}, {"2021-03-01 01:00:00", cet, nil}},
			edit:   BatchEdit{Shift: -26 * time.Hour},
			want: func(t *testing.T, i int, b, a batchState) {
				wantLocal := []string{"2020-02-28 23:00:00", "2021-02-27 23:00:00"}[i]
				if a.Local != wantLocal || a.Offset != "60" {
					t.Errorf("local %s offset %s, want %s +60", a.Local, a.Offset, wantLocal)
				}
			},
		},
		{
			// A camera set to winter time, an hour slow, through the spring
			// and autumn changes: every photo moves by exactly the shift,
			// and keeps the offset it was recorded with (the arithmetic
			// never consults a named zone).
			name: "shift across daylight-saving changes moves every photo by the shift",
			photos: []photo{{"2019-03-31 01:30:00", cet, nil}, {"2019-03-31 03:30:00", cest, nil},
				{"2019-10-27 02:30:00", cest, nil}, {"2019-10-27 02:30:00", cet, nil}},
			edit: BatchEdit{Shift: time.Hour},
			want: func(t *testing.T, i int, b, a batchState) {
				bl, _ := time.Parse(TimeLayout, b.Local)
				ba, _ := time.Parse(TimeLayout, b.At)
				al, _ := time.Parse(TimeLayout, a.Local)
				aa, _ := time.Parse(TimeLayout, a.At)
				if al.Sub(bl) != time.Hour || aa.Sub(ba) != time.Hour || a.Offset != b.Offset {
					t.Errorf("%s %s → %s %s (offset %s → %s): want both +1 h and the same offset", b.Local, b.At, a.Local, a.At, b.Offset, a.Offset)
				}
			},
		},
		{
			name:   "zone change keeps the wall clock and moves the instant",
			photos: []photo{{"2019-07-02 13:14:03", cest, nil}, {"2019-07-02 13:14:03", nil, nil}},
			edit:   BatchEdit{SetZone: true, ZoneOffset: ptrTo(-330)},
			want: func(t *testing.T, i int, b, a batchState) {
				if a.Local != "2019-07-02 13:14:03" || a.At != "2019-07-02 18:44:03" || a.Offset != "-330" {
					t.Errorf("local %s at %s offset %s; want the same wall clock, at 18:44:03, −330", a.Local, a.At, a.Offset)
				}
			},
		},
		{
			name:   "zone set to unknown",
			photos: []photo{{"2019-07-02 13:14:03", cest, nil}},
			edit:   BatchEdit{SetZone: true},
			want: func(t *testing.T, i int, b, a batchState) {
				if a.Local != "2019-07-02 13:14:03" || a.At != "2019-07-02 13:14:03" || a.Offset != "nil" {
					t.Errorf("local %s at %s offset %s; want the wall clock as the instant, no offset", a.Local, a.At, a.Offset)
				}
			},
		},
		{
			name:   "set a date: one wall clock for all, each keeps its zone",
			photos: []photo{{"2019-07-02 13:14:03", cest, nil}, {"2001-01-01 00:00:00", jst, nil}},
			edit:   BatchEdit{SetTaken: true, TakenLocal: "2020-02-29 12:00:00"},
			want: func(t *testing.T, i int, b, a batchState) {
				wantAt := []string{"2020-02-29 10:00:00", "2020-02-29 03:00:00"}[i]
				if a.Local != "2020-02-29 12:00:00" || a.At != wantAt || a.Offset != b.Offset {
					t.Errorf("local %s at %s offset %s; want 2020-02-29 12:00:00 at %s offset %s", a.Local, a.At, a.Offset, wantAt, b.Offset)
				}
			},
		},
		{
			name:   "set a date and a zone",
			photos: []photo{{"2019-07-02 13:14:03", cest, nil}},
			edit:   BatchEdit{SetTaken: true, TakenLocal: "2020-02-29 12:00:00", SetZone: true, ZoneOffset: ptrTo(0)},
			want: func(t *testing.T, i int, b, a batchState) {
				if a.Local != "2020-02-29 12:00:00" || a.At != "2020-02-29 12:00:00" || a.Offset != "0" {
					t.Errorf("local %s at %s offset %s", a.Local, a.At, a.Offset)
				}
			},
		},
		{
			name:   "location clicked on a map: the place waits for the geocoder",
			photos: []photo{{"2019-07-02 13:14:03", nil, nil}, {"2019-07-02 13:14:03", nil, nil}},
			edit:   BatchEdit{SetLocation: true, Lat: ptrTo(-33.8568), Lng: ptrTo(151.2153)},
			want: func(t *testing.T, i int, b, a batchState) {
				if a.Lat != "-33.85680" || a.Lng != "151.21530" || a.City != "" || a.PlaceSrc != "" || !strings.Contains(a.Edited, "location") {
					t.Errorf("%+v", a)
				}
			},
		},
		{
			name:   "location of a place picked by name is stored with the place",
			photos: []photo{{"2019-07-02 13:14:03", nil, nil}},
			edit: BatchEdit{SetLocation: true, Lat: ptrTo(38.71667), Lng: ptrTo(-9.13333),
				Place: &PlaceFix{CountryCode: "PT", Country: "Portugal", State: "Lisbon", City: "Lisbon", Source: "offline"}},
			want: func(t *testing.T, i int, b, a batchState) {
				if a.Lat != "38.71667" || a.City != "Lisbon" || a.PlaceSrc != "offline" {
					t.Errorf("%+v", a)
				}
			},
		},
		{
			name:   "location removed",
			photos: []photo{{"2019-07-02 13:14:03", nil, nil}},
			edit:   BatchEdit{SetLocation: true},
			want: func(t *testing.T, i int, b, a batchState) {
				if a.Lat != "nil" || a.City != "" || !strings.Contains(a.Edited, "location") {
					t.Errorf("%+v", a)
				}
			},
		},
		{
			name:   "keywords added keep the others and are not doubled",
			photos: []photo{{"2019-07-02 13:14:03", nil, []string{"Beach", "dog"}}, {"2019-07-02 13:14:03", nil, nil}},
			edit:   BatchEdit{KeywordsAdd: []string{" beach ", "Sunset", "sunset", ""}},
			want: func(t *testing.T, i int, b, a batchState) {
				// "beach" exists (as "Beach") in the keywords table: the
				// photo gets that keyword, spelled as first stored.
				want := []string{"Beach,dog,Sunset", "Beach,Sunset"}[i]
				if a.Keywords != want || !strings.Contains(a.Edited, "keywords") {
					t.Errorf("keywords %q edited %q, want %q", a.Keywords, a.Edited, want)
				}
			},
		},
		{
			name:   "keywords removed, absent ones ignored",
			photos: []photo{{"2019-07-02 13:14:03", nil, []string{"beach", "dog"}}, {"2019-07-02 13:14:03", nil, []string{"cat"}}},
			edit:   BatchEdit{KeywordsRemove: []string{"BEACH", "never-used"}},
			want: func(t *testing.T, i int, b, a batchState) {
				want := []string{"dog", "cat"}[i]
				if a.Keywords != want {
					t.Errorf("keywords %q, want %q", a.Keywords, want)
				}
			},
		},
		{
			name:   "title and description",
			photos: []photo{{"2019-07-02 13:14:03", nil, nil}, {"2019-07-02 13:14:03", nil, nil}},
			edit:   BatchEdit{Title: ptrTo("  Lisbon trip "), Description: ptrTo("Summer 2019")},
			want: func(t *testing.T, i int, b, a batchState) {
				if a.Title != "Lisbon trip" || a.Desc != "Summer 2019" || a.Edited != "description,taken,title" {
					t.Errorf("title %q desc %q edited %q", a.Title, a.Desc, a.Edited)
				}
			},
		},
		{
			name:   "rating",
			photos: []photo{{"2019-07-02 13:14:03", nil, nil}, {"2019-07-02 13:14:03", nil, nil}},
			edit:   BatchEdit{Rating: ptrTo(4)},
			want: func(t *testing.T, i int, b, a batchState) {
				if a.Rating != 4 || !strings.Contains(a.Edited, "rating") || a.SearchKey != b.SearchKey {
					t.Errorf("rating %d edited %q", a.Rating, a.Edited)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, all := batchLib(t, 12)
			ids := all[:len(c.photos)]
			for i, p := range c.photos {
				setUp(t, d, ids[i], p.local, p.offset, p.kws...)
			}
			other := stateOf(t, d, all[len(all)-1])
			before := make([]batchState, len(ids))
			for i, id := range ids {
				before[i] = stateOf(t, d, id)
			}
			var told []int64
			d.OnEdited(func(ids []int64) { told = append(told, ids...) })
			n, err := d.BatchEditPhotos(ctx, append(slices.Clone(ids), ids[0]), c.edit, Reader{Kind: Owner})
			if err != nil || n != len(ids) {
				t.Fatalf("batch edit: %d, %v; want %d", n, err, len(ids))
			}
			for i, id := range ids {
				a := stateOf(t, d, id)
				c.want(t, i, before[i], a)
				if a.EditedAt != "2026-03-01 12:00:00" {
					t.Errorf("edited_at %q, want the edit's time", a.EditedAt)
				}
				if a.FTSRowsOf != 1 {
					t.Errorf("photo %d has %d full-text rows, want 1", id, a.FTSRowsOf)
				}
			}
			if got := stateOf(t, d, all[len(all)-1]); got != other {
				t.Errorf("a photo outside the batch changed: %+v → %+v", other, got)
			}
			if !slices.Equal(told, ids) {
				t.Errorf("the edited hook was told %v, want %v", told, ids)
			}
		})
	}
}

// The full-text index follows a batch: the new title and keyword find the
// photos, shifted photos are found in their new timeline place, and no
// photo is left with a stale or a second row.
func TestBatchEditKeepsSearchRight(t *testing.T) {
	ctx := context.Background()
	d, ids := batchLib(t, 300)
	sel := ids[:50]
	if _, err := d.BatchEditPhotos(ctx, sel, BatchEdit{Title: ptrTo("Zanzibar"), KeywordsAdd: []string{"snorkelling"},
		Shift: -10 * 366 * 24 * time.Hour}, Reader{Kind: Owner}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"zanzibar", "snorkel"} {
		var got []int64
		cur := ""
		for {
			p, err := d.SearchPhotos(ctx, PhotoQuery{Reader: ownerReader, Text: q, Limit: 7, Cursor: cur, Archived: ptrTo(false), Missing: ptrTo(false)})
			if err != nil {
				t.Fatal(err)
			}
			for i, ph := range p.Photos {
				got = append(got, ph.ID)
				if i > 0 && p.Photos[i-1].TakenAt < ph.TakenAt {
					t.Fatalf("%q: results out of timeline order", q)
				}
			}
			if cur = p.Next; cur == "" {
				break
			}
		}
		var want []int64
		for _, id := range sel {
			if p, _ := d.PhotoByID(ctx, id); !p.Archived {
				want = append(want, id)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("%q finds %d photos, want the %d edited", q, len(got), len(want))
		}
	}
	var rows, photos, stale int
	d.sql.QueryRow(`SELECT count(*) FROM photos_fts`).Scan(&rows)
	d.sql.QueryRow(`SELECT count(*) FROM photos`).Scan(&photos)
	d.sql.QueryRow(`SELECT count(*) FROM photos WHERE search_key NOT IN (SELECT rowid FROM photos_fts)`).Scan(&stale)
	if rows != photos || stale != 0 {
		t.Fatalf("%d full-text rows for %d photos, %d photos without their row", rows, photos, stale)
	}
}

// Bad input is refused with a clear error and changes nothing, however
// many photos were fine: a batch is all or nothing.
func TestBatchEditRefusesAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	d, ids := batchLib(t, 12)
	setUp(t, d, ids[0], "2019-07-02 13:14:03", ptrTo(60))
	setUp(t, d, ids[1], "9999-12-31 12:00:00", nil)
	setUp(t, d, ids[2], "0001-01-01 06:00:00", ptrTo(0))
	all := ids[:4]
	snap := func() []batchState {
		var out []batchState
		for _, id := range ids {
			out = append(out, stateOf(t, d, id))
		}
		return out
	}
	before := snap()
	many := make([]int64, MaxBatchPhotos+1)
	for i := range many {
		many[i] = int64(i + 1)
	}
	cases := []struct {
		name string
		ids  []int64
		edit BatchEdit
		want error
		msg  string
	}{
		{"huge shift", all, BatchEdit{Shift: 250 * 366 * 24 * time.Hour}, ErrInvalid, "at most"},
		{"huge negative shift", all, BatchEdit{Shift: -MaxShift - time.Second}, ErrInvalid, "at most"},
		{"shift in fractions of a second", all, BatchEdit{Shift: 1500 * time.Millisecond}, ErrInvalid, "whole seconds"},
		{"shift past year 9999 for one photo", all, BatchEdit{Shift: 24 * time.Hour, Title: ptrTo("x")}, ErrInvalid, "outside years 1 to 9999"},
		{"shift before year 1 for one photo", all, BatchEdit{Shift: -12 * time.Hour, Rating: ptrTo(5)}, ErrInvalid, "outside years 1 to 9999"},
		{"zone that pushes an instant past 9999", all, BatchEdit{SetZone: true, ZoneOffset: ptrTo(-840)}, ErrInvalid, "outside years"},
		{"date that is no date", all, BatchEdit{SetTaken: true, TakenLocal: "2019-02-30 10:00:00"}, ErrInvalid, "YYYY-MM-DD"},
		{"date and shift", all, BatchEdit{SetTaken: true, TakenLocal: "2019-02-03 10:00:00", Shift: time.Hour}, ErrInvalid, "not both"},
		{"zone out of range", all, BatchEdit{SetZone: true, ZoneOffset: ptrTo(15 * 60)}, ErrInvalid, "-840 to 840"},
		{"latitude out of range", all, BatchEdit{SetLocation: true, Lat: ptrTo(90.5), Lng: ptrTo(0.0)}, ErrInvalid, "latitude"},
		{"longitude NaN", all, BatchEdit{SetLocation: true, Lat: ptrTo(10.0), Lng: ptrTo(math.NaN())}, ErrInvalid, "latitude"},
		{"longitude infinite", all, BatchEdit{SetLocation: true, Lat: ptrTo(10.0), Lng: ptrTo(math.Inf(1))}, ErrInvalid, "latitude"},
		{"latitude without longitude", all, BatchEdit{SetLocation: true, Lat: ptrTo(10.0)}, ErrInvalid, "both"},
		{"place without position", all, BatchEdit{Place: &PlaceFix{City: "Lisbon"}}, ErrInvalid, "position"},
		{"keyword too long", all, BatchEdit{KeywordsAdd: []string{strings.Repeat("é", 201)}}, ErrInvalid, "200"},
		{"keyword added and removed", all, BatchEdit{KeywordsAdd: []string{"Dog"}, KeywordsRemove: []string{"dog"}}, ErrInvalid, "both"},
		{"too many keywords", all, BatchEdit{KeywordsAdd: make([]string, 101)}, ErrInvalid, "at most 100"},
		{"title too long", all, BatchEdit{Title: ptrTo(strings.Repeat("a", 501))}, ErrInvalid, "500"},
		{"rating 6", all, BatchEdit{Rating: ptrTo(6)}, ErrInvalid, "0 to 5"},
		{"rating -2", all, BatchEdit{Rating: ptrTo(-2)}, ErrInvalid, "0 to 5"},
		{"nothing to change", all, BatchEdit{}, ErrInvalid, "nothing"},
		{"no photos", nil, BatchEdit{Rating: ptrTo(1)}, ErrInvalid, "1 to 10000"},
		{"too many photos", many, BatchEdit{Rating: ptrTo(1)}, ErrInvalid, "1 to 10000"},
		{"id 0", []int64{0, ids[0]}, BatchEdit{Rating: ptrTo(1)}, ErrInvalid, "photo id 0"},
		{"an absent photo", append(slices.Clone(all), 999999), BatchEdit{Rating: ptrTo(1)}, ErrNotFound, "999999"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			told := false
			d.OnEdited(func([]int64) { told = true })
			_, err := d.BatchEditPhotos(ctx, c.ids, c.edit, Reader{Kind: Owner})
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("error %v, want %v saying %q", err, c.want, c.msg)
			}
			if after := snap(); !slices.Equal(after, before) {
				for i := range after {
					if after[i] != before[i] {
						t.Fatalf("photo %d changed: %+v → %+v", ids[i], before[i], after[i])
					}
				}
			}
			if told {
				t.Fatal("the edited hook was told of a refused batch")
			}
		})
	}
}

// A viewer's reader does not see private photos: a batch naming one is
// refused as if the photo did not exist.
func TestBatchEditHiddenPhotoIsNotFound(t *testing.T) {
	ctx := context.Background()
	d, ids := batchLib(t, 5)
	if err := d.SetFlag(ctx, ids[0], "private", false); err != nil {
		t.Fatal(err)
	}
	if err := d.SetFlag(ctx, ids[1], "private", true); err != nil {
		t.Fatal(err)
	}
	_, err := d.BatchEditPhotos(ctx, ids[:2], BatchEdit{Rating: ptrTo(3)}, Reader{Kind: Viewer})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), fmt.Sprint(ids[1])) || strings.Contains(err.Error(), fmt.Sprint(ids[0])+",") {
		t.Fatalf("error %v, want not found naming photo %d only", err, ids[1])
	}
	if p, _ := d.PhotoByID(ctx, ids[0]); p.Rating != 0 {
		t.Fatal("the visible photo was rated although the batch was refused")
	}
	if _, err := d.BatchEditPhotos(ctx, ids[:2], BatchEdit{Rating: ptrTo(3)}, Reader{Kind: Owner}); err != nil {
		t.Fatal(err)
	}
}

// Every rating from -1 to 5 is stored; adding the same keyword twice
// changes nothing the second time.
func TestBatchEditRatingBoundsAndIdempotentKeywords(t *testing.T) {
	ctx := context.Background()
	d, ids := batchLib(t, 3)
	for r := -1; r <= 5; r++ {
		if _, err := d.BatchEditPhotos(ctx, ids, BatchEdit{Rating: ptrTo(r)}, Reader{Kind: Owner}); err != nil {
			t.Fatalf("rating %d: %v", r, err)
		}
		if p, _ := d.PhotoByID(ctx, ids[2]); p.Rating != r {
			t.Fatalf("rating %d stored as %d", r, p.Rating)
		}
	}
	for i := 0; i < 2; i++ {
		if _, err := d.BatchEditPhotos(ctx, ids, BatchEdit{KeywordsAdd: []string{"trip"}}, Reader{Kind: Owner}); err != nil {
			t.Fatal(err)
		}
		var n int
		d.sql.QueryRow(`SELECT count(*) FROM photo_keywords pk JOIN keywords k ON k.id = pk.keyword_id WHERE k.name = 'trip'`).Scan(&n)
		if n != len(ids) {
			t.Fatalf("after adding twice: %d photo keywords, want %d", n, len(ids))
		}
	}
	for i := 0; i < 2; i++ {
		if _, err := d.BatchEditPhotos(ctx, ids, BatchEdit{KeywordsRemove: []string{"Trip"}}, Reader{Kind: Owner}); err != nil {
			t.Fatal(err)
		}
	}
	if s := stateOf(t, d, ids[0]); s.Keywords != "" {
		t.Fatalf("keywords %q after removing", s.Keywords)
	}
}

// Sorting by rating pages through every photo, stars first and newest
// first within the same stars (or the reverse), and the minimum-rating
// filter keeps only photos with at least that many stars.
func TestRatingSortAndFilter(t *testing.T) {
	ctx := context.Background()
	d, ids := batchLib(t, 400)
	for i, id := range ids {
		if i%3 == 0 {
			if _, err := d.BatchEditPhotos(ctx, []int64{id}, BatchEdit{Rating: ptrTo(i / 3 % 6)}, Reader{Kind: Owner}); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := func(min int, dir string) []int64 {
		var out []int64
		rows, err := d.sql.Query(`SELECT id FROM photos WHERE archived = 0 AND missing = 0 AND rating >= ?
			ORDER BY rating `+dir+`, taken_at `+dir+`, id `+dir, min)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			out = append(out, id)
		}
		return out
	}
	for _, c := range []struct {
		min int
		rev bool
	}{{0, false}, {0, true}, {3, false}, {5, true}} {
		var got []int64
		cur := ""
		for {
			p, err := d.SearchPhotos(ctx, PhotoQuery{Reader: ownerReader, Sort: "rating", MinRating: c.min, Reverse: c.rev, Limit: 23, Cursor: cur})
			if err != nil {
				t.Fatal(err)
			}
			for _, ph := range p.Photos {
				got = append(got, ph.ID)
			}
			if cur = p.Next; cur == "" {
				break
			}
		}
		dir := "DESC"
		if c.rev {
			dir = "ASC"
		}
		if exp := want(c.min, dir); len(exp) == 0 || !slices.Equal(got, exp) {
			t.Fatalf("min %d reverse %v: paged %d photos, want %d in order (first difference at %d)", c.min, c.rev, len(got), len(exp), firstDiff(got, exp))
		}
	}
	months, err := d.MonthCounts(ctx, PhotoQuery{Reader: ownerReader, MinRating: 5})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range months {
		n += m.Count
	}
	if exp := len(want(5, "DESC")); n != exp || n == 0 {
		t.Fatalf("month counts with 5 stars sum to %d, want %d", n, exp)
	}
	// The map's clusters too: at low zoom they come from a summary table
	// that knows nothing of stars, which must not answer a rating filter.
	cl, err := d.GeoClusters(ctx, PhotoQuery{Reader: ownerReader, MinRating: 5}, GeoGrid{Zoom: 1})
	if err != nil {
		t.Fatal(err)
	}
	var onMap, wantMap int
	for _, c := range cl {
		onMap += c.Count
	}
	d.sql.QueryRow(`SELECT count(*) FROM photos WHERE archived = 0 AND missing = 0 AND rating >= 5 AND lat IS NOT NULL`).Scan(&wantMap)
	if onMap != wantMap || wantMap == 0 {
		t.Fatalf("map clusters with 5 stars hold %d photos, want %d", onMap, wantMap)
	}
	if _, err := d.SearchPhotos(ctx, PhotoQuery{Reader: ownerReader, MinRating: 6}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("min rating 6: %v, want invalid", err)
	}
}

// BenchmarkBatchEdit10k edits 10,000 photos of a 12,000-photo library in
// one batch: the kinds that rewrite the full-text rows (shift, keywords)
// and one that does not (rating).
func BenchmarkBatchEdit10k(b *testing.B) {
	ctx := context.Background()
	d, ids := batchLib(b, 12000)
	sel := ids[1000:11000]
	kinds := []struct {
		name string
		edit func(i int) BatchEdit
	}{
		{"shift", func(i int) BatchEdit { return BatchEdit{Shift: time.Duration(1+i%2*-2) * time.Hour} }},
		{"keywords", func(i int) BatchEdit {
			if i%2 == 0 {
				return BatchEdit{KeywordsAdd: []string{"holiday", "family"}}
			}
			return BatchEdit{KeywordsRemove: []string{"holiday", "family"}}
		}},
		{"rating", func(i int) BatchEdit { return BatchEdit{Rating: ptrTo(i % 6)} }},
		{"title", func(i int) BatchEdit { return BatchEdit{Title: ptrTo(fmt.Sprint("trip ", i))} }},
	}
	for _, k := range kinds {
		b.Run(k.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if n, err := d.BatchEditPhotos(ctx, sel, k.edit(i), Reader{Kind: Owner}); err != nil || n != len(sel) {
					b.Fatal(n, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/batch")
		})
	}
}
