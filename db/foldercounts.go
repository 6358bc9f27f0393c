package db

import (
	"context"
	"fmt"
	"sync"
)

// kept holds answers computed from the whole library (the folder list's
// counts, the places and camera lists), each with the library version it
// was computed at (migration 017: triggers move it on every change to a
// photo, file or folder row, whoever writes). A large library's lists are
// then counted once per change instead of on every visit.
type kept struct {
	mu sync.Mutex
	m  map[string]keptAnswer
}

type keptAnswer struct {
	version int64
	value   any
}

// maxKept bounds the answers kept (one per list and filter visited).
const maxKept = 64

// forget drops every kept answer (an idle server gives their memory back).
func (k *kept) forget() {
	k.mu.Lock()
	k.m = nil
	k.mu.Unlock()
}

// remember returns the answer kept under key when the library has not
// changed since it was computed, and otherwise computes and keeps it.
// Callers must not change what it returns.
func remember[T any](ctx context.Context, d *DB, key string, compute func() (T, error)) (T, error) {
	var zero T
	// The version is read before computing: a write landing in between
	// moves it again, so the next call computes anew.
	var v int64
	if err := d.sql.QueryRowContext(ctx, `SELECT v FROM library_version`).Scan(&v); err != nil {
		return zero, fmt.Errorf("library version: %w", err)
	}
	k := &d.kept
	k.mu.Lock()
	a, ok := k.m[key]
	k.mu.Unlock()
	if ok && a.version == v {
		return a.value.(T), nil
	}
	val, err := compute()
	if err != nil {
		return zero, err
	}
	k.mu.Lock()
	if k.m == nil || len(k.m) >= maxKept {
		k.m = map[string]keptAnswer{}
	}
	k.m[key] = keptAnswer{v, val}
	k.mu.Unlock()
	return val, nil
}

// folderPhotoCounts returns the number of visible photos directly in each
// folder; callers must not change the map.
func (d *DB) folderPhotoCounts(ctx context.Context, r Reader) (map[int64]int, error) {
	key, err := d.keptKey(ctx, r)
	if err != nil {
		return nil, err
	}
	return remember(ctx, d, "folders "+key, func() (map[int64]int, error) {
		rows, err := d.sql.QueryContext(ctx, `SELECT f.folder_id, count(DISTINCT f.photo_id) FROM files f JOIN photos p ON p.id = f.photo_id
			WHERE f.missing = 0 AND `+visible(r)+` GROUP BY f.folder_id`)
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
		return m, rows.Err()
	})
}
