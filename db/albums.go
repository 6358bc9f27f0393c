package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Album is a user-made collection of photos.
type Album struct {
	ID           int64  `json:"id"`
	UID          string `json:"uid"`
	Title        string `json:"title"`
	Description  string `json:"description"`
	Count        int    `json:"count"`
	CoverPhotoID *int64 `json:"cover_photo_id"`
	CoverHash    string `json:"cover_hash"`
	SortOrder    int    `json:"sort_order"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
}

// Who looks at an album decides which photos count and which may be its
// cover: ?1 in albumSelect.
const (
	albumsOwner   = 0 // admins and users: every present photo
	albumsViewer  = 1 // viewers: no private photos
	albumsVisitor = 2 // share visitors: no private or archived photos
)

// albumVisible is the condition on photo p for albumSelect's ?1.
const albumVisible = `p.missing = 0 AND ` + notTrashed + ` AND (?1 = 0 OR p.private = 0) AND (?1 < 2 OR p.archived = 0)`

// albumCoverVisible is whether the chosen cover p shows: to the owner
// always unless it is in the Trash (a cover on an unmounted drive stays
// chosen), to others when albumVisible holds.
const albumCoverVisible = `(` + notTrashed + ` AND (?1 = 0 OR (` + albumVisible + `)))`

// albumSelect reads albums with their visible photo count and cover. The
// cover is the chosen photo when the caller may see it, else the album's
// first photo the caller may see, else none: a private cover must never
// reach a viewer or a visitor, not even as an id. cover_photo_id is the
// owner's choice, shown only to those who may see that photo.
const albumSelect = `SELECT a.id, a.uid, a.title, a.description,
	(SELECT p.id FROM photos p WHERE p.id = a.cover_photo_id AND ` + albumCoverVisible + ` AND {space}),
	a.sort_order, a.created_at, a.updated_at,
	(SELECT count(*) FROM album_photos ap JOIN photos p ON p.id = ap.photo_id WHERE ap.album_id = a.id AND ` + albumVisible + ` AND {space}),
	COALESCE((SELECT f.hash FROM photos p JOIN files f ON f.id = p.primary_file_id
		WHERE p.id = a.cover_photo_id AND ` + albumCoverVisible + ` AND {space}),
		(SELECT f.hash FROM album_photos ap JOIN photos p ON p.id = ap.photo_id JOIN files f ON f.id = p.primary_file_id
		WHERE ap.album_id = a.id AND ` + albumVisible + ` AND {space} ORDER BY ap.position, ap.photo_id LIMIT 1), '')
	FROM albums a`

// albumSelectOf is albumSelect for r: {space} is r's private spaces
// (db/spaces.go), so an album's count and cover leave out the photos of
// spaces r may not see.
func albumSelectOf(r Reader) string { return strings.ReplaceAll(albumSelect, "{space}", r.spaceCond()) }

func scanAlbum(s scanner) (Album, error) {
	var a Album
	err := s.Scan(&a.ID, &a.UID, &a.Title, &a.Description, &a.CoverPhotoID, &a.SortOrder, &a.CreatedAt, &a.UpdatedAt, &a.Count, &a.CoverHash)
	return a, err
}

// albumsOf is the condition on albums a for the ones r may open: all of
// them, or a visitor's shared album.
func albumsOf(r Reader) string {
	if r.Kind == Visitor {
		return ` WHERE a.id = ` + strconv.FormatInt(r.Album, 10)
	}
	return ` WHERE 1`
}

// Albums lists the albums r may open in the owner's order, then by title.
func (d *DB) Albums(ctx context.Context, r Reader) ([]Album, error) {
	rows, err := d.sql.QueryContext(ctx, albumSelectOf(r)+albumsOf(r)+` ORDER BY a.sort_order, a.title COLLATE NOCASE, a.id`, r.albumLevel())
	if err != nil {
		return nil, fmt.Errorf("list albums: %w", err)
	}
	defer rows.Close()
	out := []Album{}
	for rows.Next() {
		a, err := scanAlbum(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AlbumByID loads one album as r sees it: its count and cover leave out
// the photos r may not see (for a share visitor also archived and missing
// ones, the photos the visitor's list leaves out). An album r may not
// open is ErrNotFound.
func (d *DB) AlbumByID(ctx context.Context, id int64, r Reader) (Album, error) {
	a, err := scanAlbum(d.sql.QueryRowContext(ctx, albumSelectOf(r)+albumsOf(r)+` AND a.id = ?2`, r.albumLevel(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("album %d: %w", id, ErrNotFound)
	}
	return a, err
}

func checkAlbumText(title, desc string) error {
	if strings.TrimSpace(title) == "" {
		return fmt.Errorf("an album needs a title: %w", ErrInvalid)
	}
	if utf8.RuneCountInString(title) > 200 || len(desc) > 20000 {
		return fmt.Errorf("album title (200 characters) or description too long: %w", ErrInvalid)
	}
	return nil
}

// CreateAlbum makes an empty album at the end of the list.
func (d *DB) CreateAlbum(ctx context.Context, title, desc string) (Album, error) {
	if err := checkAlbumText(title, desc); err != nil {
		return Album{}, err
	}
	now := d.stamp()
	res, err := d.sql.ExecContext(ctx, `INSERT INTO albums (uid, title, description, sort_order, created_at, updated_at)
		VALUES (?, ?, ?, (SELECT COALESCE(max(sort_order), 0) + 1 FROM albums), ?, ?)`, NewUID(), strings.TrimSpace(title), desc, now, now)
	if err != nil {
		return Album{}, fmt.Errorf("create album: %w", err)
	}
	id, _ := res.LastInsertId()
	return d.AlbumByID(ctx, id, Reader{Kind: Owner})
}

// AlbumEdit changes an album; nil fields stay.
type AlbumEdit struct {
	Title, Description *string
	CoverPhotoID       *int64 // 0 goes back to the first photo
}

// EditAlbum applies e. The cover must be a photo in the album.
func (d *DB) EditAlbum(ctx context.Context, id int64, e AlbumEdit) error {
	a, err := d.AlbumByID(ctx, id, Reader{Kind: Owner})
	if err != nil {
		return err
	}
	title, desc := a.Title, a.Description
	if e.Title != nil {
		title = *e.Title
	}
	if e.Description != nil {
		desc = *e.Description
	}
	if err := checkAlbumText(title, desc); err != nil {
		return err
	}
	var cover any = a.CoverPhotoID
	if e.CoverPhotoID != nil {
		cover = nil
		if *e.CoverPhotoID != 0 {
			var n int
			_ = d.sql.QueryRowContext(ctx, `SELECT count(*) FROM album_photos WHERE album_id = ? AND photo_id = ?`, id, *e.CoverPhotoID).Scan(&n)
			if n == 0 {
				return fmt.Errorf("the cover must be a photo in the album: %w", ErrInvalid)
			}
			cover = *e.CoverPhotoID
		}
	}
	_, err = d.sql.ExecContext(ctx, `UPDATE albums SET title = ?, description = ?, cover_photo_id = ?, updated_at = ? WHERE id = ?`,
		strings.TrimSpace(title), desc, cover, d.stamp(), id)
	return err
}

// DeleteAlbum removes an album (its photos stay) and, by cascade, its shares.
func (d *DB) DeleteAlbum(ctx context.Context, id int64) error {
	res, err := d.sql.ExecContext(ctx, `DELETE FROM albums WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("album %d: %w", id, ErrNotFound)
	}
	return nil
}

func checkIDs(ids []int64) error {
	if len(ids) == 0 || len(ids) > 10000 {
		return fmt.Errorf("give 1 to 10000 ids: %w", ErrInvalid)
	}
	return nil
}

// AddToAlbum appends photos to an album, skipping ones already in it and
// ids that are not photos (or are in the Trash); it reports how many were
// added.
func (d *DB) AddToAlbum(ctx context.Context, id int64, photoIDs []int64) (int, error) {
	if err := checkIDs(photoIDs); err != nil {
		return 0, err
	}
	n := 0
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM albums WHERE id = ?`, id).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return fmt.Errorf("album %d: %w", id, ErrNotFound)
		}
		var pos int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(position), 0) FROM album_photos WHERE album_id = ?`, id).Scan(&pos); err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO album_photos (album_id, photo_id, position, added_at)
			SELECT ?, p.id, ?, ? FROM photos p WHERE p.id = ? AND `+notTrashed)
		if err != nil {
			return err
		}
		defer st.Close()
		now := d.stamp()
		for _, pid := range photoIDs {
			res, err := st.ExecContext(ctx, id, pos+1, now, pid)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k > 0 {
				n++
				pos++
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE albums SET updated_at = ? WHERE id = ?`, now, id)
		return err
	})
	return n, err
}

// RemoveFromAlbum takes photos out of an album and reports how many were in it.
func (d *DB) RemoveFromAlbum(ctx context.Context, id int64, photoIDs []int64) (int, error) {
	if err := checkIDs(photoIDs); err != nil {
		return 0, err
	}
	if _, err := d.AlbumByID(ctx, id, Reader{Kind: Owner}); err != nil {
		return 0, err
	}
	n := 0
	err := d.tx(ctx, func(tx *sql.Tx) error {
		for _, pid := range photoIDs {
			res, err := tx.ExecContext(ctx, `DELETE FROM album_photos WHERE album_id = ? AND photo_id = ?`, id, pid)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		_, err := tx.ExecContext(ctx, `UPDATE albums SET cover_photo_id = NULL WHERE id = ? AND cover_photo_id NOT IN
			(SELECT photo_id FROM album_photos WHERE album_id = ?)`, id, id)
		return err
	})
	return n, err
}

// OrderAlbum puts the named photos first, in that order; the album's other
// photos follow in their previous order.
func (d *DB) OrderAlbum(ctx context.Context, id int64, photoIDs []int64) error {
	if err := checkIDs(photoIDs); err != nil {
		return err
	}
	if _, err := d.AlbumByID(ctx, id, Reader{Kind: Owner}); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT photo_id FROM album_photos WHERE album_id = ? ORDER BY position, photo_id`, id)
		if err != nil {
			return err
		}
		in := map[int64]bool{}
		var current []int64
		for rows.Next() {
			var pid int64
			if err := rows.Scan(&pid); err != nil {
				rows.Close()
				return err
			}
			in[pid] = true
			current = append(current, pid)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		order := make([]int64, 0, len(current))
		placed := map[int64]bool{}
		for _, pid := range photoIDs {
			if in[pid] && !placed[pid] {
				order, placed[pid] = append(order, pid), true
			}
		}
		for _, pid := range current {
			if !placed[pid] {
				order = append(order, pid)
			}
		}
		st, err := tx.PrepareContext(ctx, `UPDATE album_photos SET position = ? WHERE album_id = ? AND photo_id = ?`)
		if err != nil {
			return err
		}
		defer st.Close()
		for i, pid := range order {
			if _, err := st.ExecContext(ctx, i+1, id, pid); err != nil {
				return err
			}
		}
		return nil
	})
}

// OrderAlbums sets the order of the album list: the named albums first.
func (d *DB) OrderAlbums(ctx context.Context, albumIDs []int64) error {
	if err := checkIDs(albumIDs); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		// Albums not named keep their order after the named ones.
		if _, err := tx.ExecContext(ctx, `UPDATE albums SET sort_order = sort_order + ?`, len(albumIDs)+1); err != nil {
			return err
		}
		for i, id := range albumIDs {
			if _, err := tx.ExecContext(ctx, `UPDATE albums SET sort_order = ? WHERE id = ?`, i+1, id); err != nil {
				return err
			}
		}
		return nil
	})
}
