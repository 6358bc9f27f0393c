package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Now is the database's clock (SetClock), which also judges the expiry
// of sign-in steps and two-factor codes, so tests move one clock.
func (d *DB) Now() time.Time { return d.now() }

// TOTP is a user's two-factor sign-in state. Secrets are sealed by the
// caller (app/auth); the database never sees them in clear.
type TOTP struct {
	Secret  string // sealed; '' = off
	Pending string // sealed; an enrolment waiting for its first code
	Step    int64  // the last time step a code was accepted for
	// RecoveryLeft is how many unused recovery codes remain.
	RecoveryLeft int
}

// TOTPOf loads a user's two-factor state.
func (d *DB) TOTPOf(ctx context.Context, userID int64) (TOTP, error) {
	var t TOTP
	err := d.sql.QueryRowContext(ctx, `SELECT totp_secret, totp_pending, totp_step,
		(SELECT count(*) FROM totp_recovery r WHERE r.user_id = users.id) FROM users WHERE id = ?`, userID).
		Scan(&t.Secret, &t.Pending, &t.Step, &t.RecoveryLeft)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("user %d: %w", userID, ErrNotFound)
	}
	return t, err
}

// SetTOTPPending keeps a new secret until its first code confirms it.
func (d *DB) SetTOTPPending(ctx context.Context, userID int64, sealed string) error {
	res, err := d.sql.ExecContext(ctx, `UPDATE users SET totp_pending = ? WHERE id = ?`, sealed, userID)
	if err != nil {
		return fmt.Errorf("store totp enrolment: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %d: %w", userID, ErrNotFound)
	}
	return nil
}

// ActivateTOTP turns two-factor sign-in on with the confirmed secret,
// remembering the step of the code that confirmed it, and replaces the
// recovery codes. It is ErrConflict when the enrolment was replaced or
// cancelled meanwhile (pending no longer matches) or it is already on.
func (d *DB) ActivateTOTP(ctx context.Context, userID int64, pending, sealed string, step int64, recoveryHashes []string) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = ?, totp_pending = '', totp_step = ?, updated_at = ?
			WHERE id = ? AND totp_pending = ? AND totp_secret = ''`, sealed, step, d.stamp(), userID, pending)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("the enrolment changed meanwhile; start again: %w", ErrConflict)
		}
		return replaceRecovery(ctx, tx, userID, recoveryHashes)
	})
}

// ReplaceRecoveryCodes swaps a user's recovery codes for new ones.
func (d *DB) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	return d.tx(ctx, func(tx *sql.Tx) error { return replaceRecovery(ctx, tx, userID, hashes) })
}

func replaceRecovery(ctx context.Context, tx *sql.Tx, userID int64, hashes []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM totp_recovery WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO totp_recovery (user_id, code_hash) VALUES (?, ?)`, userID, h); err != nil {
			return fmt.Errorf("store recovery code: %w", err)
		}
	}
	return nil
}

// ClearTOTP turns two-factor sign-in off: secret, enrolment, last step and
// recovery codes are gone.
func (d *DB) ClearTOTP(ctx context.Context, userID int64) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = '', totp_pending = '', totp_step = 0, updated_at = ? WHERE id = ?`,
			d.stamp(), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %d: %w", userID, ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM totp_recovery WHERE user_id = ?`, userID)
		return err
	})
}

// AcceptTOTPStep records that a code of this time step was used, and
// reports false when one of this step or a later one was used before: a
// code is good once, and never after a newer one. Atomic, so two requests
// racing with the same code cannot both pass.
func (d *DB) AcceptTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	res, err := d.sql.ExecContext(ctx, `UPDATE users SET totp_step = ? WHERE id = ? AND totp_secret <> '' AND totp_step < ?`,
		step, userID, step)
	if err != nil {
		return false, fmt.Errorf("record totp step: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// UseRecoveryCode spends the recovery code with this hash, reporting
// false when the user has no such unused code.
func (d *DB) UseRecoveryCode(ctx context.Context, userID int64, hash string) (bool, error) {
	res, err := d.sql.ExecContext(ctx, `DELETE FROM totp_recovery WHERE user_id = ? AND code_hash = ?`, userID, hash)
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Identity is an account at an OpenID Connect provider linked to a user.
type Identity struct {
	Issuer, Subject string
	UserID          int64
	Email           string
}

// UserByIdentity finds the user an account at a provider signs in as.
func (d *DB) UserByIdentity(ctx context.Context, issuer, subject string) (User, error) {
	u, err := scanUser(d.sql.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE id = (SELECT user_id FROM user_identities WHERE issuer = ? AND subject = ?)`, issuer, subject))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("identity: %w", ErrNotFound)
	}
	return u, err
}

// HasIdentity reports whether an account at this issuer is linked to the
// user already.
func (d *DB) HasIdentity(ctx context.Context, userID int64, issuer string) (bool, error) {
	var ok bool
	err := d.sql.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM user_identities WHERE user_id = ? AND issuer = ?)`,
		userID, issuer).Scan(&ok)
	return ok, err
}

// LinkIdentity makes an account at a provider sign in as an existing user.
// An account linked already is ErrConflict.
func (d *DB) LinkIdentity(ctx context.Context, id Identity) error {
	now := d.stamp()
	_, err := d.sql.ExecContext(ctx, `INSERT INTO user_identities (issuer, subject, user_id, email, created_at, last_login)
		VALUES (?, ?, ?, ?, ?, ?)`, id.Issuer, id.Subject, id.UserID, id.Email, now, now)
	if isUniqueErr(err) {
		return fmt.Errorf("this account at the provider is linked already: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("link identity: %w", err)
	}
	return nil
}

// TouchIdentity notes a sign-in with an account at a provider and the
// email it gave.
func (d *DB) TouchIdentity(ctx context.Context, issuer, subject, email string) error {
	_, err := d.sql.ExecContext(ctx, `UPDATE user_identities SET last_login = ?, email = ? WHERE issuer = ? AND subject = ?`,
		d.stamp(), email, issuer, subject)
	return err
}

// CreateIdentityUser adds an account without a local password for an
// account at a provider, and links the two, atomically. A taken name is
// ErrConflict.
func (d *DB) CreateIdentityUser(ctx context.Context, name, role string, id Identity) (User, error) {
	var uid int64
	err := d.tx(ctx, func(tx *sql.Tx) error {
		now := d.stamp()
		res, err := tx.ExecContext(ctx, `INSERT INTO users (username, password, role, created_at, updated_at, thumb_nonce)
			VALUES (?, '', ?, ?, ?, `+newNonce+`)`, name, role, now, now)
		if isUniqueErr(err) {
			return fmt.Errorf("user %q already exists: %w", name, ErrConflict)
		} else if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		uid, _ = res.LastInsertId()
		_, err = tx.ExecContext(ctx, `INSERT INTO user_identities (issuer, subject, user_id, email, created_at, last_login)
			VALUES (?, ?, ?, ?, ?, ?)`, id.Issuer, id.Subject, uid, id.Email, now, now)
		if isUniqueErr(err) {
			return fmt.Errorf("this account at the provider is linked already: %w", ErrConflict)
		}
		return err
	})
	if err != nil {
		return User{}, err
	}
	return d.UserByID(ctx, uid)
}
