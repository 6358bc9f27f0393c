package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Share is a link that shows one album to people without an account.
// The database keeps its link token and access secret only as a SHA-256
// (to find the share) and sealed with the server key (TokenSealed,
// AccessSealed); the auth package opens the seals into Token and Access.
type Share struct {
	ID           int64   `json:"id"`
	AlbumID      int64   `json:"album_id"`
	AlbumTitle   string  `json:"album_title"`
	Token        string  `json:"token"`
	HasPassword  bool    `json:"has_password"`
	PasswordHash string  `json:"-"`
	Access       string  `json:"-"`
	TokenSealed  string  `json:"-"`
	AccessSealed string  `json:"-"`
	ExpiresAt    *string `json:"expires_at"`
	Views        int     `json:"views"`
	CreatedAt    string  `json:"created_at"`
	CreatedBy    string  `json:"created_by"`
	CreatorID    int64   `json:"-"` // whose private spaces the share may show (ShareReader)
	Revoked      bool    `json:"revoked"`
	Expired      bool    `json:"expired"`
	Downloads    bool    `json:"downloads"` // visitors may download originals
	// Locations gives visitors the photos' exact positions (default off).
	Locations bool `json:"include_locations"`
}

// NewShare is what CreateShare stores; the auth package makes the secrets
// and their hashes and seals.
type NewShare struct {
	AlbumID      int64
	TokenHash    string
	TokenSealed  string
	AccessHash   string
	AccessSealed string
	PasswordHash string
	ExpiresAt    *time.Time
	CreatedBy    int64
	NoDownloads  bool
}

const shareSelect = `SELECT s.id, s.album_id, a.title, s.token_sealed, s.password, s.access_sealed, s.expires_at, s.views, s.created_at,
	COALESCE(u.username, ''), s.revoked_at IS NOT NULL, s.expires_at IS NOT NULL AND s.expires_at <= ?1,
	s.downloads, s.locations, COALESCE(s.created_by, 0)
	FROM shares s JOIN albums a ON a.id = s.album_id LEFT JOIN users u ON u.id = s.created_by`

func scanShare(sc scanner) (Share, error) {
	var s Share
	err := sc.Scan(&s.ID, &s.AlbumID, &s.AlbumTitle, &s.TokenSealed, &s.PasswordHash, &s.AccessSealed, &s.ExpiresAt, &s.Views,
		&s.CreatedAt, &s.CreatedBy, &s.Revoked, &s.Expired, &s.Downloads, &s.Locations, &s.CreatorID)
	s.HasPassword = s.PasswordHash != ""
	return s, err
}

// CreateShare stores a new share link for an album.
func (d *DB) CreateShare(ctx context.Context, n NewShare) (Share, error) {
	var exp *string
	if n.ExpiresAt != nil {
		s := formatTime(*n.ExpiresAt)
		exp = &s
	}
	var by any
	if n.CreatedBy != 0 {
		by = n.CreatedBy
	}
	res, err := d.sql.ExecContext(ctx, `INSERT INTO shares (album_id, token_hash, token_sealed, access_hash, access_sealed, password,
			expires_at, created_by, created_at, downloads)
		SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM albums WHERE id = ?`,
		n.TokenHash, n.TokenSealed, n.AccessHash, n.AccessSealed, n.PasswordHash, exp, by, d.stamp(), boolInt(!n.NoDownloads), n.AlbumID)
	if err != nil {
		return Share{}, fmt.Errorf("create share: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return Share{}, fmt.Errorf("album %d: %w", n.AlbumID, ErrNotFound)
	}
	id, _ := res.LastInsertId()
	return scanShare(d.sql.QueryRowContext(ctx, shareSelect+` WHERE s.id = ?2`, d.stamp(), id))
}

// Shares lists share links, of one album or (0) of all, newest first.
func (d *DB) Shares(ctx context.Context, albumID int64) ([]Share, error) {
	rows, err := d.sql.QueryContext(ctx, shareSelect+` WHERE ?2 = 0 OR s.album_id = ?2 ORDER BY s.id DESC`, d.stamp(), albumID)
	if err != nil {
		return nil, fmt.Errorf("list shares: %w", err)
	}
	defer rows.Close()
	out := []Share{}
	for rows.Next() {
		s, err := scanShare(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// RevokeShare ends a share link at once.
func (d *DB) RevokeShare(ctx context.Context, id int64) error {
	res, err := d.sql.ExecContext(ctx, `UPDATE shares SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, d.stamp(), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("share %d (or already revoked): %w", id, ErrNotFound)
	}
	return nil
}

// ShareEdit changes a share link's settings; nil fields stay.
type ShareEdit struct {
	Downloads *bool
	Locations *bool
}

// EditShare applies e, effective on the visitor's next request.
func (d *DB) EditShare(ctx context.Context, id int64, e ShareEdit) (Share, error) {
	res, err := d.sql.ExecContext(ctx, `UPDATE shares SET downloads = COALESCE(?, downloads), locations = COALESCE(?, locations)
		WHERE id = ?`, optBool(e.Downloads), optBool(e.Locations), id)
	if err != nil {
		return Share{}, fmt.Errorf("edit share: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Share{}, fmt.Errorf("share %d: %w", id, ErrNotFound)
	}
	return scanShare(d.sql.QueryRowContext(ctx, shareSelect+` WHERE s.id = ?2`, d.stamp(), id))
}

// optBool is a *bool as an SQL value: NULL when absent.
func optBool(b *bool) any {
	if b == nil {
		return nil
	}
	return boolInt(*b)
}

// sharedPhoto reports whether a share of this album shows the photo: it is
// in the album and neither private, archived, in the Trash nor missing
// (the photos the visitor's list shows).
func (d *DB) sharedPhoto(ctx context.Context, albumID, photoID int64) (bool, error) {
	var ok bool
	err := d.sql.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM photos p
		WHERE p.id = ? AND p.missing = 0 AND `+VisitorOf(albumID).photoCond()+`)`, photoID).Scan(&ok)
	return ok, err
}

func (d *DB) liveShare(ctx context.Context, col, hash string) (Share, error) {
	s, err := scanShare(d.sql.QueryRowContext(ctx, shareSelect+` WHERE s.`+col+` = ?2 AND s.revoked_at IS NULL
		AND (s.expires_at IS NULL OR s.expires_at > ?1)`, d.stamp(), hash))
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("share link (unknown, revoked or expired): %w", ErrNotFound)
	}
	return s, err
}

// ShareByTokenHash finds a live share (not revoked or expired) by the
// SHA-256 of its link token.
func (d *DB) ShareByTokenHash(ctx context.Context, hash string) (Share, error) {
	return d.liveShare(ctx, "token_hash", hash)
}

// ShareByAccessHash finds a live share by the SHA-256 of its access secret.
func (d *DB) ShareByAccessHash(ctx context.Context, hash string) (Share, error) {
	return d.liveShare(ctx, "access_hash", hash)
}

// ResealShare stores new seals (and a new access secret's hash) for a
// share whose seals the current server key cannot open: the key file was
// lost or replaced. The caller proved it holds the link token.
func (d *DB) ResealShare(ctx context.Context, id int64, tokenSealed, accessHash, accessSealed string) error {
	_, err := d.sql.ExecContext(ctx, `UPDATE shares SET token_sealed = ?, access_hash = ?, access_sealed = ? WHERE id = ?`,
		tokenSealed, accessHash, accessSealed, id)
	if err != nil {
		return fmt.Errorf("reseal share %d: %w", id, err)
	}
	return nil
}

// SealLegacyShares seals the clear link tokens and access secrets that
// migration 011 set aside (links made by older versions) with seal, and
// clears them. It works on one connection with secure_delete on, so the
// clear values are overwritten in the file, then checkpoints the WAL
// (truncating it) so no old page stays there either. It returns how many
// shares it sealed; 0 costs one indexed query.
func (d *DB) SealLegacyShares(ctx context.Context, seal func(token, access string) (tokenSealed, accessSealed string, err error)) (int, error) {
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM shares WHERE legacy_token IS NOT NULL`).Scan(&n); err != nil || n == 0 {
		return 0, err
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
		return 0, err
	}
	defer conn.ExecContext(context.Background(), `PRAGMA secure_delete = OFF`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, legacy_token, COALESCE(legacy_access, '') FROM shares WHERE legacy_token IS NOT NULL`)
	if err != nil {
		return 0, err
	}
	type legacy struct {
		id            int64
		token, access string
	}
	var ls []legacy
	for rows.Next() {
		var l legacy
		if err := rows.Scan(&l.id, &l.token, &l.access); err != nil {
			rows.Close()
			return 0, err
		}
		ls = append(ls, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, l := range ls {
		ts, as, err := seal(l.token, l.access)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE shares SET token_sealed = ?, access_sealed = ?, legacy_token = NULL, legacy_access = NULL
			WHERE id = ?`, ts, as, l.id); err != nil {
			return 0, fmt.Errorf("seal share %d: %w", l.id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	if d.path != ":memory:" {
		_, _ = conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	return len(ls), nil
}

// CountShareView notes one visit.
func (d *DB) CountShareView(ctx context.Context, id int64) error {
	_, err := d.sql.ExecContext(ctx, `UPDATE shares SET views = views + 1 WHERE id = ?`, id)
	return err
}

// MediaFile is a file to stream: where it is and what it is.
type MediaFile struct {
	PhotoID     int64
	Path        string // relative to the originals root
	Name        string
	MIME        string
	Kind        string
	Size        int64
	Orientation int
}

// FileScope limits which files a token may fetch.
type FileScope struct {
	// Reader is whose token it is: a viewer's fetches no private photo's
	// files, a share visitor's only what the album's page shows.
	Reader      Reader
	NoOriginals bool // a share without downloads: previews only
}

// FileByHash finds a present file with this content hash whose photo is
// inside scope, preferring a photo's primary file.
func (d *DB) FileByHash(ctx context.Context, hash string, scope FileScope) (MediaFile, error) {
	var m MediaFile
	err := d.sql.QueryRowContext(ctx, `SELECT f.photo_id, f.path, f.name, f.mime, f.kind, f.size, p.orientation
		FROM files f JOIN photos p ON p.id = f.photo_id
		WHERE f.hash = ? AND f.missing = 0 AND `+scope.Reader.readCond()+`
		ORDER BY f.is_primary DESC, f.id LIMIT 1`, hash).
		Scan(&m.PhotoID, &m.Path, &m.Name, &m.MIME, &m.Kind, &m.Size, &m.Orientation)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("file %s: %w", hash, ErrNotFound)
	}
	return m, err
}

// FileWithHash reports a present file with this content hash (an upload's
// duplicate), or ErrNotFound.
func (d *DB) FileWithHash(ctx context.Context, hash string) (photoID int64, path string, err error) {
	var pid sql.NullInt64
	err = d.sql.QueryRowContext(ctx, `SELECT photo_id, path FROM files WHERE hash = ? AND missing = 0 ORDER BY is_primary DESC LIMIT 1`, hash).
		Scan(&pid, &path)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("file %s: %w", hash, ErrNotFound)
	}
	return pid.Int64, path, err
}
