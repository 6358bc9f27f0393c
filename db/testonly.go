//go:build synthetic

package db

import (
	"context"
	"fmt"
	"time"
)

// What only tests use, built with the synthetic tag that every test build
// has (beside the synthetic library in synthetic.go): the binary people
// run does not carry it.

// SetClock replaces the clock the database stamps rows and judges expiry
// (sessions, share links) by, so tests can move time instead of sleeping
// across a second boundary. Call it before the database is shared.
func (d *DB) SetClock(now func() time.Time) { d.now = now }

// SetFlag sets one of a photo's yes/no flags: favorite, private or
// archived, for tests that set up a library; the API edits flags through
// EditPhoto and SetFlags.
func (d *DB) SetFlag(ctx context.Context, id int64, flag string, on bool) error {
	switch flag {
	case "favorite", "private", "archived":
	default:
		return fmt.Errorf("flag %q: %w", flag, ErrInvalid)
	}
	res, err := d.sql.ExecContext(ctx, `UPDATE photos SET `+flag+` = ?, updated_at = ? WHERE id = ?`, boolInt(on), d.stamp(), id)
	if err != nil {
		return err
	}
	d.vocab.changed() // private and archived photos leave the vocabulary
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("photo %d: %w", id, ErrNotFound)
	}
	return nil
}
