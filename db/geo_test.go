package db

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"
)

func openGeoLibrary(t testing.TB, n int) *DB {
	t.Helper()
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.InsertSynthetic(ctx, n, 7); err != nil {
		t.Fatal(err)
	}
	return d
}

// cellsInGo groups the positions matching where with the same grid as
// GeoClusters, computed with real math, and returns the sorted counts. At
// low zooms it first groups by the fixed fine grid, as GeoClusters does.
func cellsInGo(t *testing.T, d *DB, box BBox, zoom int, cellPx float64, where string) []int {
	rows, err := d.sql.Query(`SELECT lat, lng FROM photos WHERE lat IS NOT NULL AND archived = 0 AND missing = 0
		AND lat BETWEEN ? AND ? AND lng BETWEEN ? AND ? `+where, box.MinLat, box.MaxLat, box.MinLng, box.MaxLng)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	world := 256 * math.Exp2(float64(zoom))
	per := world / cellPx
	type fine struct {
		n          int
		slat, slng float64
	}
	fines := map[[2]int]*fine{}
	twoLevel := 360*cellPx/world >= 8*fineCellDeg
	for rows.Next() {
		var lat, lng float64
		rows.Scan(&lat, &lng)
		k := [2]int{len(fines), 0} // one per photo
		if twoLevel {
			k = [2]int{int((lat + 90) * 20), int((lng + 180) * 20)}
		}
		if fines[k] == nil {
			fines[k] = &fine{}
		}
		f := fines[k]
		f.n++
		f.slat += lat
		f.slng += lng
	}
	groups := map[[2]int]int{}
	for _, f := range fines {
		lat, lng := f.slat/float64(f.n), f.slng/float64(f.n)
		groups[[2]int{int((lng + 180) / 360 * per), int(math.Floor(mercatorY(lat) * per))}] += f.n
	}
	var out []int
	for _, n := range groups {
		out = append(out, n)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out)))
	return out
}

func TestGeoClustersMatchMercatorGrid(t *testing.T) {
	d := openGeoLibrary(t, 3000)
	ctx := context.Background()
	fav := true
	for _, c := range []struct {
		name  string
		box   BBox
		zoom  int
		q     PhotoQuery
		where string
	}{
		{"world", BBox{-180, -85, 180, 85}, 2, PhotoQuery{Reader: ownerReader}, ""},
		{"europe", BBox{-12, 35, 20, 56}, 5, PhotoQuery{Reader: ownerReader}, ""},
		{"lisbon", BBox{-9.2, 38.66, -9.08, 38.78}, 13, PhotoQuery{Reader: ownerReader}, ""},
		{"lisbon favourites", BBox{-9.2, 38.66, -9.08, 38.78}, 12, PhotoQuery{Reader: ownerReader, Favorite: &fav}, "AND favorite = 1"},
		{"videos", BBox{-180, -85, 180, 85}, 3, PhotoQuery{Reader: ownerReader, Type: "video"}, "AND media_type = 'video'"},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := c.q
			box := c.box
			q.BBox = &box
			got, err := d.GeoClusters(ctx, q, GeoGrid{Zoom: c.zoom, CellPx: 64, MaxCells: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			want := cellsInGo(t, d, c.box, c.zoom, 64, c.where)
			if len(got) != len(want) || len(want) < 2 {
				t.Fatalf("%d clusters, the grid has %d", len(got), len(want))
			}
			for i, cl := range got {
				if cl.Count != want[i] {
					t.Fatalf("cluster %d has %d photos, the grid cell %d", i, cl.Count, want[i])
				}
				b := cl.Bounds
				if cl.Lat < b[1] || cl.Lat > b[3] || cl.Lng < b[0] || cl.Lng > b[2] || cl.Hash == "" || cl.PhotoUID == "" {
					t.Fatalf("cluster %+v: centre outside bounds or no thumbnail", cl)
				}
			}
		})
	}
}

func TestGeoClustersCapAndRepresentative(t *testing.T) {
	d := openGeoLibrary(t, 3000)
	ctx := context.Background()
	// A 4K screen's worth of world at zoom 6 still answers a few hundred
	// clusters at most.
	got, err := d.GeoClusters(ctx, PhotoQuery{Reader: ownerReader}, GeoGrid{Zoom: 6})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range got {
		total += c.Count
	}
	var geotagged int
	d.sql.QueryRow(`SELECT count(*) FROM photos WHERE lat IS NOT NULL AND archived = 0 AND missing = 0`).Scan(&geotagged)
	if len(got) > 400 || total != geotagged {
		t.Fatalf("%d clusters holding %d of %d geotagged photos", len(got), total, geotagged)
	}
	// The marker shows a favourite when the cell has one.
	c := got[0]
	box := BBox{c.Bounds[0], c.Bounds[1], c.Bounds[2], c.Bounds[3]}
	var favID int64
	if err := d.sql.QueryRow(`SELECT id FROM photos WHERE favorite = 1 AND archived = 0 AND lat BETWEEN ? AND ? AND lng BETWEEN ? AND ?
		ORDER BY id DESC LIMIT 1`, box.MinLat, box.MaxLat, box.MinLng, box.MaxLng).Scan(&favID); err != nil {
		t.Fatal(err)
	}
	if c.PhotoID != favID {
		t.Errorf("representative %d, want the newest favourite %d", c.PhotoID, favID)
	}
	if _, err := d.GeoClusters(ctx, PhotoQuery{}, GeoGrid{Zoom: 40}); err == nil {
		t.Error("zoom 40 accepted")
	}
}

var (
	benchGeoOnce sync.Once
	benchGeoDB   *DB
)

// BenchmarkGeoClusters: 100k geotagged photos (InsertSynthetic geotags
// 60%), a world view and a city view of a 1920×1080 screen.
func BenchmarkGeoClusters(b *testing.B) {
	ctx := context.Background()
	benchGeoOnce.Do(func() {
		dir, err := filepathTemp()
		if err != nil {
			b.Fatal(err)
		}
		d, err := Open(ctx, filepath.Join(dir, "pinhole.db"))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := d.InsertSynthetic(ctx, 167_000, 1); err != nil {
			b.Fatal(err)
		}
		var n int
		d.sql.QueryRow(`SELECT count(*) FROM photos WHERE lat IS NOT NULL`).Scan(&n)
		b.Logf("%d geotagged photos generated in %v", n, time.Since(start).Round(time.Millisecond))
		benchGeoDB = d
	})
	for _, v := range []struct {
		name string
		box  BBox
		zoom int
	}{
		{"world", BBox{-180, -85, 180, 85}, 2},
		{"city", BBox{-9.4, 38.58, -8.88, 38.86}, 12},
	} {
		b.Run(v.name, func(b *testing.B) {
			box := v.box
			var n int
			cpu0 := cpuTime()
			for b.Loop() {
				cs, err := benchGeoDB.GeoClusters(ctx, PhotoQuery{Reader: ownerReader, BBox: &box}, GeoGrid{Zoom: v.zoom})
				if err != nil {
					b.Fatal(err)
				}
				n = len(cs)
			}
			b.ReportMetric(float64(n), "clusters")
			// CPU time as well as wall time: on a shared machine the wall
			// time mostly measures the neighbours.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

func filepathTemp() (string, error) { return os.MkdirTemp("", "pinhole-geo-bench-") }

// cpuTime is the CPU time this process has used (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestGeoClustersDoNotOverlap: with MarkerPx set, no two markers of an
// answer cover each other by more than a sliver, at world, country and
// city zoom, and merging loses no photo.
func TestGeoClustersDoNotOverlap(t *testing.T) {
	d := openGeoLibrary(t, 3000)
	ctx := context.Background()
	const px = 56
	for _, c := range []struct {
		name string
		box  BBox
		zoom int
	}{
		{"world", BBox{-180, -85, 180, 85}, 2},
		{"country", BBox{-12, 35, 5, 45}, 6},
		{"city", BBox{-9.3, 38.6, -9.0, 38.85}, 12},
	} {
		t.Run(c.name, func(t *testing.T) {
			box := c.box
			plain, err := d.GeoClusters(ctx, PhotoQuery{BBox: &box}, GeoGrid{Zoom: c.zoom})
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.GeoClusters(ctx, PhotoQuery{BBox: &box}, GeoGrid{Zoom: c.zoom, MarkerPx: px})
			if err != nil {
				t.Fatal(err)
			}
			world := 256 * math.Exp2(float64(c.zoom))
			overlaps := func(cs []GeoCluster) (n int, worst float64) {
				for i := range cs {
					for j := range i {
						dx := math.Abs(cs[i].Lng-cs[j].Lng) / 360 * world
						dy := math.Abs(mercatorY(cs[i].Lat)-mercatorY(cs[j].Lat)) * world
						if dx < px && dy < px {
							f := (px - dx) * (px - dy) / (px * px)
							worst = max(worst, f)
							if f > 0.25 {
								n++
							}
						}
					}
				}
				return n, worst
			}
			if n, _ := overlaps(plain); n == 0 {
				t.Fatalf("the plain grid has no overlapping markers here; the case proves nothing")
			}
			if n, worst := overlaps(got); n > 0 {
				t.Errorf("%d pairs of markers overlap by more than 25%% (worst %.0f%%)", n, worst*100)
			}
			count := func(cs []GeoCluster) (n int) {
				for _, c := range cs {
					n += c.Count
				}
				return n
			}
			if count(got) != count(plain) || len(got) >= len(plain) {
				t.Errorf("merged: %d clusters of %d photos; plain grid: %d of %d", len(got), count(got), len(plain), count(plain))
			}
			for _, cl := range got {
				b := cl.Bounds
				if cl.Lat < b[1] || cl.Lat > b[3] || cl.Lng < b[0] || cl.Lng > b[2] || cl.Hash == "" {
					t.Fatalf("cluster %+v: centre outside bounds or no thumbnail", cl)
				}
			}
		})
	}
}
