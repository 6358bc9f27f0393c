package db

import (
	"context"
	"database/sql"
	"fmt"
)

// timelineOnly reports whether q asks for the whole timeline: no filter
// but the defaults (not missing, not archived) and the hiding of private
// photos, the counts the month_counts table keeps (migration 017).
func (q *PhotoQuery) timelineOnly() bool {
	return q.Text == "" && q.After == "" && q.Before == "" && q.Year == 0 && q.Month == 0 &&
		q.Make == "" && q.Model == "" && q.Lens == "" && q.Country == "" && q.State == "" && q.City == "" &&
		q.Near == nil && q.BBox == nil && q.Favorite == nil && q.Private == nil && q.Archived == nil &&
		q.Missing == nil && q.Type == "" && q.MinRating == 0 && q.Album == 0 && q.Folder == nil && q.Person == 0 && q.PersonName == "" &&
		q.Reader.Kind != Visitor // the counts are an owner's or a viewer's, not an album's
}

// timelineMonths reads the month counts of the whole timeline from the
// month_counts table: a few hundred rows instead of every photo.
func (d *DB) timelineMonths(ctx context.Context, hidePrivate bool) ([]MonthCount, error) {
	where := "n > 0"
	if hidePrivate {
		where += " AND private = 0"
	}
	done, err := d.wait(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := d.sql.QueryContext(ctx, `SELECT month, sum(n) FROM month_counts WHERE `+where+
		` GROUP BY month ORDER BY month DESC`)
	if err != nil {
		return nil, fmt.Errorf("count months: %w", err)
	}
	return scanMonthCounts(rows)
}

// scanMonthCounts reads (month "YYYY-MM", count) rows, newest first as the
// query ordered them; a month that does not parse (no date) is left out.
func scanMonthCounts(rows *sql.Rows) ([]MonthCount, error) {
	defer rows.Close()
	out := []MonthCount{}
	for rows.Next() {
		var m string
		var c MonthCount
		if err := rows.Scan(&m, &c.Count); err != nil {
			return nil, err
		}
		if _, err := fmt.Sscanf(m, "%d-%d", &c.Year, &c.Month); err != nil {
			continue
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
