package db

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// visibleOnly reports whether q asks for nothing but what a timeline or
// map shows by default (not missing, not archived; private photos hidden
// or not) inside an optional box: what month_counts and geo_cells keep
// (migration 017).
func (q *PhotoQuery) visibleOnly() bool {
	return q.Text == "" && q.After == "" && q.Before == "" && q.Year == 0 && q.Month == 0 &&
		q.Make == "" && q.Model == "" && q.Lens == "" && q.Country == "" && q.State == "" && q.City == "" &&
		q.Near == nil && q.Favorite == nil && q.Private == nil && q.Archived == nil &&
		q.Missing == nil && q.Type == "" && q.MinRating == 0 && q.Album == 0 && q.Folder == nil && q.Person == 0 && q.PersonName == ""
}

// geoCells is the CTE f of GeoClusters' low-zoom grouping (one row per
// fine cell: n, slat, slng, w, s, e, nn, rep) read from the geo_cells
// table for the cells wholly inside box, and from the photos themselves,
// through the photos_geo_cell index, for the cells the box's edges cut
// through, so the answer counts exactly the photos in the box. photos
// holds the photo filters (the visible box included) and their arguments;
// geoCells returns the CTE and every argument it needs, in order.
func (d *DB) geoCells(ctx context.Context, box BBox, hidePrivate bool, photos *queryParts) (string, []any, error) {
	// Fine cell rows and columns of the box's edges. A cell strictly
	// between them lies wholly inside the box: it is computed with the
	// same floating-point steps as a photo's cell, which are monotonic.
	row := func(lat float64) int64 { return int64(math.Floor((lat + 90) * 20)) }
	col := func(lng float64) int64 { return int64(math.Floor((lng + 180) * 20)) }
	s, n, w, e := row(box.MinLat), row(box.MaxLat), col(box.MinLng), col(box.MaxLng)
	inRows := fmt.Sprintf("cell / 8192 BETWEEN %d AND %d", s, n)
	innerRows := fmt.Sprintf("cell / 8192 > %d AND cell / 8192 < %d", s, n)
	var inCols, innerCols string
	if box.MinLng <= box.MaxLng {
		inCols = fmt.Sprintf("cell %% 8192 BETWEEN %d AND %d", w, e)
		innerCols = fmt.Sprintf("cell %% 8192 > %d AND cell %% 8192 < %d", w, e)
	} else { // across the antimeridian
		inCols = fmt.Sprintf("(cell %% 8192 >= %d OR cell %% 8192 <= %d)", w, e)
		innerCols = fmt.Sprintf("(cell %% 8192 > %d OR cell %% 8192 < %d)", w, e)
	}
	priv := ""
	if hidePrivate {
		priv = " AND private = 0"
	}
	// The cells on the edges that hold photos, listed first: given as a
	// subquery, SQLite walks the whole index testing each photo (0.2 s
	// for 600k photos) instead of looking the few cells up.
	edges, err := d.intColumn(ctx, `SELECT DISTINCT cell FROM geo_cells WHERE n > 0`+priv+` AND `+inRows+` AND `+inCols+
		` AND NOT (`+innerRows+` AND `+innerCols+`)`)
	if err != nil {
		return "", nil, fmt.Errorf("map cells on the edges: %w", err)
	}
	f := `f AS (
		SELECT sum(n) AS n, sum(slat) AS slat, sum(slng) AS slng, min(w) AS w, min(s) AS s, max(e) AS e, max(nn) AS nn,
			max(rep) AS rep, cell AS fc
		FROM geo_cells WHERE n > 0` + priv + ` AND ` + innerRows + ` AND ` + innerCols + ` GROUP BY cell`
	if len(edges) > 0 {
		list := make([]string, len(edges))
		for i, c := range edges {
			list[i] = strconv.FormatInt(c, 10)
		}
		photos.add("p.lat IS NOT NULL")
		photos.add(fineCell + ` IN (` + strings.Join(list, ",") + `)`)
		photos.from = "photos p INDEXED BY photos_geo_cell"
		f += `
		UNION ALL
		SELECT count(*), sum(p.lat), sum(p.lng), min(p.lng), min(p.lat), max(p.lng), max(p.lat),
			max((p.favorite << 40) | p.id), ` + fineCell + ` AS fc
		FROM ` + photos.sql() + ` GROUP BY fc`
	} else {
		photos.args = nil
	}
	return f + `)`, photos.args, nil
}

// intColumn runs a query of one integer column and returns its values.
func (d *DB) intColumn(ctx context.Context, q string) ([]int64, error) {
	done, err := d.wait(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := d.sql.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// cityCellDeg is the edge of the geo_cells_fine grid (migration 017): 0.001°.
const cityCellDeg = 0.001

// cityCells is the CTE f of GeoClusters' grouping at city zooms, where a
// map cell spans six or more 0.001° cells: the geo_cells_fine rows of the
// cells the box touches. A cell cut by the box's edge counts whole, so a
// cluster on the edge may hold photos up to 0.001° (110 m, a sixth of a
// map cell or less) outside the view; reading them exactly would mean
// reading every photo in view again.
func cityCells(box BBox, hidePrivate bool) string {
	const mul = 524288 // cell = row * mul + column
	// The same steps as the cell expression of migration 017.
	row := func(lat float64) int64 { return int64(math.Floor((lat + 90) * 1000)) }
	col := func(lng float64) int64 { return int64(math.Floor((lng + 180) * 1000)) }
	// Rows are contiguous ranges of cell numbers, which the primary key
	// finds; columns are tested on each.
	where := fmt.Sprintf("cell BETWEEN %d AND %d", row(box.MinLat)*mul, row(box.MaxLat)*mul+mul-1)
	w, e := col(box.MinLng), col(box.MaxLng)
	if box.MinLng <= box.MaxLng {
		where += fmt.Sprintf(" AND cell %% %d BETWEEN %d AND %d", mul, w, e)
	} else { // across the antimeridian
		where += fmt.Sprintf(" AND (cell %% %d >= %d OR cell %% %d <= %d)", mul, w, mul, e)
	}
	if hidePrivate {
		where += " AND private = 0"
	}
	return `f AS (
		SELECT sum(n) AS n, sum(slat) AS slat, sum(slng) AS slng, min(w) AS w, min(s) AS s, max(e) AS e, max(nn) AS nn,
			max(rep) AS rep, cell AS fc
		FROM geo_cells_fine WHERE n > 0 AND ` + where + ` GROUP BY cell)`
}
