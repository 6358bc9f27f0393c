package db

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// Low-zoom map clusters come from fine cells kept by triggers (migration
// 017) and, in the cells a view's edges cut, from the photos. Whatever
// happens to photos — moved, untagged, tagged, flagged, gone missing,
// deleted, added — the clusters must be the ones the grouping of the
// photos themselves gives: same counts, bounds, representatives and (to
// rounding) positions, with and without private photos, for views that
// hold the world, cut through cells, or cross the antimeridian.
func TestGeoCellsFollowChanges(t *testing.T) {
	d := openGeoLibrary(t, 3000)
	ctx := context.Background()
	views := []struct {
		name string
		box  BBox
		zoom int
	}{
		{"world", BBox{-180, -85, 180, 85}, 2},
		{"western europe, edges through Lisbon and Paris", BBox{-9.14, 35, 2.35, 52.52}, 5},
		{"pacific, across the antimeridian", BBox{100, -60, -100, 60}, 3},
	}
	check := func(step string) {
		t.Helper()
		for _, v := range views {
			for _, rd := range []Reader{{Kind: Owner}, {Kind: Viewer}} {
				hide := !rd.SeesPrivate()
				box := v.box
				g := GeoGrid{Zoom: v.zoom}
				got, err := d.GeoClusters(ctx, PhotoQuery{BBox: &box, Reader: rd}, g)
				if err != nil {
					t.Fatal(err)
				}
				// Archived = false is the default spelled out: the same
				// photos, grouped from the photos table.
				no := false
				want, err := d.GeoClusters(ctx, PhotoQuery{BBox: &box, Reader: rd, Archived: &no}, g)
				if err != nil {
					t.Fatal(err)
				}
				if msg := sameClusters(got, want); msg != "" {
					t.Fatalf("%s, %s, hidePrivate=%v: %s", step, v.name, hide, msg)
				}
				if len(want) == 0 {
					t.Fatalf("%s, %s: no clusters at all", step, v.name)
				}
			}
		}
	}
	check("generated")

	rng := rand.New(rand.NewPCG(3, 4))
	ids := func(n int) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = 1 + rng.Int64N(3000)
		}
		return out
	}
	for _, flag := range []string{"private", "favorite", "archived"} {
		for _, on := range []bool{true, false, true} {
			if _, err := d.SetFlags(ctx, ids(400), map[string]bool{flag: on}); err != nil {
				t.Fatal(err)
			}
			check(fmt.Sprintf("%s set to %v on 400 photos", flag, on))
		}
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := d.sql.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	// Moves within a cell, to another city, onto cell edges, off the map
	// and back on.
	for i, id := range ids(300) {
		switch i % 4 {
		case 0:
			exec(`UPDATE photos SET lat = lat + 0.001, lng = lng - 0.001 WHERE id = ?`, id)
		case 1:
			exec(`UPDATE photos SET lat = 48.85, lng = 2.35 WHERE id = ?`, id)
		case 2:
			exec(`UPDATE photos SET lat = NULL, lng = NULL WHERE id = ?`, id)
		case 3:
			exec(`UPDATE photos SET lat = 38.7, lng = -9.15 + ? WHERE id = ?`, float64(i)*0.0001, id)
		}
	}
	check("positions moved, removed and added")
	// The extremes of a cell leave it: its bounds must shrink.
	exec(`UPDATE photos SET lat = NULL WHERE id IN (SELECT id FROM photos WHERE lat IS NOT NULL ORDER BY lat DESC LIMIT 30)`)
	exec(`UPDATE photos SET lng = lng + 20 WHERE id IN (SELECT id FROM photos WHERE lng IS NOT NULL ORDER BY lng LIMIT 30)`)
	check("the northernmost and westernmost photos moved away")
	// The Trash (migration 025): the representative of the world's
	// cells among them, and trashed photos moved and favoured.
	trashed := append(ids(300), int64(0))
	d.sql.QueryRow(`SELECT max((favorite << 40) | id) & 1099511627775 FROM photos WHERE lat IS NOT NULL`).Scan(&trashed[300])
	if _, err := d.TrashPhotos(ctx, trashed); err != nil {
		t.Fatal(err)
	}
	check("300 photos moved to the Trash, a representative among them")
	exec(`UPDATE photos SET lat = 48.85, lng = 2.35, favorite = 1 WHERE trashed_at <> '' AND id % 2 = 0`)
	check("photos in the Trash moved and favoured")
	if _, err := d.RestorePhotos(ctx, trashed[:150]); err != nil {
		t.Fatal(err)
	}
	check("150 of them restored")
	for i, id := range ids(300) {
		exec(`UPDATE photos SET missing = ? WHERE id = ?`, i%3/2, id)
	}
	check("photos gone missing and back")
	exec(`UPDATE photos SET lat = lat, lng = lng, favorite = favorite, title = 'same' WHERE id % 5 = 0`)
	check("rows rewritten with the same values")
	exec(`DELETE FROM photos WHERE id % 13 = 0`)
	exec(`DELETE FROM photos WHERE id = (SELECT max((favorite << 40) | id) & 1099511627775 FROM photos WHERE lat IS NOT NULL)`)
	check("photos deleted, a representative among them")
	if err := d.InsertSynthetic(ctx, 700, 8); err != nil {
		t.Fatal(err)
	}
	check("more photos added")
}

// sameClusters says how two cluster lists differ, "" when they agree.
func sameClusters(got, want []GeoCluster) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d clusters, want %d", len(got), len(want))
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	for i := range got {
		g, w := got[i], want[i]
		if g.Count != w.Count || g.PhotoID != w.PhotoID || g.Bounds != w.Bounds || g.Hash != w.Hash ||
			!near(g.Lat, w.Lat) || !near(g.Lng, w.Lng) {
			return fmt.Sprintf("cluster %d is %+v, want %+v", i, g, w)
		}
	}
	return ""
}

// At city zooms the clusters are 0.001° cells kept by triggers, grouped by
// their mean position; cells cut by the view's edge count whole. The same
// computed here from the photos, after the same kind of changes.
func TestCityCellsFollowChanges(t *testing.T) {
	d := openGeoLibrary(t, 3000)
	ctx := context.Background()
	views := []struct {
		name string
		box  BBox
		zoom int
	}{
		{"lisbon", BBox{-9.2, 38.66, -9.08, 38.78}, 13},
		{"lisbon and its edges", BBox{-9.17, 38.69, -9.1, 38.75}, 13},
		{"portugal", BBox{-10, 37, -6, 42.5}, 9},
		{"tokyo", BBox{139.6, 35.6, 139.8, 35.75}, 12},
	}
	check := func(step string) {
		t.Helper()
		for _, v := range views {
			for _, rd := range []Reader{{Kind: Owner}, {Kind: Viewer}} {
				hide := !rd.SeesPrivate()
				box := v.box
				got, err := d.GeoClusters(ctx, PhotoQuery{BBox: &box, Reader: rd}, GeoGrid{Zoom: v.zoom, CellPx: 64, MaxCells: 1 << 20})
				if err != nil {
					t.Fatal(err)
				}
				want := cityCellsInGo(t, d, box, v.zoom, 64, hide)
				counts := make([]int, len(got))
				for i, c := range got {
					counts[i] = c.Count
				}
				if fmt.Sprint(counts) != fmt.Sprint(want) || len(want) < 2 {
					t.Fatalf("%s, %s, hidePrivate=%v: cluster sizes %v\nwant %v", step, v.name, hide, counts, want)
				}
			}
		}
	}
	check("generated")
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := d.sql.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, flag := range []string{"private", "archived"} {
		ids := make([]int64, 300)
		for i := range ids {
			ids[i] = 1 + rng.Int64N(3000)
		}
		if _, err := d.SetFlags(ctx, ids, map[string]bool{flag: true}); err != nil {
			t.Fatal(err)
		}
		check(flag + " set on 300 photos")
	}
	exec(`UPDATE photos SET lat = lat + 0.0004, lng = lng - 0.0007 WHERE id % 3 = 0`)
	exec(`UPDATE photos SET lat = NULL WHERE id % 17 = 0`)
	exec(`UPDATE photos SET lat = 38.7201, lng = -9.1401 WHERE id % 19 = 0`)
	check("positions moved, removed, gathered on one spot")
	exec(`UPDATE photos SET missing = 1 WHERE id % 7 = 1`)
	exec(`DELETE FROM photos WHERE id % 11 = 0`)
	check("photos missing and deleted")
	trashed := make([]int64, 400)
	for i := range trashed {
		trashed[i] = 1 + rng.Int64N(3000)
	}
	if _, err := d.TrashPhotos(ctx, trashed); err != nil {
		t.Fatal(err)
	}
	check("400 photos moved to the Trash")
	if _, err := d.RestorePhotos(ctx, trashed[:200]); err != nil {
		t.Fatal(err)
	}
	check("200 of them restored")
	if err := d.InsertSynthetic(ctx, 500, 9); err != nil {
		t.Fatal(err)
	}
	check("more photos added")
}

// cityCellsInGo groups the visible photos of the 0.001° cells that box
// touches by cell, then the cells by the grid cell of their mean, and
// returns the group sizes, largest first.
func cityCellsInGo(t *testing.T, d *DB, box BBox, zoom int, cellPx float64, hidePrivate bool) []int {
	t.Helper()
	where := ""
	if hidePrivate {
		where = " AND private = 0"
	}
	rows, err := d.sql.Query(`SELECT lat, lng FROM photos WHERE lat IS NOT NULL AND lng IS NOT NULL AND archived = 0 AND missing = 0 AND trashed_at = ''` + where)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type fine struct {
		n          int
		slat, slng float64
	}
	fines := map[[2]int64]*fine{}
	r0, r1 := int64(math.Floor((box.MinLat+90)*1000)), int64(math.Floor((box.MaxLat+90)*1000))
	c0, c1 := int64(math.Floor((box.MinLng+180)*1000)), int64(math.Floor((box.MaxLng+180)*1000))
	for rows.Next() {
		var lat, lng float64
		if err := rows.Scan(&lat, &lng); err != nil {
			t.Fatal(err)
		}
		k := [2]int64{int64((lat + 90) * 1000), int64((lng + 180) * 1000)}
		if k[0] < r0 || k[0] > r1 || k[1] < c0 || k[1] > c1 {
			continue
		}
		if fines[k] == nil {
			fines[k] = &fine{}
		}
		f := fines[k]
		f.n++
		f.slat += lat
		f.slng += lng
	}
	per := 256 * math.Exp2(float64(zoom)) / cellPx
	groups := map[[2]int]int{}
	for _, f := range fines {
		lat, lng := f.slat/float64(f.n), f.slng/float64(f.n)
		groups[[2]int{int((lng + 180) / 360 * per), int(math.Floor(mercatorY(lat) * per))}] += f.n
	}
	out := []int{}
	for _, n := range groups {
		out = append(out, n)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out)))
	return out
}
