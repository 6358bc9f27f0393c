package db

import (
	"context"
	"fmt"
	"sync"
)

// folderCounts keeps the folder list's per-folder photo counts (one map
// per audience: with private photos and without) with the library version
// they were counted at (migration 017), so the list of a large library is
// counted once per change instead of on every visit.
type folderCounts struct {
	mu      sync.Mutex
	version [2]int64
	counts  [2]map[int64]int // folder id → visible photos directly inside
}

// folderPhotoCounts returns the number of visible photos directly in each
// folder; callers must not change the map.
func (d *DB) folderPhotoCounts(ctx context.Context, hidePrivate bool) (map[int64]int, error) {
	k := 0
	if hidePrivate {
		k = 1
	}
	// The version is read before counting: a write landing in between
	// moves it again, so the next call counts anew.
	var v int64
	if err := d.sql.QueryRowContext(ctx, `SELECT v FROM library_version`).Scan(&v); err != nil {
		return nil, fmt.Errorf("library version: %w", err)
	}
	c := &d.folders
	c.mu.Lock()
	if c.counts[k] != nil && c.version[k] == v {
		m := c.counts[k]
		c.mu.Unlock()
		return m, nil
	}
	c.mu.Unlock()
	rows, err := d.sql.QueryContext(ctx, `SELECT f.folder_id, count(DISTINCT f.photo_id) FROM files f JOIN photos p ON p.id = f.photo_id
		WHERE f.missing = 0 AND `+visible(hidePrivate)+` GROUP BY f.folder_id`)
	if err != nil {
		return nil, fmt.Errorf("count folder photos: %w", err)
	}
	defer rows.Close()
	m := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		m[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.counts[k], c.version[k] = m, v
	c.mu.Unlock()
	return m, nil
}

// forget drops the kept counts (an idle server gives their memory back).
func (c *folderCounts) forget() {
	c.mu.Lock()
	c.counts = [2]map[int64]int{}
	c.mu.Unlock()
}
