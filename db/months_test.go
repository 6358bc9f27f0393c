package db

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
)

// The timeline's month counts come from a table kept by triggers
// (migration 017). Whatever happens to photos — flags set through the API,
// dates edited, files gone missing, rows deleted, new photos — they must
// equal a count over the photos themselves, with and without private ones.
func TestTimelineMonthCountsFollowChanges(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, 2000, 5); err != nil {
		t.Fatal(err)
	}
	check := func(step string) {
		t.Helper()
		for _, rd := range []Reader{{Kind: Owner}, {Kind: Viewer}} {
			hide := !rd.SeesPrivate()
			got, err := d.MonthCounts(ctx, PhotoQuery{Reader: rd})
			if err != nil {
				t.Fatal(err)
			}
			want := countMonths(t, d, hide)
			if !slices.Equal(got, want) {
				t.Fatalf("%s, hidePrivate=%v: month counts %v\nwant (counted from the photos) %v", step, hide, head(got), head(want))
			}
		}
	}
	check("generated")

	rng := rand.New(rand.NewPCG(1, 2))
	ids := func(n int) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = 1 + rng.Int64N(2000)
		}
		return out
	}
	for _, flag := range []string{"private", "archived"} {
		for _, on := range []bool{true, false, true} {
			if _, err := d.SetFlags(ctx, ids(300), map[string]bool{flag: on}); err != nil {
				t.Fatal(err)
			}
			check(fmt.Sprintf("%s set to %v on 300 photos", flag, on))
		}
	}
	for _, id := range ids(40) {
		if err := d.SetFlag(ctx, id, "private", rng.IntN(2) == 0); err != nil {
			t.Fatal(err)
		}
	}
	check("private flipped one by one")

	// Photos moved to the Trash leave the counts, restored ones come back
	// (migration 025): some are private or archived too.
	trashed := ids(250)
	if _, err := d.TrashPhotos(ctx, trashed); err != nil {
		t.Fatal(err)
	}
	check("250 photos moved to the Trash")
	if _, err := d.SetFlags(ctx, trashed[:60], map[string]bool{"private": true}); err != nil {
		t.Fatal(err)
	}
	check("photos in the Trash made private")
	if _, err := d.RestorePhotos(ctx, trashed[:100]); err != nil {
		t.Fatal(err)
	}
	check("100 of them restored")

	// Another month, another year, the same month; a missing photo; a
	// photo whose file came back.
	for i, id := range ids(200) {
		if _, err := d.sql.ExecContext(ctx, `UPDATE photos SET taken_at = ? WHERE id = ?`,
			fmt.Sprintf("%04d-%02d-0%d 10:00:00", 1990+i%40, 1+i%12, 1+i%9), id); err != nil {
			t.Fatal(err)
		}
	}
	check("taken times moved")
	for i, id := range ids(300) {
		if _, err := d.sql.ExecContext(ctx, `UPDATE photos SET missing = ? WHERE id = ?`, i%3/2, id); err != nil {
			t.Fatal(err)
		}
	}
	check("photos gone missing and back")
	if _, err := d.sql.ExecContext(ctx, `UPDATE photos SET title = 'x', taken_at = taken_at, private = private WHERE id % 7 = 0`); err != nil {
		t.Fatal(err)
	}
	check("rows rewritten with the same values")
	if _, err := d.sql.ExecContext(ctx, `DELETE FROM photos WHERE id % 11 = 0`); err != nil {
		t.Fatal(err)
	}
	check("photos deleted")
	if err := d.InsertSynthetic(ctx, 500, 6); err != nil {
		t.Fatal(err)
	}
	check("more photos added")

	// The filtered counts, which the table cannot answer, still see the
	// same photos.
	fav := true
	got, err := d.MonthCounts(ctx, PhotoQuery{Favorite: &fav})
	if err != nil || len(got) == 0 {
		t.Fatalf("favourites' month counts: %v, %v", got, err)
	}
}

// countMonths counts visible photos per month straight from the photos.
func countMonths(t *testing.T, d *DB, hidePrivate bool) []MonthCount {
	t.Helper()
	where := "missing = 0 AND archived = 0 AND trashed_at = ''"
	if hidePrivate {
		where += " AND private = 0"
	}
	rows, err := d.sql.Query(`SELECT CAST(substr(taken_at, 1, 4) AS INTEGER), CAST(substr(taken_at, 6, 2) AS INTEGER), count(*)
		FROM photos WHERE ` + where + ` GROUP BY substr(taken_at, 1, 7) ORDER BY substr(taken_at, 1, 7) DESC`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []MonthCount{}
	for rows.Next() {
		var c MonthCount
		if err := rows.Scan(&c.Year, &c.Month, &c.Count); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func head(m []MonthCount) []MonthCount { return m[:min(len(m), 6)] }
