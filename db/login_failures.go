package db

import (
	"context"
	"database/sql"
	"time"
)

// LoginFailure is one failed login or share-password guess counted
// against a rate-limiter key.
type LoginFailure struct {
	Key string
	At  time.Time
}

// failureLayout keeps milliseconds, so a failure reloaded after a restart
// expires when it would have in memory; fixed width keeps it sortable.
const failureLayout = "2006-01-02 15:04:05.000"

func formatFailure(t time.Time) string { return t.UTC().Format(failureLayout) }

// RecordLoginFailures stores one failure at the given time for every key.
func (d *DB) RecordLoginFailures(ctx context.Context, at time.Time, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO login_failures (key, at) VALUES (?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		a := formatFailure(at)
		for _, k := range keys {
			if _, err := st.ExecContext(ctx, k, a); err != nil {
				return err
			}
		}
		return nil
	})
}

// LoginFailuresSince returns the failures after cutoff, oldest first.
func (d *DB) LoginFailuresSince(ctx context.Context, cutoff time.Time) ([]LoginFailure, error) {
	rows, err := d.sql.QueryContext(ctx, `
		SELECT key, at FROM login_failures WHERE at > ? ORDER BY at, rowid`, formatFailure(cutoff))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LoginFailure
	for rows.Next() {
		var f LoginFailure
		var at string
		if err := rows.Scan(&f.Key, &at); err != nil {
			return nil, err
		}
		f.At, err = time.ParseInLocation(failureLayout, at, time.UTC)
		if err != nil {
			continue // not written by RecordLoginFailures; ignore
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// DeleteLoginFailures forgets every failure of the keys.
func (d *DB) DeleteLoginFailures(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = ?`, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// PruneLoginFailures deletes the failures at or before cutoff and then,
// if more than keep rows are left, the oldest-inserted ones beyond keep,
// so a flood of distinct keys cannot grow the table without bound. It
// returns how many rows it deleted.
func (d *DB) PruneLoginFailures(ctx context.Context, cutoff time.Time, keep int) (int64, error) {
	var n int64
	err := d.tx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at <= ?`, formatFailure(cutoff))
		if err != nil {
			return err
		}
		a, _ := r.RowsAffected()
		// rowids only grow while the table has rows, so every row above
		// max(rowid)-keep is among the newest keep inserts: at most keep
		// remain, found through the rowid order without counting.
		r, err = tx.ExecContext(ctx, `
			DELETE FROM login_failures
			WHERE rowid <= (SELECT max(rowid) FROM login_failures) - ?`, max(keep, 0))
		if err != nil {
			return err
		}
		b, _ := r.RowsAffected()
		n = a + b
		return nil
	})
	return n, err
}
