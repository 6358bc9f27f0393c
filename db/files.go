package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"pinhole/app/meta"
)

// FileStat is what the scanner compares against the disk to decide whether
// a file changed, without reading it.
type FileStat struct {
	ID      int64
	PhotoID int64
	Path    string
	Stem    string // the stack key the file was stored with
	Size    int64
	MTime   int64
	Hash    string
	Missing bool
}

// FileRecord is one file the indexer has read (or failed to read).
type FileRecord struct {
	Path  string // relative to the originals root, '/' separated
	Size  int64
	MTime int64 // unix nanoseconds
	Hash  string
	Kind  meta.Kind
	MIME  string
	Info  *meta.Info // never nil: the indexer fills a fallback when reading failed
	Err   string     // metadata error; the file is still indexed
	// Reader is the meta.ReaderVersion that produced Info; files read by
	// an older one are read again in the background.
	Reader int
	// Stem, when set, is the stack key the indexer chose instead of
	// Stem(name): a Google Takeout JSON or edited copy joins the photo it
	// describes, whose name it does not share.
	Stem string
}

// Exists reports whether a relative path still exists on disk; the database
// uses it to tell a moved file (old path gone) from a duplicate.
type Exists func(rel string) bool

// Stem is the lower-case base name files of one stack share:
// "IMG_1.JPG", "IMG_1.cr2", "IMG_1.xmp" and "IMG_1.JPG.xmp" all give "img_1".
func Stem(name string) string {
	n := strings.ToLower(name)
	if strings.HasSuffix(n, ".xmp") {
		n = strings.TrimSuffix(n, ".xmp")
	}
	if i := strings.LastIndexByte(n, '.'); i > 0 {
		n = n[:i]
	}
	return n
}

// FolderFiles lists the files known in one folder (relative path).
func (d *DB) FolderFiles(ctx context.Context, folder string) ([]FileStat, error) {
	rows, err := d.sql.QueryContext(ctx, `
		SELECT f.id, COALESCE(f.photo_id, 0), f.path, f.stem, f.size, f.mtime, f.hash, f.missing
		FROM files f JOIN folders d ON d.id = f.folder_id
		WHERE d.path = ?`, folder)
	if err != nil {
		return nil, fmt.Errorf("list folder files: %w", err)
	}
	defer rows.Close()
	var out []FileStat
	for rows.Next() {
		var s FileStat
		if err := rows.Scan(&s.ID, &s.PhotoID, &s.Path, &s.Stem, &s.Size, &s.MTime, &s.Hash, &s.Missing); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// FileByPath returns the stat of one file.
func (d *DB) FileByPath(ctx context.Context, rel string) (FileStat, error) {
	var s FileStat
	err := d.sql.QueryRowContext(ctx, `
		SELECT id, COALESCE(photo_id, 0), path, stem, size, mtime, hash, missing FROM files WHERE path = ?`, rel).
		Scan(&s.ID, &s.PhotoID, &s.Path, &s.Stem, &s.Size, &s.MTime, &s.Hash, &s.Missing)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	return s, err
}

// KnownFolders lists every folder path the database knows that is not
// marked missing.
func (d *DB) KnownFolders(ctx context.Context) ([]string, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT path FROM folders WHERE missing = 0 ORDER BY path`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CountLiveFiles counts files not marked missing.
func (d *DB) CountLiveFiles(ctx context.Context) (int, error) {
	var n int
	err := d.sql.QueryRowContext(ctx, `SELECT count(*) FROM files WHERE missing = 0`).Scan(&n)
	return n, err
}

// ApplyFiles stores a batch of read files in one transaction: each new or
// changed file is attached to its photo (moved files keep theirs, exact
// duplicates join the existing photo, same-stem files in one folder stack),
// and every touched photo's metadata is merged again from its files.
func (d *DB) ApplyFiles(ctx context.Context, recs []FileRecord, exists Exists) (photos []int64, err error) {
	touched := map[int64]bool{}
	var bad []BadMeta
	err = d.tx(ctx, func(tx *sql.Tx) error {
		bad = nil
		for i := range recs {
			ids, err := d.applyFile(ctx, tx, &recs[i], exists)
			if err != nil {
				return fmt.Errorf("%s: %w", recs[i].Path, err)
			}
			if recs[i].Info != nil && recs[i].Info.ContentID != "" {
				id, err := d.pairLive(ctx, tx, recs[i].Path) // db/live.go
				if err != nil {
					return fmt.Errorf("%s: %w", recs[i].Path, err)
				}
				ids = append(ids, id)
			}
			for _, id := range ids {
				touched[id] = true
			}
		}
		for id := range touched {
			b, err := d.refreshPhoto(ctx, tx, id)
			if err != nil {
				return fmt.Errorf("refresh photo %d: %w", id, err)
			}
			bad = append(bad, b...)
		}
		for _, r := range recs {
			if _, err := tx.ExecContext(ctx, `DELETE FROM index_errors WHERE path = ?`, r.Path); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	d.reportBadMeta(bad)
	for id := range touched {
		photos = append(photos, id)
	}
	sort.Slice(photos, func(i, j int) bool { return photos[i] < photos[j] })
	return photos, nil
}

// applyFile links one record to a photo and returns the photos to refresh.
func (d *DB) applyFile(ctx context.Context, tx *sql.Tx, r *FileRecord, exists Exists) ([]int64, error) {
	// A file the Trash is deleting, or deleted a moment ago, read by a
	// scan before it went: storing it would bring the photo back (or make
	// one whose file is gone).
	if deleting, err := beingDeleted(ctx, tx, r.Path, r.Size, r.MTime); err != nil || deleting {
		return nil, err
	}
	dir, name := path.Split(r.Path)
	dir = strings.TrimSuffix(dir, "/")
	folderID, err := d.ensureFolder(ctx, tx, dir)
	if err != nil {
		return nil, err
	}
	metaJSON, err := json.Marshal(r.Info)
	if err != nil {
		return nil, err
	}
	stem := Stem(name)
	if r.Stem != "" {
		stem = r.Stem
	}
	now := d.stamp()

	var cur FileStat
	var hadFavorite bool
	err = tx.QueryRowContext(ctx, `
		SELECT id, COALESCE(photo_id, 0), hash, stem, json_extract(meta, '$.favorite') IS NOT NULL FROM files WHERE path = ?`, r.Path).
		Scan(&cur.ID, &cur.PhotoID, &cur.Hash, &cur.Stem, &hadFavorite)
	switch {
	case err == nil:
		// Same path, new content (or first read after an error): keep the
		// photo, re-read its metadata.
		_, err = tx.ExecContext(ctx, `
			UPDATE files SET stem=?, size=?, mtime=?, hash=?, mime=?, kind=?, meta=?, error=?, reader=?, missing=0, indexed_at=?
			WHERE id = ?`, stem, r.Size, r.MTime, r.Hash, r.MIME, string(r.Kind), string(metaJSON), r.Err, r.Reader, now, cur.ID)
		if err != nil {
			return nil, err
		}
		photoID := cur.PhotoID
		if photoID == 0 {
			if photoID, err = d.photoFor(ctx, tx, r, folderID, stem, cur.ID); err != nil {
				return nil, err
			}
			if _, err = tx.ExecContext(ctx, `UPDATE files SET photo_id = ? WHERE id = ?`, photoID, cur.ID); err != nil {
				return nil, err
			}
		} else if stem != cur.Stem {
			// The file's stack changed: a Takeout JSON or edited copy whose
			// photo arrived after it. Its photo joins that one.
			var other int64
			err := tx.QueryRowContext(ctx, `
				SELECT photo_id FROM files WHERE folder_id = ? AND stem = ? AND id <> ? AND photo_id IS NOT NULL AND photo_id <> ? ORDER BY missing, id LIMIT 1`,
				folderID, stem, cur.ID, photoID).Scan(&other)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return nil, err
			}
			if other != 0 {
				keep, drop := min(photoID, other), max(photoID, other)
				if err := d.mergePhotos(ctx, tx, keep, drop); err != nil {
					return nil, err
				}
				photoID = keep
			}
		}
		// A Takeout star is applied once, when the file first says so: a
		// user who takes it off later is not overruled by a re-read.
		if r.Info != nil && r.Info.Favorite && !hadFavorite {
			if _, err := tx.ExecContext(ctx, `UPDATE photos SET favorite = 1 WHERE id = ?`, photoID); err != nil {
				return nil, err
			}
		}
		return []int64{photoID}, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}

	// A new path. Was it moved or renamed? A known file with the same
	// content whose old path is gone is the same file: move its row so the
	// photo keeps its favorite flag, albums and edits.
	if r.Hash != "" && r.Kind != meta.KindSidecar {
		moved, err := d.findMoved(ctx, tx, r.Hash, exists)
		if err != nil {
			return nil, err
		}
		if moved.ID != 0 {
			oldPhoto := moved.PhotoID
			_, err = tx.ExecContext(ctx, `
				UPDATE files SET folder_id=?, path=?, name=?, stem=?, size=?, mtime=?, mime=?, kind=?, meta=?, error=?, reader=?, missing=0, indexed_at=?
				WHERE id = ?`, folderID, r.Path, name, stem, r.Size, r.MTime, r.MIME, string(r.Kind), string(metaJSON), r.Err, r.Reader, now, moved.ID)
			if err != nil {
				return nil, err
			}
			if oldPhoto != 0 {
				return []int64{oldPhoto}, nil
			}
		}
	}

	res, err := tx.ExecContext(ctx, `
		INSERT INTO files (folder_id, path, name, stem, size, mtime, hash, mime, kind, meta, error, reader, indexed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		folderID, r.Path, name, stem, r.Size, r.MTime, r.Hash, r.MIME, string(r.Kind), string(metaJSON), r.Err, r.Reader, now)
	if err != nil {
		return nil, err
	}
	fileID, _ := res.LastInsertId()
	photoID, err := d.photoFor(ctx, tx, r, folderID, stem, fileID)
	if err != nil {
		return nil, err
	}
	if _, err = tx.ExecContext(ctx, `UPDATE files SET photo_id = ? WHERE id = ?`, photoID, fileID); err != nil {
		return nil, err
	}
	if r.Info != nil && r.Info.Favorite {
		// First index of a Takeout star. The same content already known
		// elsewhere is a moved or copied JSON whose star was applied once.
		var seen bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM files WHERE hash = ? AND hash <> '' AND id <> ?)`, r.Hash, fileID).Scan(&seen); err != nil {
			return nil, err
		}
		if !seen {
			if _, err := tx.ExecContext(ctx, `UPDATE photos SET favorite = 1 WHERE id = ?`, photoID); err != nil {
				return nil, err
			}
		}
	}
	return []int64{photoID}, nil
}

// findMoved returns a file with this hash whose path no longer exists.
func (d *DB) findMoved(ctx context.Context, tx *sql.Tx, hash string, exists Exists) (FileStat, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, COALESCE(photo_id, 0), path, missing FROM files WHERE hash = ? ORDER BY missing DESC, id`, hash)
	if err != nil {
		return FileStat{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var s FileStat
		if err := rows.Scan(&s.ID, &s.PhotoID, &s.Path, &s.Missing); err != nil {
			return FileStat{}, err
		}
		if s.Missing || exists == nil || !exists(s.Path) {
			return s, nil
		}
	}
	return FileStat{}, rows.Err()
}

// photoFor picks the photo a new file belongs to: the photo of an identical
// file (exact duplicate) and the photo of a same-stem file in the same
// folder (stack). When both exist and differ (files arrived in an order
// that made two photos), they are merged into the older one.
func (d *DB) photoFor(ctx context.Context, tx *sql.Tx, r *FileRecord, folderID int64, stem string, fileID int64) (int64, error) {
	var dup, stack int64
	if r.Hash != "" && r.Kind != meta.KindSidecar {
		err := tx.QueryRowContext(ctx, `
			SELECT photo_id FROM files WHERE hash = ? AND id <> ? AND photo_id IS NOT NULL AND kind <> 'sidecar' ORDER BY missing, id LIMIT 1`,
			r.Hash, fileID).Scan(&dup)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	err := tx.QueryRowContext(ctx, `
		SELECT photo_id FROM files WHERE folder_id = ? AND stem = ? AND id <> ? AND photo_id IS NOT NULL ORDER BY missing, id LIMIT 1`,
		folderID, stem, fileID).Scan(&stack)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	switch {
	case dup != 0 && stack != 0 && dup != stack:
		keep, drop := min(dup, stack), max(dup, stack)
		return keep, d.mergePhotos(ctx, tx, keep, drop)
	case dup != 0:
		return dup, nil
	case stack != 0:
		return stack, nil
	}
	now := d.stamp()
	taken := takenColumns(r.Info)
	// Content removed from the library while the originals were read-only
	// comes back hidden, wherever it appears (db/trash.go).
	trashed, removed := "", 0
	if r.Hash != "" {
		var ignored bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM ignored_hashes WHERE hash = ?)`, r.Hash).Scan(&ignored); err != nil {
			return 0, err
		}
		if ignored {
			trashed, removed = now, 1
		}
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO photos (uid, taken_at, taken_local, taken_offset, taken_source, added_at, updated_at, trashed_at, removed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, NewUID(), taken.at, taken.local, taken.offset, taken.source, now, now, trashed, removed)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// mergePhotos moves everything of photo drop into photo keep: files, album
// memberships and flags (a favorite stays a favorite, a photo in the Trash
// or removed from the library stays there), then deletes drop. keep's own
// edits win.
func (d *DB) mergePhotos(ctx context.Context, tx *sql.Tx, keep, drop int64) error {
	stmts := []string{
		`UPDATE files SET photo_id = ?1 WHERE photo_id = ?2`,
		`INSERT OR IGNORE INTO album_photos (album_id, photo_id, position, added_at)
			SELECT album_id, ?1, position, added_at FROM album_photos WHERE photo_id = ?2`,
		`UPDATE albums SET cover_photo_id = ?1 WHERE cover_photo_id = ?2`,
		`UPDATE photos SET
			favorite = max(favorite, (SELECT favorite FROM photos WHERE id = ?2)),
			private  = max(private,  (SELECT private  FROM photos WHERE id = ?2)),
			archived = max(archived, (SELECT archived FROM photos WHERE id = ?2)),
			trashed_at = max(trashed_at, (SELECT trashed_at FROM photos WHERE id = ?2)),
			removed  = max(removed,  (SELECT removed  FROM photos WHERE id = ?2))
		WHERE id = ?1`,
		`DELETE FROM photos_fts WHERE rowid = (SELECT search_key FROM photos WHERE id = ?2)`,
		`DELETE FROM photos WHERE id = ?2`,
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q, keep, drop); err != nil {
			return fmt.Errorf("merge photo %d into %d: %w", drop, keep, err)
		}
	}
	return nil
}

// NewUID returns a random 16-character identifier.
func NewUID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b[:])
}

func (d *DB) ensureFolder(ctx context.Context, tx *sql.Tx, rel string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM folders WHERE path = ?`, rel).Scan(&id)
	if err == nil {
		_, err = tx.ExecContext(ctx, `UPDATE folders SET missing = 0 WHERE id = ? AND missing = 1`, id)
		return id, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	var parent sql.NullInt64
	if rel != "" {
		p := path.Dir(rel)
		if p == "." {
			p = ""
		}
		pid, err := d.ensureFolder(ctx, tx, p)
		if err != nil {
			return 0, err
		}
		parent = sql.NullInt64{Int64: pid, Valid: true}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO folders (path, parent_id, name) VALUES (?, ?, ?)`, rel, parent, path.Base("/"+rel))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// MarkMissing flags files as missing (never deleting them or their photos'
// user data) and updates their photos' missing state. Files the Trash is
// deleting are left alone.
func (d *DB) MarkMissing(ctx context.Context, paths []string) (int, error) {
	if len(paths) == 0 {
		return 0, nil
	}
	n := 0
	var bad []BadMeta
	err := d.tx(ctx, func(tx *sql.Tx) error {
		n, bad = 0, nil
		photos := map[int64]bool{}
		for _, p := range paths {
			var id, photo int64
			// A file the Trash is deleting is expected to go: it is not
			// missing, and its rows go when all of its photo's files are
			// gone (db/trash.go).
			err := tx.QueryRowContext(ctx, `SELECT f.id, COALESCE(f.photo_id,0) FROM files f WHERE f.path = ? AND f.missing = 0
				AND NOT EXISTS (SELECT 1 FROM trash_deletions t WHERE t.file_id = f.id AND t.path = f.path AND t.state = 'pending')`, p).Scan(&id, &photo)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			} else if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE files SET missing = 1 WHERE id = ?`, id); err != nil {
				return err
			}
			n++
			if photo != 0 {
				photos[photo] = true
			}
		}
		for id := range photos {
			b, err := d.refreshPhoto(ctx, tx, id)
			if err != nil {
				return err
			}
			bad = append(bad, b...)
		}
		return nil
	})
	if err == nil {
		d.reportBadMeta(bad)
	}
	return n, err
}

// MarkFolderMissing flags a folder, its sub-folders and all their files as
// missing.
func (d *DB) MarkFolderMissing(ctx context.Context, rel string) (int, error) {
	like := escapeLike(rel) + "/%"
	if rel == "" {
		like = "%"
	}
	rows, err := d.sql.QueryContext(ctx, `SELECT path FROM files WHERE missing = 0 AND (path LIKE ? ESCAPE '\')`, like)
	if err != nil {
		return 0, err
	}
	var paths []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return 0, err
		}
		paths = append(paths, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n, err := d.MarkMissing(ctx, paths)
	if err != nil {
		return n, err
	}
	_, err = d.sql.ExecContext(ctx, `UPDATE folders SET missing = 1 WHERE path = ? OR path LIKE ? ESCAPE '\'`, rel, like)
	return n, err
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// RecordIndexError remembers that a file could not be indexed.
func (d *DB) RecordIndexError(ctx context.Context, rel, msg string) error {
	_, err := d.sql.ExecContext(ctx, `
		INSERT INTO index_errors (path, error, at) VALUES (?, ?, ?)
		ON CONFLICT(path) DO UPDATE SET error = excluded.error, at = excluded.at`, rel, msg, d.stamp())
	return err
}

// IndexError is one file the owner should look at.
type IndexError struct {
	Path  string `json:"path"`
	Error string `json:"error"`
	At    string `json:"at"`
}

// IndexErrors lists files that failed to index or whose metadata could not
// be read, newest first.
func (d *DB) IndexErrors(ctx context.Context, limit int) ([]IndexError, error) {
	rows, err := d.sql.QueryContext(ctx, `
		SELECT path, error, at FROM index_errors
		UNION ALL
		SELECT path, error, indexed_at FROM files WHERE error <> '' AND missing = 0
		ORDER BY 3 DESC, 1 LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []IndexError
	for rows.Next() {
		var e IndexError
		if err := rows.Scan(&e.Path, &e.Error, &e.At); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// PrimaryFile is the file a photo's thumbnails are rendered from.
type PrimaryFile struct {
	PhotoID     int64
	Path        string // relative to the originals
	Hash        string
	MIME        string
	Orientation int
}

// EachPrimaryFile calls fn for the primary file of every photo that is
// neither missing nor in the Trash, newest photos first (those are looked
// at first).
func (d *DB) EachPrimaryFile(ctx context.Context, fn func(PrimaryFile) error) error {
	rows, err := d.sql.QueryContext(ctx, `
		SELECT p.id, f.path, f.hash, f.mime, p.orientation
		FROM photos p JOIN files f ON f.id = p.primary_file_id
		WHERE p.missing = 0 AND f.missing = 0 AND `+notTrashed+`
		ORDER BY p.taken_at DESC, p.id DESC`)
	if err != nil {
		return err
	}
	var list []PrimaryFile
	for rows.Next() {
		var f PrimaryFile
		if err := rows.Scan(&f.PhotoID, &f.Path, &f.Hash, &f.MIME, &f.Orientation); err != nil {
			rows.Close()
			return err
		}
		list = append(list, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Rows are collected first so fn (slow renders) never holds a read
	// transaction open against the indexer's writes.
	for _, f := range list {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}
