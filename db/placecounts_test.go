package db

import (
	"context"
	"path/filepath"
	"testing"
)

// The status counts geotagged photos with a place and those waiting for
// one; at-sea answers ("none") and photos without a position are neither.
// The placer is handed the waiting ones, oldest first.
func TestPlaceCountsAndUnplaced(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, 1000, 2); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE photos SET place_source = '' WHERE lat IS NOT NULL AND id % 5 = 0`,
		`UPDATE photos SET place_source = 'none' WHERE lat IS NOT NULL AND id % 5 = 1`,
		`UPDATE photos SET place_source = 'online' WHERE lat IS NOT NULL AND id % 5 = 2`,
		`UPDATE photos SET place_source = '' WHERE lat IS NULL AND id % 3 = 0`,
	} {
		if _, err := d.sql.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var wantResolved, wantPending int
	d.sql.QueryRow(`SELECT count(*) FROM photos WHERE lat IS NOT NULL AND place_source NOT IN ('', 'none')`).Scan(&wantResolved)
	d.sql.QueryRow(`SELECT count(*) FROM photos WHERE lat IS NOT NULL AND place_source = ''`).Scan(&wantPending)
	resolved, pending, err := d.PlaceCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if resolved != wantResolved || pending != wantPending || pending == 0 || resolved == 0 {
		t.Fatalf("PlaceCounts = %d resolved, %d pending; the photos say %d and %d", resolved, pending, wantResolved, wantPending)
	}
	var got []int64
	for {
		batch, err := d.UnplacedPhotos(ctx, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 {
			break
		}
		var fixes []PlaceFix
		for _, p := range batch {
			got = append(got, p.PhotoID)
			fixes = append(fixes, PlaceFix{PhotoID: p.PhotoID, Source: "offline", CountryCode: "PT", Country: "Portugal"})
		}
		if err := d.SetPlaces(ctx, fixes); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != wantPending {
		t.Fatalf("the placer was handed %d photos, %d were waiting", len(got), wantPending)
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("unplaced photos out of order: %d after %d", got[i], got[i-1])
		}
	}
	if r, p, _ := d.PlaceCounts(ctx); r != wantResolved+wantPending || p != 0 {
		t.Fatalf("after placing them: %d resolved, %d pending", r, p)
	}
}
