package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AppPassword is one of a user's app passwords (WebDAV sign-in for a
// phone or a sync tool). The secret itself is never stored; Hash is a
// keyed hash of it made by the auth package.
type AppPassword struct {
	ID         int64   `json:"id"`
	UserID     int64   `json:"-"`
	Name       string  `json:"name"`
	Hash       string  `json:"-"`
	CreatedAt  string  `json:"created_at"`
	LastUsedAt *string `json:"last_used_at"`
	LastUsedIP string  `json:"last_used_ip"`
}

const appPasswordColumns = `id, user_id, name, hash, created_at, last_used_at, last_used_ip`

func scanAppPassword(sc scanner) (AppPassword, error) {
	var p AppPassword
	err := sc.Scan(&p.ID, &p.UserID, &p.Name, &p.Hash, &p.CreatedAt, &p.LastUsedAt, &p.LastUsedIP)
	return p, err
}

// CreateAppPassword stores a new app password of a user unless they
// already have max of them (ErrConflict).
func (d *DB) CreateAppPassword(ctx context.Context, userID int64, name, hash string, max int) (AppPassword, error) {
	var id int64
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM app_passwords WHERE user_id = ?`, userID).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return fmt.Errorf("you have %d app passwords, the most there may be; revoke one first: %w", n, ErrConflict)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO app_passwords (user_id, name, hash, created_at) VALUES (?, ?, ?, ?)`,
			userID, name, hash, d.stamp())
		if err != nil {
			return fmt.Errorf("create app password: %w", err)
		}
		id, _ = res.LastInsertId()
		return nil
	})
	if err != nil {
		return AppPassword{}, err
	}
	return scanAppPassword(d.sql.QueryRowContext(ctx, `SELECT `+appPasswordColumns+` FROM app_passwords WHERE id = ?`, id))
}

// AppPasswords lists a user's app passwords, newest first.
func (d *DB) AppPasswords(ctx context.Context, userID int64) ([]AppPassword, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT `+appPasswordColumns+` FROM app_passwords WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("app passwords: %w", err)
	}
	defer rows.Close()
	out := []AppPassword{}
	for rows.Next() {
		p, err := scanAppPassword(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// AppPasswordByHash finds the app password of a user with this hash.
func (d *DB) AppPasswordByHash(ctx context.Context, userID int64, hash string) (AppPassword, error) {
	p, err := scanAppPassword(d.sql.QueryRowContext(ctx, `SELECT `+appPasswordColumns+` FROM app_passwords
		WHERE hash = ? AND user_id = ?`, hash, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("app password: %w", ErrNotFound)
	}
	return p, err
}

// TouchAppPassword notes that an app password was used from ip, writing
// at most once a minute per password (a backup run signs in on every
// request) to spare the SD card. It reports whether it wrote.
func (d *DB) TouchAppPassword(ctx context.Context, id int64, ip string) (bool, error) {
	now := d.now()
	res, err := d.sql.ExecContext(ctx, `UPDATE app_passwords SET last_used_at = ?, last_used_ip = ?
		WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`,
		formatTime(now), ip, id, formatTime(now.Add(-time.Minute)))
	if err != nil {
		return false, fmt.Errorf("touch app password: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// DeleteAppPassword revokes one of a user's app passwords; another
// user's is ErrNotFound, as if it did not exist.
func (d *DB) DeleteAppPassword(ctx context.Context, id, userID int64) error {
	res, err := d.sql.ExecContext(ctx, `DELETE FROM app_passwords WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return fmt.Errorf("revoke app password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("app password %d: %w", id, ErrNotFound)
	}
	return nil
}
