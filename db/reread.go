package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// StaleFile is a file whose stored metadata an older reader version
// produced (files.reader below meta.ReaderVersion).
type StaleFile struct {
	ID     int64
	Path   string
	Size   int64
	MTime  int64
	Hash   string
	Err    string // the stored error, with what the byte check found
	Reader int
}

// StaleCursor is where a pass over stale files has got to; the zero value
// starts at the beginning.
type StaleCursor struct {
	Reader int
	ID     int64
}

// StaleFiles lists up to limit files, present on disk as far as the
// database knows, that a reader older than version read, after cur in
// (reader, id) order: the oldest versions first.
func (d *DB) StaleFiles(ctx context.Context, version int, cur StaleCursor, limit int) ([]StaleFile, error) {
	// One version at a time: a row-value range "(reader, id) > (?, ?)"
	// makes SQLite seek on the reader alone and step over every row of
	// that version before the cursor — quadratic over a pass of a large
	// library. Versions are a handful of small numbers.
	for v, after := max(cur.Reader, 0), cur.ID; v < version; v, after = v+1, 0 {
		out, err := d.staleFilesOf(ctx, v, after, limit)
		if err != nil || len(out) > 0 {
			return out, err
		}
	}
	return nil, nil
}

func (d *DB) staleFilesOf(ctx context.Context, version int, after int64, limit int) ([]StaleFile, error) {
	rows, err := d.sql.QueryContext(ctx, `
		SELECT id, path, size, mtime, hash, error, reader FROM files
		WHERE missing = 0 AND reader = ? AND id > ?
		ORDER BY id LIMIT ?`, version, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list stale files: %w", err)
	}
	defer rows.Close()
	var out []StaleFile
	for rows.Next() {
		var f StaleFile
		if err := rows.Scan(&f.ID, &f.Path, &f.Size, &f.MTime, &f.Hash, &f.Err, &f.Reader); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// CountStaleFiles counts the files StaleFiles would list from the start.
func (d *DB) CountStaleFiles(ctx context.Context, version int) (int64, error) {
	var n int64
	err := d.sql.QueryRowContext(ctx, `SELECT count(*) FROM files WHERE missing = 0 AND reader < ?`, version).Scan(&n)
	return n, err
}

// FileReader returns the reader version recorded for a file.
func (d *DB) FileReader(ctx context.Context, rel string) (int, error) {
	var v int
	err := d.sql.QueryRowContext(ctx, `SELECT reader FROM files WHERE path = ?`, rel).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("file %s: %w", rel, ErrNotFound)
	}
	return v, err
}

// RereadFiles stores metadata read again from files whose bytes did not
// change, and merges their photos again; user edits stay, as on every
// merge. Each record must carry the size, modification time and hash the
// database has for the path: a row that changed since (the scan read the
// file meanwhile) is left alone. Only what reading gives is written —
// MIME type, kind, metadata, error, reader version — never the size,
// time or hash. It returns the photos it changed and how many files it
// stored.
func (d *DB) RereadFiles(ctx context.Context, recs []FileRecord) (photos []int64, stored int, err error) {
	touched := map[int64]bool{}
	var bad []BadMeta
	err = d.tx(ctx, func(tx *sql.Tx) error {
		stored, bad = 0, nil
		now := d.stamp()
		for _, r := range recs {
			js, err := json.Marshal(r.Info)
			if err != nil {
				return fmt.Errorf("%s: %w", r.Path, err)
			}
			var photo int64
			err = tx.QueryRowContext(ctx, `
				UPDATE files SET mime = ?, kind = ?, meta = ?, error = ?, reader = ?, indexed_at = ?
				WHERE path = ? AND size = ? AND mtime = ? AND hash = ? AND missing = 0
				RETURNING COALESCE(photo_id, 0)`,
				r.MIME, string(r.Kind), string(js), r.Err, r.Reader, now, r.Path, r.Size, r.MTime, r.Hash).Scan(&photo)
			if errors.Is(err, sql.ErrNoRows) {
				continue // changed meanwhile: the scan has it
			} else if err != nil {
				return fmt.Errorf("%s: %w", r.Path, err)
			}
			stored++
			if photo != 0 && r.Info != nil && r.Info.ContentID != "" {
				// A Live Photo's halves named apart pair once their
				// identifiers are read (db/live.go).
				if photo, err = d.pairLive(ctx, tx, r.Path); err != nil {
					return fmt.Errorf("%s: %w", r.Path, err)
				}
			}
			if photo != 0 {
				touched[photo] = true
			}
		}
		for id := range touched {
			b, err := d.refreshPhoto(ctx, tx, id)
			if err != nil {
				return fmt.Errorf("refresh photo %d: %w", id, err)
			}
			bad = append(bad, b...)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	d.reportBadMeta(bad)
	for id := range touched {
		photos = append(photos, id)
	}
	sort.Slice(photos, func(i, j int) bool { return photos[i] < photos[j] })
	return photos, stored, nil
}

// ReadsInFlight is how many interactive list queries (search, map,
// suggestions) are running; background work waits while there are any.
func (d *DB) ReadsInFlight() int { return len(d.turns) }

// FileMetaJSON returns the metadata stored for a file, as stored.
func (d *DB) FileMetaJSON(ctx context.Context, rel string) (string, error) {
	var js string
	err := d.sql.QueryRowContext(ctx, `SELECT meta FROM files WHERE path = ?`, rel).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("file %s: %w", rel, ErrNotFound)
	}
	return js, err
}
