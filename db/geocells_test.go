package db

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
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
			for _, hide := range []bool{false, true} {
				box := v.box
				g := GeoGrid{Zoom: v.zoom}
				got, err := d.GeoClusters(ctx, PhotoQuery{BBox: &box, HidePrivate: hide}, g)
				if err != nil {
					t.Fatal(err)
				}
				// Archived = false is the default spelled out: the same
				// photos, grouped from the photos table.
				no := false
				want, err := d.GeoClusters(ctx, PhotoQuery{BBox: &box, HidePrivate: hide, Archived: &no}, g)
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
