package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The Trash. A photo is the unit: moving it to the Trash hides every file
// of it (RAW, JPEG, sidecar, live video) from every view (notTrashed in
// reader.go); restoring brings it back as it was, albums and edits
// included. Deleting goes through a journal (trash_deletions, migration
// 024) that app/trash works through: BeginDeletion writes a row per file,
// the service unlinks each and reports it with SettleDeletions, and a
// photo's rows go once all of its files are done. With read-only
// originals nothing is deleted from disk: RemoveFromLibrary hides the
// photo for good and remembers its files' content.

// Deletion states in the journal.
const (
	DeletionPending = "pending" // to be unlinked
	DeletionDeleted = "deleted" // unlinked (or already gone)
	DeletionKept    = "kept"    // not the file the library knew (changed, replaced): left on disk
	DeletionFailed  = "failed"  // could not be unlinked (permissions): the photo goes back to the Trash
)

// TrashPhotos moves photos to the Trash and reports how many moved; ids of
// photos already there, or of no photo, are skipped.
func (d *DB) TrashPhotos(ctx context.Context, ids []int64) (int, error) {
	if err := checkIDs(ids); err != nil {
		return 0, err
	}
	n := 0
	err := d.tx(ctx, func(tx *sql.Tx) error {
		n = 0
		now := d.stamp()
		st, err := tx.PrepareContext(ctx, `UPDATE photos SET trashed_at = ?, updated_at = ? WHERE id = ? AND trashed_at = ''`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, id := range ids {
			res, err := st.ExecContext(ctx, now, now, id)
			if err != nil {
				return fmt.Errorf("trash photo %d: %w", id, err)
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	return n, err
}

// restorable is the condition on photos p for a photo the Trash can give
// back: in it, not removed from the library, not being deleted.
const restorable = `p.trashed_at <> '' AND p.removed = 0
	AND NOT EXISTS (SELECT 1 FROM trash_deletions t WHERE t.photo_id = p.id AND t.state = 'pending')`

// RestorePhotos takes photos out of the Trash, back where they were; nil
// ids restores the whole Trash. It reports how many came back (photos
// being deleted do not).
func (d *DB) RestorePhotos(ctx context.Context, ids []int64) (int, error) {
	if ids != nil {
		if err := checkIDs(ids); err != nil {
			return 0, err
		}
	}
	n := 0
	err := d.tx(ctx, func(tx *sql.Tx) error {
		cond, args := restorable, []any{d.stamp()}
		if ids != nil {
			js, _ := json.Marshal(ids)
			cond += ` AND p.id IN (SELECT value FROM json_each(?))`
			args = append(args, string(js))
		}
		res, err := tx.ExecContext(ctx, `UPDATE photos AS p SET trashed_at = '', updated_at = ? WHERE `+cond, args...)
		if err != nil {
			return fmt.Errorf("restore photos: %w", err)
		}
		k, _ := res.RowsAffected()
		n = int(k)
		return nil
	})
	return n, err
}

// TrashPage is one page of the Trash, most recently trashed first.
type TrashPage struct {
	Photos []Photo `json:"photos"`
	Next   string  `json:"next"`
}

// TrashedPhotos lists the Trash, most recently trashed first, limit (1–500,
// default 100) photos after cursor. Photos being deleted are not listed.
func (d *DB) TrashedPhotos(ctx context.Context, cur string, limit int) (TrashPage, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 500)
	where, args := restorable, []any{}
	if cur != "" {
		c, err := decodeCursor(cur)
		key, ok := c.Key.(string)
		if err != nil || c.Sort != "trashed" || !ok {
			return TrashPage{}, fmt.Errorf("the cursor does not belong to this list: %w", ErrInvalid)
		}
		where += ` AND (p.trashed_at, p.id) < (?, ?)`
		args = append(args, key, c.ID)
	}
	args = append(args, limit+1)
	done, err := d.wait(ctx)
	if err != nil {
		return TrashPage{}, err
	}
	defer done()
	rows, err := d.sql.QueryContext(ctx, `SELECT `+photoColumns+` FROM photos p `+photoJoins+`
		WHERE `+where+` ORDER BY p.trashed_at DESC, p.id DESC LIMIT ?`, args...)
	if err != nil {
		return TrashPage{}, fmt.Errorf("list the trash: %w", err)
	}
	defer rows.Close()
	page := TrashPage{Photos: []Photo{}}
	for rows.Next() {
		p, err := scanPhoto(rows)
		if err != nil {
			return TrashPage{}, err
		}
		if len(page.Photos) == limit {
			last := page.Photos[limit-1]
			page.Next = encodeCursor(cursor{Sort: "trashed", Key: last.TrashedAt, ID: last.ID})
			break
		}
		page.Photos = append(page.Photos, p)
	}
	return page, rows.Err()
}

// TrashSummary is what the Trash holds.
type TrashSummary struct {
	Photos int   `json:"photos"` // in the Trash, restorable
	Bytes  int64 `json:"bytes"`  // their files' size on disk
	// Deleting counts photos whose files are being deleted now.
	Deleting int `json:"deleting"`
	// Oldest is when the longest-trashed photo was trashed ("" when none).
	Oldest string `json:"oldest,omitempty"`
}

// Trash summarises the Trash.
func (d *DB) Trash(ctx context.Context) (TrashSummary, error) {
	var s TrashSummary
	err := d.sql.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM photos p WHERE `+restorable+`),
		(SELECT COALESCE(sum(f.size), 0) FROM photos p JOIN files f ON f.photo_id = p.id WHERE f.missing = 0 AND `+restorable+`),
		(SELECT count(DISTINCT photo_id) FROM trash_deletions WHERE state = 'pending'),
		(SELECT COALESCE(min(p.trashed_at), '') FROM photos p WHERE `+restorable+`)`).
		Scan(&s.Photos, &s.Bytes, &s.Deleting, &s.Oldest)
	if err != nil {
		return s, fmt.Errorf("summarise the trash: %w", err)
	}
	return s, nil
}

// trashedPhotoIDs lists the photos of the Trash among ids (nil: all of
// it) trashed at or before before ("" for any time), that no deletion has
// started on.
func trashedPhotoIDs(ctx context.Context, tx *sql.Tx, ids []int64, before string) ([]int64, error) {
	cond, args := restorable, []any{}
	if ids != nil {
		js, _ := json.Marshal(ids)
		cond += ` AND p.id IN (SELECT value FROM json_each(?))`
		args = append(args, string(js))
	}
	if before != "" {
		cond += ` AND p.trashed_at <= ?`
		args = append(args, before)
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.id FROM photos p WHERE `+cond+` ORDER BY p.trashed_at, p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list trashed photos: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// BeginDeletion starts deleting photos of the Trash for good: those among
// ids (nil: the whole Trash) trashed at or before before ("" for any
// time). In one transaction it journals every file of each photo — its
// files' rows with the size and time the library knew, and the sidecars
// Pinhole wrote for it that are no file of the library (DATA/sidecars, or
// beside the photo and not indexed yet, known by their content hash). It
// reports how many photos it journalled; PendingDeletions hands out the
// work.
func (d *DB) BeginDeletion(ctx context.Context, ids []int64, before string) (int, error) {
	if ids != nil {
		if err := checkIDs(ids); err != nil {
			return 0, err
		}
	}
	n := 0
	err := d.tx(ctx, func(tx *sql.Tx) error {
		photos, err := trashedPhotoIDs(ctx, tx, ids, before)
		if err != nil {
			return err
		}
		n = len(photos)
		now := d.stamp()
		files, err := tx.PrepareContext(ctx, `INSERT INTO trash_deletions (photo_id, file_id, place, path, size, mtime, hash, created_at)
			SELECT f.photo_id, f.id, 'originals', f.path, f.size, f.mtime, f.hash, ? FROM files f WHERE f.photo_id = ?`)
		if err != nil {
			return err
		}
		defer files.Close()
		sidecars, err := tx.PrepareContext(ctx, `INSERT INTO trash_deletions (photo_id, file_id, place, path, size, mtime, hash, created_at)
			SELECT s.photo_id, 0, s.place, s.path, -1, 0, s.hash, ? FROM sidecar_writes s WHERE s.photo_id = ?
			AND NOT (s.place = 'originals' AND EXISTS (SELECT 1 FROM files f WHERE f.path = s.path))`)
		if err != nil {
			return err
		}
		defer sidecars.Close()
		for _, id := range photos {
			res, err := files.ExecContext(ctx, now, id)
			if err != nil {
				return fmt.Errorf("journal photo %d: %w", id, err)
			}
			if k, _ := res.RowsAffected(); k == 0 {
				// No file at all (nothing on disk to delete): its rows go now.
				if err := deletePhotoRows(ctx, tx, id); err != nil {
					return err
				}
				continue
			}
			if _, err := sidecars.ExecContext(ctx, now, id); err != nil {
				return fmt.Errorf("journal the sidecars of photo %d: %w", id, err)
			}
		}
		return nil
	})
	return n, err
}

// Deletion is one file the journal says to delete.
type Deletion struct {
	ID      int64
	PhotoID int64
	Place   string // SidecarBeside ("originals") or SidecarData ("data")
	Path    string // relative to the place, '/' separated
	// Size and MTime are what the library knew of the file: a file on disk
	// that differs is another file now and is kept. Size -1: the file is
	// known by its content Hash only (a sidecar Pinhole wrote).
	Size  int64
	MTime int64
	Hash  string
	// Stale is set when the library no longer ties the file to the photo
	// being deleted (the indexer gave it to another photo meanwhile): it
	// is kept.
	Stale bool
}

// PendingDeletions returns up to limit files still to delete, a photo's
// files together, oldest journal first.
func (d *DB) PendingDeletions(ctx context.Context, limit int) ([]Deletion, error) {
	rows, err := d.sql.QueryContext(ctx, `
		SELECT t.id, t.photo_id, t.place, t.path, t.size, t.mtime, t.hash,
			(t.file_id <> 0 AND (f.id IS NULL OR f.photo_id IS NOT t.photo_id OR f.path <> t.path))
				OR p.id IS NULL OR p.trashed_at = ''
		FROM trash_deletions t LEFT JOIN files f ON f.id = t.file_id LEFT JOIN photos p ON p.id = t.photo_id
		WHERE t.state = 'pending' ORDER BY t.photo_id, t.id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list pending deletions: %w", err)
	}
	defer rows.Close()
	var out []Deletion
	for rows.Next() {
		var e Deletion
		if err := rows.Scan(&e.ID, &e.PhotoID, &e.Place, &e.Path, &e.Size, &e.MTime, &e.Hash, &e.Stale); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// DeletionResult is what became of one journalled file.
type DeletionResult struct {
	ID    int64
	State string // DeletionDeleted, DeletionKept or DeletionFailed
}

// DeletionOutcome is what SettleDeletions finished.
type DeletionOutcome struct {
	Deleted  []int64 // photos gone, rows and all
	Returned []int64 // photos back in the Trash: some file could not be deleted
}

// SettleDeletions records what became of journalled files, then finishes
// each photo none of whose files is pending any more: a photo with a file
// that could not be deleted goes back to the Trash without the files that
// are gone; any other loses its rows (files, search row, albums, keywords
// and the photo). Done journal rows stay as tombstones until
// PruneDeletions, so that a scan's late read of a deleted file is not
// stored (beingDeleted).
func (d *DB) SettleDeletions(ctx context.Context, results []DeletionResult) (DeletionOutcome, error) {
	var out DeletionOutcome
	var bad []BadMeta
	err := d.tx(ctx, func(tx *sql.Tx) error {
		out, bad = DeletionOutcome{}, nil
		now := d.stamp()
		photos := map[int64]bool{}
		for _, r := range results {
			switch r.State {
			case DeletionDeleted, DeletionKept, DeletionFailed:
			default:
				return fmt.Errorf("deletion state %q: %w", r.State, ErrInvalid)
			}
			var photo int64
			err := tx.QueryRowContext(ctx, `UPDATE trash_deletions SET state = ?, done_at = ? WHERE id = ? AND state = 'pending'
				RETURNING photo_id`, r.State, now, r.ID).Scan(&photo)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			} else if err != nil {
				return fmt.Errorf("record deletion %d: %w", r.ID, err)
			}
			photos[photo] = true
		}
		for id := range photos {
			var pending, failed int
			err := tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'failed')
				FROM trash_deletions WHERE photo_id = ?`, id).Scan(&pending, &failed)
			if err != nil {
				return err
			}
			switch {
			case pending > 0:
				continue
			case failed > 0:
				// What is gone is gone; the photo stays in the Trash with
				// the files that are left, and may be deleted again later.
				if _, err := tx.ExecContext(ctx, `DELETE FROM files WHERE photo_id = ? AND id IN
					(SELECT file_id FROM trash_deletions WHERE photo_id = ? AND state = 'deleted')`, id, id); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM trash_deletions WHERE photo_id = ? AND state IN ('failed', 'kept')`, id); err != nil {
					return err
				}
				b, err := d.refreshPhoto(ctx, tx, id)
				if err != nil {
					return err
				}
				bad = append(bad, b...)
				out.Returned = append(out.Returned, id)
			default:
				if err := deletePhotoRows(ctx, tx, id); err != nil {
					return err
				}
				out.Deleted = append(out.Deleted, id)
			}
		}
		return nil
	})
	if err != nil {
		return DeletionOutcome{}, err
	}
	d.reportBadMeta(bad)
	return out, nil
}

// deletePhotoRows removes a photo and its files' rows; foreign keys take
// its album places, keywords, sidecar record and perceptual hash with it.
func deletePhotoRows(ctx context.Context, tx *sql.Tx, id int64) error {
	for _, q := range []string{
		`DELETE FROM photos_fts WHERE rowid = (SELECT search_key FROM photos WHERE id = ?)`,
		`DELETE FROM files WHERE photo_id = ?`,
		`DELETE FROM photos WHERE id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("delete photo %d: %w", id, err)
		}
	}
	return nil
}

// beingDeleted reports whether the journal holds this file as the library
// knew it (path, size and time): a file the Trash is deleting or deleted
// a moment ago.
func beingDeleted(ctx context.Context, tx *sql.Tx, path string, size, mtime int64) (bool, error) {
	var yes bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM trash_deletions WHERE path = ? AND place = 'originals'
		AND size = ? AND mtime = ? AND state IN ('pending', 'deleted'))`, path, size, mtime).Scan(&yes)
	return yes, err
}

// PruneDeletions forgets journal rows finished before before: by then no
// scan still holds a read of those files.
func (d *DB) PruneDeletions(ctx context.Context, before time.Time) (int, error) {
	res, err := d.sql.ExecContext(ctx, `DELETE FROM trash_deletions WHERE state <> 'pending' AND done_at < ?`, formatTime(before))
	if err != nil {
		return 0, fmt.Errorf("prune the deletion journal: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// RemoveFromLibrary is emptying the Trash when the originals are
// read-only: the photos among ids (nil: the whole Trash) trashed at or
// before before ("" for any time) leave the Trash for good while their
// files stay on disk. Each stays hidden, and the content hash of each of
// its files is remembered, so neither a re-index nor a move or copy of a
// file brings it back. It reports how many photos it removed.
func (d *DB) RemoveFromLibrary(ctx context.Context, ids []int64, before string) (int, error) {
	if ids != nil {
		if err := checkIDs(ids); err != nil {
			return 0, err
		}
	}
	n := 0
	err := d.tx(ctx, func(tx *sql.Tx) error {
		photos, err := trashedPhotoIDs(ctx, tx, ids, before)
		if err != nil {
			return err
		}
		n = len(photos)
		now := d.stamp()
		for _, id := range photos {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO ignored_hashes (hash, path, removed_at)
				SELECT hash, path, ? FROM files WHERE photo_id = ? AND hash <> ''`, now, id); err != nil {
				return fmt.Errorf("remember the files of photo %d: %w", id, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE photos SET removed = 1, updated_at = ? WHERE id = ?`, now, id); err != nil {
				return fmt.Errorf("remove photo %d: %w", id, err)
			}
		}
		return nil
	})
	return n, err
}
