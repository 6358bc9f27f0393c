package db

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// GeoCluster is a group of photos drawn as one marker on the map.
type GeoCluster struct {
	Count int `json:"count"`
	// Lat, Lng: the mean position, where the marker goes.
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
	// Bounds: minLng, minLat, maxLng, maxLat of the photos inside, so a
	// click can zoom to exactly them.
	Bounds [4]float64 `json:"bounds"`
	// The representative photo (its thumbnail is the marker): the most
	// recently added favourite in the cell, else the most recently added.
	PhotoID  int64  `json:"photo_id"`
	PhotoUID string `json:"uid"`
	Hash     string `json:"hash"`
	// repKey ranks representatives when clusters merge: favourite<<40 | id.
	repKey int64
}

// GeoGrid sizes the clustering grid.
type GeoGrid struct {
	Zoom int // Web Mercator zoom, 0–22
	// CellPx is the edge of a cell in screen pixels at that zoom (default
	// 72: a thumbnail marker's size plus a little air).
	CellPx float64
	// MaxCells bounds the grid over the box: large screens get larger
	// cells rather than more clusters (default 400).
	MaxCells int
	// MarkerPx, when set, merges clusters whose markers (squares of about
	// this edge in screen pixels) would overlap: two cells' photos can sit
	// on either side of their shared edge, a few pixels apart. 0 keeps
	// the plain grid.
	MarkerPx float64
}

// maxGeoClusters caps one answer; the grid rarely reaches it.
const maxGeoClusters = 500

// GeoClusters groups the geotagged photos matching q (the same filters as
// photo search; q.BBox is the visible map, nil for the whole world) into
// grid cells of Web Mercator pixel space at the given zoom.
//
// The grouping runs in SQL. SQLite as linked has no log/tan, so the cell
// is computed from plain lat/lng: the column is linear in longitude, and
// the row (Mercator y is not linear in latitude) is found by comparing
// the latitude with the row boundaries computed here in Go, as a nested
// CASE that halves the range at each step — a handful of comparisons per
// photo.
func (d *DB) GeoClusters(ctx context.Context, q PhotoQuery, g GeoGrid) ([]GeoCluster, error) {
	if g.Zoom < 0 || g.Zoom > 22 {
		return nil, fmt.Errorf("zoom %d (want 0–22): %w", g.Zoom, ErrInvalid)
	}
	if g.CellPx <= 0 {
		g.CellPx = 72
	}
	if g.MaxCells <= 0 {
		g.MaxCells = 400
	}
	box := BBox{MinLng: -180, MinLat: -90, MaxLng: 180, MaxLat: 90}
	if q.BBox != nil {
		box = *q.BBox
	}
	q.Sort, q.Cursor, q.BBox = "", "", &box
	parts, err := q.filters()
	if err != nil {
		return nil, err
	}
	parts.add("p.lng IS NOT NULL")

	world := 256 * math.Exp2(float64(g.Zoom)) // the world's width in pixels
	spanLng := box.MaxLng - box.MinLng
	if spanLng < 0 {
		spanLng += 360 // the box crosses the antimeridian
	}
	wPx := spanLng / 360 * world
	hPx := (mercatorY(box.MinLat) - mercatorY(box.MaxLat)) * world
	if cells := (wPx / g.CellPx) * (hPx / g.CellPx); cells > float64(g.MaxCells) {
		g.CellPx *= math.Sqrt(cells / float64(g.MaxCells))
	}
	// A long thin box must not make hundreds of rows or columns either.
	g.CellPx = max(g.CellPx, wPx/128, hPx/128)
	perCell := world / g.CellPx // cells across the world
	top := int(math.Floor(mercatorY(box.MaxLat) * perCell))
	bottom := int(math.Floor(mercatorY(box.MinLat) * perCell))
	// The grid's numbers depend on the request (zoom, box), so they go to
	// SQLite as bound parameters, in the order their ? appear in the text.
	cellKey := func(lat, lng string) (string, []any) {
		// One integer key and numeric aggregates keep SQLite's group-by
		// sorter records small; rows stay below 2^25 even at zoom 22.
		rows, args := rowCase(lat, top, bottom, perCell)
		return "CAST((" + lng + " + 180.0) * ? AS INTEGER) * 33554432 + " + rows, append([]any{perCell / 360}, args...)
	}
	// The representative is the newest favourite, else the newest added
	// photo, packed as favourite<<40 | id so max() finds it.
	var groups string
	var args []any
	// Fine cells kept by triggers (db/geocells.go) grouped into map cells
	// by their mean position, when nothing but the visible box is asked
	// (the cells count what an owner or a viewer sees, not a visitor's
	// album).
	fromCells := func(f string) (string, []any) {
		key, keyArgs := cellKey("(f.slat / f.n)", "(f.slng / f.n)")
		return f + `,
	g AS (
		SELECT sum(n) AS n, sum(slat) AS slat, sum(slng) AS slng, min(w) AS w, min(s) AS s, max(e) AS e, max(nn) AS nn,
			max(rep) AS rep, ` + key + ` AS k
		FROM f GROUP BY k ORDER BY n DESC LIMIT ` + strconv.Itoa(maxGeoClusters) + `)`, keyArgs
	}
	cellDeg := 360 * g.CellPx / world
	cellsFit := q.broad() && q.visibleOnly() && q.Reader.Kind != Visitor
	if cellsFit {
		// The cells know nothing of private spaces (db/spaces.go).
		exact, err := d.spacesExact(ctx, q.Reader)
		if err != nil {
			return nil, err
		}
		cellsFit = exact
	}
	hidePrivate := !q.Reader.SeesPrivate()
	if cellDeg >= 8*fineCellDeg && cellsFit {
		f, cellArgs, err := d.geoCells(ctx, box, hidePrivate, parts)
		if err != nil {
			return nil, err
		}
		var keyArgs []any
		groups, keyArgs = fromCells(f)
		args = append(append(args, cellArgs...), keyArgs...)
	} else if cellDeg >= 6*cityCellDeg && cellDeg < 8*fineCellDeg && cellsFit {
		var keyArgs []any
		groups, keyArgs = fromCells(cityCells(box, hidePrivate))
		args = append(args, keyArgs...)
	} else if cellDeg >= 8*fineCellDeg && q.broad() {
		// Low zooms: most of the library is in view, and sorting every
		// photo by its cell is most of the cost. Walking photos_geo_cell
		// aggregates each fixed fine cell as it goes, then the few fine
		// cells are grouped into map cells by their mean position: at most
		// a fine cell (an eighth of a map cell) lands beside its true cell.
		parts.add("p.lat IS NOT NULL")
		parts.from = strings.Replace(parts.from, "photos p", "photos p INDEXED BY photos_geo_cell", 1)
		key, keyArgs := cellKey("(f.slat / f.n)", "(f.slng / f.n)")
		groups = `f AS (
		SELECT count(*) AS n, sum(p.lat) AS slat, sum(p.lng) AS slng,
			min(p.lng) AS w, min(p.lat) AS s, max(p.lng) AS e, max(p.lat) AS nn,
			max((p.favorite << 40) | p.id) AS rep, ` + fineCell + ` AS fc
		FROM ` + parts.sql() + ` GROUP BY fc),
	g AS (
		SELECT sum(n) AS n, sum(slat) AS slat, sum(slng) AS slng, min(w) AS w, min(s) AS s, max(e) AS e, max(nn) AS nn,
			max(rep) AS rep, ` + key + ` AS k
		FROM f GROUP BY k ORDER BY n DESC LIMIT ` + strconv.Itoa(maxGeoClusters) + `)`
		args = append(append(args, parts.args...), keyArgs...)
	} else {
		key, keyArgs := cellKey("p.lat", "p.lng")
		groups = `g AS (
		SELECT count(*) AS n, sum(p.lat) AS slat, sum(p.lng) AS slng,
			min(p.lng) AS w, min(p.lat) AS s, max(p.lng) AS e, max(p.lat) AS nn,
			max((p.favorite << 40) | p.id) AS rep, ` + key + ` AS k
		FROM ` + parts.sql() + `
		GROUP BY k ORDER BY n DESC LIMIT ` + strconv.Itoa(maxGeoClusters) + `)`
		args = append(append(args, keyArgs...), parts.args...)
	}
	stmt := `WITH ` + groups + `
	SELECT g.n, g.slat / g.n, g.slng / g.n, g.w, g.s, g.e, g.nn, g.rep, p.uid, coalesce(f.hash, '')
	FROM g JOIN photos p ON p.id = g.rep & 1099511627775 LEFT JOIN files f ON f.id = p.primary_file_id
	ORDER BY g.n DESC, g.rep`
	done, err := d.wait(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := d.sql.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("cluster photos: %w", err)
	}
	defer rows.Close()
	out := []GeoCluster{}
	for rows.Next() {
		var c GeoCluster
		if err := rows.Scan(&c.Count, &c.Lat, &c.Lng, &c.Bounds[0], &c.Bounds[1], &c.Bounds[2], &c.Bounds[3],
			&c.repKey, &c.PhotoUID, &c.Hash); err != nil {
			return nil, err
		}
		c.PhotoID = c.repKey & (1<<40 - 1)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if g.MarkerPx > 0 {
		out = mergeOverlapping(out, world, g.MarkerPx)
	}
	return out, nil
}

// mergeOverlapping joins clusters whose markers, squares of edge px
// centred on their positions in a world of the given width in pixels,
// would cover each other by more than a sliver: a cluster sits at the mean
// of its photos, so two neighbouring cells can put their markers almost on
// top of each other. Bigger clusters absorb smaller ones; a merged
// cluster moves to the mean of both, which can bring it near a third, so
// the passes repeat until nothing moves.
func mergeOverlapping(cs []GeoCluster, world, px float64) []GeoCluster {
	// Markers this far apart on both axes overlap by at most 1/14 of
	// their area (a sliver of border and badge).
	gap := px * 13 / 14
	type placed struct {
		c    GeoCluster
		x, y float64
	}
	at := func(c GeoCluster) placed {
		return placed{c, (c.Lng + 180) / 360 * world, mercatorY(c.Lat) * world}
	}
	for pass := 0; pass < 8; pass++ {
		sort.SliceStable(cs, func(i, j int) bool { return cs[i].Count > cs[j].Count })
		kept := make([]placed, 0, len(cs))
		merged := false
	next:
		for _, c := range cs {
			p := at(c)
			for i := range kept {
				k := &kept[i]
				if math.Abs(k.x-p.x) < gap && math.Abs(k.y-p.y) < gap {
					k.c = joinClusters(k.c, c)
					merged = true
					continue next
				}
			}
			kept = append(kept, p)
		}
		cs = cs[:0]
		for _, k := range kept {
			cs = append(cs, k.c)
		}
		if !merged {
			break
		}
	}
	return cs
}

// joinClusters is one cluster holding the photos of a and b.
func joinClusters(a, b GeoCluster) GeoCluster {
	n := float64(a.Count + b.Count)
	out := a
	out.Count = a.Count + b.Count
	out.Lat = (a.Lat*float64(a.Count) + b.Lat*float64(b.Count)) / n
	out.Lng = (a.Lng*float64(a.Count) + b.Lng*float64(b.Count)) / n
	out.Bounds = [4]float64{min(a.Bounds[0], b.Bounds[0]), min(a.Bounds[1], b.Bounds[1]),
		max(a.Bounds[2], b.Bounds[2]), max(a.Bounds[3], b.Bounds[3])}
	if b.repKey > a.repKey {
		out.PhotoID, out.PhotoUID, out.Hash, out.repKey = b.PhotoID, b.PhotoUID, b.Hash, b.repKey
	}
	return out
}

// mercatorY is Web Mercator's y on the world square [0,1], growing south.
func mercatorY(lat float64) float64 {
	const lim = 85.05112878
	lat = math.Max(-lim, math.Min(lim, lat))
	r := lat * math.Pi / 180
	return (1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2
}

// latOfMercatorY is mercatorY's inverse.
func latOfMercatorY(y float64) float64 {
	return math.Atan(math.Sinh(math.Pi*(1-2*y))) * 180 / math.Pi
}

// rowCase is an SQL expression giving the grid row in [top, bottom] of
// the latitude lat (an SQL expression), with the row edges as its bound
// parameters: row r holds latitudes below the top edge of r and at or
// above the top edge of r+1.
func rowCase(lat string, top, bottom int, perCell float64) (string, []any) {
	if top >= bottom {
		return "?", []any{top}
	}
	mid := (top + bottom + 1) / 2
	edge := latOfMercatorY(float64(mid) / perCell) // top edge of row mid
	south, southArgs := rowCase(lat, mid, bottom, perCell)
	north, northArgs := rowCase(lat, top, mid-1, perCell)
	args := append(append([]any{edge}, southArgs...), northArgs...)
	return "CASE WHEN " + lat + " < ? THEN " + south + " ELSE " + north + " END", args
}

// fineCell is the fixed grid of low-zoom clustering: 0.05° cells. It must
// match the expression of the photos_geo_cell index (migration 005)
// character for character, or SQLite cannot use the index.
const (
	fineCell    = "CAST((lat + 90) * 20 AS INTEGER) * 8192 + CAST((lng + 180) * 20 AS INTEGER)"
	fineCellDeg = 0.05
)

// broad reports whether q has no filter that picks few photos by itself
// (words, album, folder, camera, place), so that clustering walks the
// whole geo index rather than the matches.
func (q *PhotoQuery) broad() bool {
	return q.Text == "" && q.Album == 0 && q.Folder == nil && q.Make == "" && q.Model == "" && q.Lens == "" && q.Person == 0 && q.PersonName == "" &&
		q.Country == "" && q.State == "" && q.City == "" && q.Near == nil
}
