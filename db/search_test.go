package db

import (
	"context"
	"path/filepath"
	"testing"
)

// Both plans of a text search (timeline walk for common words, sorted
// matches for rare ones) page through the same, correctly ordered photos.
func TestTextSearchPlansAgree(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, 3000, 7); err != nil {
		t.Fatal(err)
	}
	collect := func(q PhotoQuery) []Photo {
		var all []Photo
		for {
			p, err := d.SearchPhotos(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, p.Photos...)
			if p.Next == "" {
				return all
			}
			q.Cursor = p.Next
		}
	}
	for _, text := range []string{"img", "sunset", "lisbon"} {
		got := collect(PhotoQuery{Text: text, Limit: 97})
		var want int
		if err := d.sql.QueryRowContext(ctx, `SELECT count(*) FROM photos WHERE id IN
			(SELECT rowid FROM photos_fts WHERE photos_fts MATCH ?)`, ftsQuery(text)).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if len(got) != want || want == 0 {
			t.Errorf("%q: paged %d photos, %d match", text, len(got), want)
		}
		seen := map[int64]bool{}
		for i, p := range got {
			if seen[p.ID] {
				t.Fatalf("%q: photo %d twice", text, p.ID)
			}
			seen[p.ID] = true
			if i > 0 && (got[i-1].TakenAt < p.TakenAt || got[i-1].TakenAt == p.TakenAt && got[i-1].ID < p.ID) {
				t.Fatalf("%q: out of order at %d", text, i)
			}
		}
	}
}
