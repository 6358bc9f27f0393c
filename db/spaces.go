package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotYours is a change to a photo in someone else's space.
var ErrNotYours = errors.New("not yours")

// Partner is one partner sharing: Sharer's space shows to Partner from
// Since (YYYY-MM-DD; "" for all of it).
type Partner struct {
	SharerID    int64  `json:"sharer_id"`
	Sharer      string `json:"sharer"`
	PartnerID   int64  `json:"partner_id"`
	PartnerName string `json:"partner"`
	Since       string `json:"since"`
	CreatedAt   string `json:"created_at"`
}

// SpaceFolder is a folder of the originals an admin gave to a user.
type SpaceFolder struct {
	Path     string `json:"path"`
	UserID   int64  `json:"user_id"`
	Username string `json:"username"`
}

// SpaceSettings is what a user chose for their space.
type SpaceSettings struct {
	UploadsOnlyMe bool `json:"uploads_only_me"`
}

// ClaimUpload makes the photo that the file at rel will become part of
// user's space (their only-me default applies). Called before the file
// is moved into place, so the indexer's write already finds it.
func (d *DB) ClaimUpload(ctx context.Context, rel string, user int64) error {
	_, err := d.sql.ExecContext(ctx, `INSERT INTO space_folders (path, user_id, uploads) VALUES (?, ?, 1)
		ON CONFLICT (path) DO UPDATE SET user_id = excluded.user_id, uploads = 1`, rel, user)
	if err != nil {
		return fmt.Errorf("claim upload: %w", err)
	}
	return nil
}

// ClaimUploadFolder makes a user's WebDAV folder theirs, unless an admin
// gave it to someone already.
func (d *DB) ClaimUploadFolder(ctx context.Context, rel string, user int64) error {
	_, err := d.sql.ExecContext(ctx, `INSERT INTO space_folders (path, user_id, uploads) VALUES (?, ?, 1)
		ON CONFLICT (path) DO NOTHING`, rel, user)
	if err != nil {
		return fmt.Errorf("claim upload folder: %w", err)
	}
	return nil
}

// AssignFolder gives a folder of the originals (relative path) to a user:
// its library photos join their space at once, and photos indexed there
// later too. It returns how many photos moved.
func (d *DB) AssignFolder(ctx context.Context, rel string, user int64) (int64, error) {
	rel = strings.Trim(rel, "/")
	if rel == "" {
		return 0, fmt.Errorf("a folder inside the originals is needed, not the whole library: %w", ErrInvalid)
	}
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO space_folders (path, user_id, uploads) VALUES (?, ?, 0)
		ON CONFLICT (path) DO UPDATE SET user_id = excluded.user_id, uploads = 0`, rel, user); err != nil {
		return 0, fmt.Errorf("assign folder: %w", err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE photos SET owner_user = ?1 WHERE owner_user IS NULL AND id IN (
		SELECT photo_id FROM files WHERE photo_id IS NOT NULL AND substr(path, 1, length(?2) + 1) = ?2 || '/')`, user, rel)
	if err != nil {
		return 0, fmt.Errorf("assign folder photos: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, tx.Commit()
}

// UnassignFolder stops a folder going to a user's space. The photos
// already there stay in it: moving them back into everyone's library is
// not something to do by removing a rule.
func (d *DB) UnassignFolder(ctx context.Context, rel string) error {
	res, err := d.sql.ExecContext(ctx, `DELETE FROM space_folders WHERE path = ? AND uploads = 0`, strings.Trim(rel, "/"))
	if err != nil {
		return fmt.Errorf("unassign folder: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("folder %s: %w", rel, ErrNotFound)
	}
	return nil
}

// SpaceFolders lists the folders admins gave to users.
func (d *DB) SpaceFolders(ctx context.Context) ([]SpaceFolder, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT sf.path, sf.user_id, COALESCE(u.username, '')
		FROM space_folders sf LEFT JOIN users u ON u.id = sf.user_id WHERE sf.uploads = 0 ORDER BY sf.path`)
	if err != nil {
		return nil, fmt.Errorf("list space folders: %w", err)
	}
	defer rows.Close()
	out := []SpaceFolder{}
	for rows.Next() {
		var f SpaceFolder
		if err := rows.Scan(&f.Path, &f.UserID, &f.Username); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// SetOnlyMe marks a photo only-me or not. Only its owner (or an admin)
// may; a photo of the library has no owner, so it cannot be only-me: an
// admin gives its folder to a user first.
func (d *DB) SetOnlyMe(ctx context.Context, id int64, on bool, r Reader) error {
	if _, err := d.PhotoDetail(ctx, id, r); err != nil {
		return err
	}
	var owner sql.NullInt64
	if err := d.sql.QueryRowContext(ctx, `SELECT owner_user FROM photos WHERE id = ?`, id).Scan(&owner); err != nil {
		return fmt.Errorf("photo %d: %w", id, err)
	}
	if !owner.Valid {
		return fmt.Errorf("the photo belongs to everyone's library, not to a user's space: %w", ErrNotYours)
	}
	if owner.Int64 != r.User && !r.SeesAllSpaces() {
		return fmt.Errorf("the photo is in another user's space: %w", ErrNotYours)
	}
	_, err := d.sql.ExecContext(ctx, `UPDATE photos SET only_me = ? WHERE id = ?`, boolInt(on), id)
	return err
}

// SpaceSettingsOf reads a user's space settings.
func (d *DB) SpaceSettingsOf(ctx context.Context, user int64) (SpaceSettings, error) {
	var s SpaceSettings
	err := d.sql.QueryRowContext(ctx, `SELECT uploads_only_me FROM users WHERE id = ?`, user).Scan(&s.UploadsOnlyMe)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("user %d: %w", user, ErrNotFound)
	}
	return s, err
}

// SetSpaceSettings stores a user's space settings.
func (d *DB) SetSpaceSettings(ctx context.Context, user int64, s SpaceSettings) error {
	_, err := d.sql.ExecContext(ctx, `UPDATE users SET uploads_only_me = ? WHERE id = ?`, boolInt(s.UploadsOnlyMe), user)
	if err != nil {
		return fmt.Errorf("space settings: %w", err)
	}
	return nil
}

// SharePartner shares sharer's space with partner from since (YYYY-MM-DD
// or "" for all of it); sharing again changes the date.
func (d *DB) SharePartner(ctx context.Context, sharer, partner int64, since string) error {
	if since != "" {
		if _, err := time.Parse("2006-01-02", since); err != nil {
			return fmt.Errorf("the date must be YYYY-MM-DD: %w", ErrInvalid)
		}
	}
	if sharer == partner {
		return fmt.Errorf("a space is always its owner's: choose another user: %w", ErrInvalid)
	}
	_, err := d.sql.ExecContext(ctx, `INSERT INTO partners (sharer, partner, since, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (partner, sharer) DO UPDATE SET since = excluded.since`,
		sharer, partner, since, time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("share with partner: %w", err)
	}
	return nil
}

// RevokePartner ends a partner sharing; it is ErrNotFound if there was none.
func (d *DB) RevokePartner(ctx context.Context, sharer, partner int64) error {
	res, err := d.sql.ExecContext(ctx, `DELETE FROM partners WHERE sharer = ? AND partner = ?`, sharer, partner)
	if err != nil {
		return fmt.Errorf("revoke partner: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("partner sharing: %w", ErrNotFound)
	}
	return nil
}

// Partners lists the sharings a user is part of, as sharer or partner.
func (d *DB) Partners(ctx context.Context, user int64) ([]Partner, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT ps.sharer, COALESCE(a.username, ''), ps.partner, COALESCE(b.username, ''), ps.since, ps.created_at
		FROM partners ps LEFT JOIN users a ON a.id = ps.sharer LEFT JOIN users b ON b.id = ps.partner
		WHERE ps.sharer = ?1 OR ps.partner = ?1 ORDER BY ps.created_at, ps.sharer, ps.partner`, user)
	if err != nil {
		return nil, fmt.Errorf("list partners: %w", err)
	}
	defer rows.Close()
	out := []Partner{}
	for rows.Next() {
		var p Partner
		if err := rows.Scan(&p.SharerID, &p.Sharer, &p.PartnerID, &p.PartnerName, &p.Since, &p.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// VisiblePhotoIDs returns the ids among ids of photos r may see, in the
// given order: what r's live updates may name.
func (d *DB) VisiblePhotoIDs(ctx context.Context, ids []int64, r Reader) ([]int64, error) {
	return d.idsAmong(ctx, ids, r.readCond())
}

// spacesExact reports whether answers counted without private spaces
// (the trigger-kept month counts and geo cells) are exact for r: r sees
// every space, or no photo of a space is hidden from r. It walks only the
// photos in spaces (a partial index), and stops at the first hidden one.
func (d *DB) spacesExact(ctx context.Context, r Reader) (bool, error) {
	if r.SeesAllSpaces() {
		return true, nil
	}
	var hidden bool
	err := d.sql.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM photos p INDEXED BY photos_owner
		WHERE p.owner_user IS NOT NULL AND `+notTrashed+` AND NOT `+r.spaceCond()+`)`).Scan(&hidden)
	if err != nil {
		return false, fmt.Errorf("private spaces: %w", err)
	}
	return !hidden, nil
}

// canSee reports whether r may see the photo, by its space alone.
func (d *DB) canSee(ctx context.Context, id int64, r Reader) (bool, error) {
	if r.SeesAllSpaces() {
		return true, nil
	}
	var ok bool
	err := d.sql.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM photos p WHERE p.id = ? AND `+r.spaceCond()+`)`, id).Scan(&ok)
	return ok, err
}

// timelineMonthsLessSpaces is timelineMonths for a reader who may not see
// every private space: the kept counts (migration 017) less the photos of
// spaces hidden from r, counted the same way (present, not archived, not
// private unless r sees private photos). It reads the photos in spaces
// alone (a partial index), not the library, so it stays exact and cheap
// while spaces are a small part of it.
func (d *DB) timelineMonthsLessSpaces(ctx context.Context, r Reader) ([]MonthCount, error) {
	kept, hidden := "n > 0", ""
	if !r.SeesPrivate() {
		kept += " AND private = 0"
		hidden = " AND p.private = 0"
	}
	done, err := d.wait(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := d.sql.QueryContext(ctx, `WITH
		k AS (SELECT month, sum(n) AS n FROM month_counts WHERE `+kept+` GROUP BY month),
		h AS (SELECT substr(p.taken_at, 1, 7) AS month, count(*) AS n FROM photos p INDEXED BY photos_owner
			WHERE p.owner_user IS NOT NULL AND p.missing = 0 AND p.archived = 0 AND `+notTrashed+hidden+` AND NOT `+r.spaceCond()+`
			GROUP BY 1)
		SELECT k.month, k.n - COALESCE(h.n, 0) FROM k LEFT JOIN h ON h.month = k.month
		WHERE k.n - COALESCE(h.n, 0) > 0 ORDER BY k.month DESC`)
	if err != nil {
		return nil, fmt.Errorf("count months: %w", err)
	}
	return scanMonthCounts(rows)
}

// EditableBy checks that r may change every photo of ids: an admin any, a
// user those of the library and of their own space. Partners see a space
// read-only. A photo r cannot even see is ErrNotFound (it does not exist
// for r); one r sees but may not change is ErrNotYours.
func (d *DB) EditableBy(ctx context.Context, ids []int64, r Reader) error {
	if r.SeesAllSpaces() || len(ids) == 0 {
		return nil
	}
	js, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	u := r.User
	var id int64
	var visible bool
	err = d.sql.QueryRowContext(ctx, `SELECT p.id, `+r.spaceCond()+` FROM json_each(?) j JOIN photos p ON p.id = j.value
		WHERE p.owner_user IS NOT NULL AND p.owner_user <> ? ORDER BY 2, j.key LIMIT 1`, string(js), u).Scan(&id, &visible)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("check photo owners: %w", err)
	}
	if !visible {
		return fmt.Errorf("photo %d: %w", id, ErrNotFound)
	}
	return fmt.Errorf("photo %d is in another user's space, shared with you read-only: %w", id, ErrNotYours)
}

// keptKey names what r sees, for answers kept per reader (db/foldercounts.go):
// its kind, shared by every reader of that kind who sees every space
// photo of it, else also its user, so no one is served an answer counted
// for someone who sees more.
func (d *DB) keptKey(ctx context.Context, r Reader) (string, error) {
	if r.Kind == Visitor {
		return r.key() + r.spaceKey(), nil
	}
	exact, err := d.spacesExact(ctx, r)
	if err != nil || exact {
		return r.key(), err
	}
	return r.key() + r.spaceKey(), nil
}

// SetOnlyMeMany marks photos only-me or not, all or none: each must be in
// r's own space (an admin: in anyone's). It returns how many changed.
func (d *DB) SetOnlyMeMany(ctx context.Context, ids []int64, on bool, r Reader) (int64, error) {
	if len(ids) == 0 || len(ids) > 10000 {
		return 0, fmt.Errorf("photo_ids: 1 to 10000 ids: %w", ErrInvalid)
	}
	if err := d.EditableBy(ctx, ids, r); err != nil {
		return 0, err
	}
	js, err := json.Marshal(ids)
	if err != nil {
		return 0, err
	}
	var id int64
	err = d.sql.QueryRowContext(ctx, `SELECT p.id FROM json_each(?) j JOIN photos p ON p.id = j.value
		WHERE p.owner_user IS NULL ORDER BY j.key LIMIT 1`, string(js)).Scan(&id)
	if err == nil {
		return 0, fmt.Errorf("photo %d belongs to everyone's library, not to a user's space: %w", id, ErrNotYours)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	res, err := d.sql.ExecContext(ctx, `UPDATE photos SET only_me = ? WHERE id IN (SELECT value FROM json_each(?)) AND only_me <> ?`,
		boolInt(on), string(js), boolInt(on))
	if err != nil {
		return 0, fmt.Errorf("set only-me: %w", err)
	}
	return res.RowsAffected()
}
