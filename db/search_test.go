package db

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// A text search pages, newest first or reversed, through exactly the photos
// an independent query finds, in (taken_at, id) order; changing a photo's
// taken time moves it in the results and leaves no stale index row behind.
func TestTextSearchOrder(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, 3000, 7); err != nil {
		t.Fatal(err)
	}
	collect := func(q PhotoQuery) []int64 {
		var all []int64
		for {
			p, err := d.SearchPhotos(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, ph := range p.Photos {
				all = append(all, ph.ID)
			}
			if p.Next == "" {
				return all
			}
			q.Cursor = p.Next
		}
	}
	want := func(text, dir string) []int64 {
		rows, err := d.sql.QueryContext(ctx, `SELECT id FROM photos WHERE archived = 0 AND missing = 0 AND id IN
			(SELECT rowid & `+fmt.Sprint(searchIDMask)+` FROM photos_fts WHERE photos_fts MATCH ?)
			ORDER BY taken_at `+dir+`, id `+dir, ftsQuery(text))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			ids = append(ids, id)
		}
		return ids
	}
	check := func(text string) {
		t.Helper()
		for _, rev := range []bool{false, true} {
			dir := "DESC"
			if rev {
				dir = "ASC"
			}
			got, exp := collect(PhotoQuery{Reader: ownerReader, Text: text, Limit: 97, Reverse: rev}), want(text, dir)
			if len(exp) == 0 || !slices.Equal(got, exp) {
				t.Fatalf("%q reverse=%v: paged %d photos, want %d in order (first difference at %d)",
					text, rev, len(got), len(exp), firstDiff(got, exp))
			}
		}
	}
	for _, text := range []string{"img", "sunset", "lisbon", "canon sunset"} {
		check(text)
	}

	// Move the oldest "sunset" photo to the future, and another to before 1800.
	old := want("sunset", "ASC")
	if err := d.EditPhoto(ctx, old[0], PhotoEdit{SetTaken: true, TakenLocal: "2030-05-01 12:00:00"}); err != nil {
		t.Fatal(err)
	}
	if err := d.EditPhoto(ctx, old[1], PhotoEdit{SetTaken: true, TakenLocal: "1750-05-01 12:00:00"}); err != nil {
		t.Fatal(err)
	}
	check("sunset")
	if first := collect(PhotoQuery{Text: "sunset", Limit: 1})[0]; first != old[0] {
		t.Errorf("after moving photo %d to 2030 the newest sunset is %d", old[0], first)
	}
	var rowsFTS, photos int
	d.sql.QueryRowContext(ctx, `SELECT count(*) FROM photos_fts`).Scan(&rowsFTS)
	d.sql.QueryRowContext(ctx, `SELECT count(*) FROM photos`).Scan(&photos)
	if rowsFTS != photos {
		t.Errorf("%d search rows for %d photos after edits", rowsFTS, photos)
	}
}

func firstDiff(a, b []int64) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// A library indexed before migration 6 (full-text rowid = photo id) keeps
// finding its photos, newest first, after the upgrade renumbers the rows.
func TestSearchKeyMigration(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite3", dsnFor(p))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version > 5 {
			break
		}
		if _, err := old.ExecContext(ctx, m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	taken := []string{"2019-07-01 10:00:00", "2021-01-02 03:04:05", "2020-06-30 23:59:59", "1650-01-01 00:00:00"}
	for i, at := range taken {
		id := int64(i + 1)
		if _, err := old.ExecContext(ctx, `INSERT INTO photos (id, uid, taken_at, taken_local, added_at, updated_at)
			VALUES (?, ?, ?, ?, '', '')`, id, fmt.Sprint("u", id), at, at); err != nil {
			t.Fatal(err)
		}
		if _, err := old.ExecContext(ctx, `INSERT INTO photos_fts (rowid, title, description, keywords, names, camera, place)
			VALUES (?, 'harbour at dusk', '', '', '', '', '')`, id); err != nil {
			t.Fatal(err)
		}
	}
	old.ExecContext(ctx, "PRAGMA user_version = 5")
	old.Close()

	d, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	page, err := d.SearchPhotos(ctx, PhotoQuery{Text: "harb"})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, ph := range page.Photos {
		got = append(got, ph.ID)
	}
	if want := []int64{2, 3, 1, 4}; !slices.Equal(got, want) {
		t.Fatalf("after migration: %v, want %v (newest first)", got, want)
	}
	// The next change to a photo replaces its row rather than adding one.
	title := "harbour at dawn"
	if err := d.EditPhoto(ctx, 1, PhotoEdit{Title: &title}); err != nil {
		t.Fatal(err)
	}
	var n int
	d.sql.QueryRowContext(ctx, `SELECT count(*) FROM photos_fts WHERE photos_fts MATCH 'harbour'`).Scan(&n)
	if n != 4 {
		t.Errorf("%d search rows after an edit, want 4", n)
	}
}

// Every sort, both ways, pages through the same order SQLite's ORDER BY
// gives (the page's wide rows are put in order in Go).
func TestSortsMatchSQLOrder(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, 1500, 3); err != nil {
		t.Fatal(err)
	}
	for _, sort := range []struct{ name, col, dir string }{{"taken", "taken_at", "DESC"}, {"added", "added_at", "DESC"}, {"title", "title", "ASC"}} {
		for _, rev := range []bool{false, true} {
			dir := sort.dir
			if rev {
				dir = map[string]string{"ASC": "DESC", "DESC": "ASC"}[dir]
			}
			rows, err := d.sql.QueryContext(ctx, `SELECT id FROM photos WHERE archived = 0 AND missing = 0 ORDER BY `+sort.col+` `+dir+`, id `+dir)
			if err != nil {
				t.Fatal(err)
			}
			var want, got []int64
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				want = append(want, id)
			}
			rows.Close()
			q := PhotoQuery{Reader: ownerReader, Sort: sort.name, Reverse: rev, Limit: 113}
			for {
				p, err := d.SearchPhotos(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, ph := range p.Photos {
					got = append(got, ph.ID)
				}
				if p.Next == "" {
					break
				}
				q.Cursor = p.Next
			}
			if !slices.Equal(got, want) {
				t.Errorf("sort %s reverse=%v: %d photos, first difference at %d of %d", sort.name, rev, len(got), firstDiff(got, want), len(want))
			}
		}
	}
}
