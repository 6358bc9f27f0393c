package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Roles, as stored in users.role (migration 003 allows these three). Admins
// manage the server and accounts; users browse, edit, upload and share;
// viewers only look and never see private photos. Everything in Go that
// writes or compares a role uses these; the web app has its own copy in
// web/ui/src/roles.js, which a web test holds to this list.
const (
	RoleAdmin  = "admin"
	RoleUser   = "user"
	RoleViewer = "viewer"
)

// Roles lists every role, most powerful first.
var Roles = []string{RoleAdmin, RoleUser, RoleViewer}

// User is one account. The password hash never leaves the auth package in
// JSON.
type User struct {
	ID           int64  `json:"id"`
	Username     string `json:"username"`
	Role         string `json:"role"`
	PasswordHash string `json:"-"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
	// HasPassword is false for accounts made by a sign-in with an OpenID
	// Connect provider (they have no local password until an admin sets one).
	HasPassword bool `json:"has_password"`
	// TOTP: two-factor sign-in is on (db/signin.go).
	TOTP bool `json:"totp"`
	// OIDC: an account at the OpenID Connect provider signs in as this user.
	OIDC bool `json:"oidc"`
}

const userColumns = `id, username, role, password, created_at, updated_at, password <> '', totp_secret <> '',
	EXISTS (SELECT 1 FROM user_identities i WHERE i.user_id = users.id)`

func scanUser(s scanner) (User, error) {
	var u User
	err := s.Scan(&u.ID, &u.Username, &u.Role, &u.PasswordHash, &u.CreatedAt, &u.UpdatedAt, &u.HasPassword, &u.TOTP, &u.OIDC)
	return u, err
}

func isUniqueErr(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// CreateUser adds an account. A taken name (case-insensitive) is ErrConflict.
func (d *DB) CreateUser(ctx context.Context, name, passwordHash, role string) (User, error) {
	now := d.stamp()
	res, err := d.sql.ExecContext(ctx, `INSERT INTO users (username, password, role, created_at, updated_at, thumb_nonce)
		VALUES (?, ?, ?, ?, ?, `+newNonce+`)`, name, passwordHash, role, now, now)
	if isUniqueErr(err) {
		return User{}, fmt.Errorf("user %q already exists: %w", name, ErrConflict)
	} else if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	id, _ := res.LastInsertId()
	return d.UserByID(ctx, id)
}

// CreateFirstUser adds an account only while there is none, atomically, so
// two racing first-run setups cannot both succeed.
func (d *DB) CreateFirstUser(ctx context.Context, name, passwordHash, role string) (User, error) {
	now := d.stamp()
	res, err := d.sql.ExecContext(ctx, `INSERT INTO users (username, password, role, created_at, updated_at, thumb_nonce)
		SELECT ?, ?, ?, ?, ?, `+newNonce+` WHERE NOT EXISTS (SELECT 1 FROM users)`, name, passwordHash, role, now, now)
	if err != nil {
		return User{}, fmt.Errorf("create first user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return User{}, fmt.Errorf("setup is already done: %w", ErrConflict)
	}
	id, _ := res.LastInsertId()
	return d.UserByID(ctx, id)
}

// UserByID loads one account.
func (d *DB) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(d.sql.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("user %d: %w", id, ErrNotFound)
	}
	return u, err
}

// UserByName loads one account by name, ignoring case.
func (d *DB) UserByName(ctx context.Context, name string) (User, error) {
	u, err := scanUser(d.sql.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	return u, err
}

// Users lists every account by name.
func (d *DB) Users(ctx context.Context) ([]User, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers says how many accounts exist (0 means first-run setup).
func (d *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := d.sql.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// newNonce is the SQL for a fresh thumbnail nonce. The nonce is not a
// secret (the server key is); it only has to change.
const newNonce = `lower(hex(randomblob(16)))`

// SetPassword replaces a user's password hash, changes their thumbnail
// and download secret, and logs them out everywhere except the session
// kept (0 keeps none).
func (d *DB) SetPassword(ctx context.Context, id int64, passwordHash string, keepSession int64) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password = ?, updated_at = ?, thumb_nonce = `+newNonce+` WHERE id = ?`,
			passwordHash, d.stamp(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %d: %w", id, ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, id, keepSession)
		return err
	})
}

// SetRole changes a user's role, and with it their thumbnail and download
// secret (URLs made for the old role stop working). Demoting the last
// admin is ErrConflict, so the library can never lose its administrator.
func (d *DB) SetRole(ctx context.Context, id int64, role string) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		if role != RoleAdmin {
			if err := keepAnAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET role = ?1, updated_at = ?2,
			thumb_nonce = CASE WHEN role = ?1 THEN thumb_nonce ELSE `+newNonce+` END WHERE id = ?3`, role, d.stamp(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %d: %w", id, ErrNotFound)
		}
		return nil
	})
}

// DeleteUser removes an account and its sessions. Removing the last admin
// is ErrConflict.
func (d *DB) DeleteUser(ctx context.Context, id int64) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		if err := keepAnAdmin(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %d: %w", id, ErrNotFound)
		}
		return nil
	})
}

func keepAnAdmin(ctx context.Context, tx *sql.Tx, id int64) error {
	var others int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = ? AND id <> ?`, RoleAdmin, id).Scan(&others)
	if err != nil {
		return err
	}
	var role string
	err = tx.QueryRowContext(ctx, `SELECT role FROM users WHERE id = ?`, id).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("user %d: %w", id, ErrNotFound)
	} else if err != nil {
		return err
	}
	if role == RoleAdmin && others == 0 {
		return fmt.Errorf("the last admin cannot be removed or demoted: %w", ErrConflict)
	}
	return nil
}

// Session is one login. The token itself is never stored, only its hash.
type Session struct {
	ID        int64  `json:"id"`
	UserID    int64  `json:"user_id"`
	Username  string `json:"username"`
	Role      string `json:"-"`
	CSRF      string `json:"-"`
	CreatedAt string `json:"created_at"`
	LastSeen  string `json:"last_seen"`
	ExpiresAt string `json:"expires_at"`
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
	// Method is how the session was opened: SignInPassword or SignInOIDC.
	Method string `json:"method"`
	// TOTP: the user has two-factor sign-in on (now, not when the
	// session was opened).
	TOTP bool `json:"-"`
}

// How a session was opened.
const (
	SignInPassword = "password"
	SignInOIDC     = "oidc"
)

const sessionColumns = `s.id, s.user_id, u.username, u.role, s.csrf, s.created_at, s.last_seen, s.expires_at, s.ip, s.user_agent,
	s.method, u.totp_secret <> ''`

func scanSession(sc scanner) (Session, error) {
	var s Session
	err := sc.Scan(&s.ID, &s.UserID, &s.Username, &s.Role, &s.CSRF, &s.CreatedAt, &s.LastSeen, &s.ExpiresAt, &s.IP, &s.UserAgent,
		&s.Method, &s.TOTP)
	return s, err
}

// CreateSession stores a new password login under the hash of its token.
func (d *DB) CreateSession(ctx context.Context, tokenHash string, userID int64, csrf string, ttl time.Duration, ip, userAgent string) (Session, error) {
	return d.CreateSessionVia(ctx, SignInPassword, tokenHash, userID, csrf, ttl, ip, userAgent)
}

// CreateSessionVia stores a new login opened by method (SignInPassword
// or SignInOIDC) under the hash of its token.
func (d *DB) CreateSessionVia(ctx context.Context, method, tokenHash string, userID int64, csrf string, ttl time.Duration, ip, userAgent string) (Session, error) {
	now := d.now()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	res, err := d.sql.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, expires_at, ip, user_agent, method)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, tokenHash, userID, csrf, formatTime(now), formatTime(now), formatTime(now.Add(ttl)), ip, userAgent, method)
	if err != nil {
		return Session{}, fmt.Errorf("create session: %w", err)
	}
	id, _ := res.LastInsertId()
	s, err := scanSession(d.sql.QueryRowContext(ctx, `SELECT `+sessionColumns+`
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`, id))
	if err != nil {
		return Session{}, fmt.Errorf("load new session: %w", err)
	}
	return s, nil
}

// SessionByTokenHash loads a live (unexpired) session and notes it was
// seen; the last-seen time is written at most once a minute to spare the
// SD card.
func (d *DB) SessionByTokenHash(ctx context.Context, tokenHash string) (Session, error) {
	now := d.stamp()
	s, err := scanSession(d.sql.QueryRowContext(ctx, `SELECT `+sessionColumns+`
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?`, tokenHash, now))
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("session: %w", ErrNotFound)
	} else if err != nil {
		return s, err
	}
	if ParseTime(now).Sub(ParseTime(s.LastSeen)) > time.Minute {
		_, _ = d.sql.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE id = ?`, now, s.ID)
		s.LastSeen = now
	}
	return s, nil
}

// Sessions lists live sessions, of one user or (userID 0) of everyone.
func (d *DB) Sessions(ctx context.Context, userID int64) ([]Session, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT `+sessionColumns+`
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE (?1 = 0 OR s.user_id = ?1) AND s.expires_at > ?2 ORDER BY s.last_seen DESC`, userID, d.stamp())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// DeleteSession logs one session out. With userID non-zero it must belong
// to that user (others' sessions are ErrNotFound, not a hint they exist).
func (d *DB) DeleteSession(ctx context.Context, id, userID int64) error {
	res, err := d.sql.ExecContext(ctx, `DELETE FROM sessions WHERE id = ? AND (? = 0 OR user_id = ?)`, id, userID, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("session %d: %w", id, ErrNotFound)
	}
	return nil
}

// PurgeSessions deletes expired sessions.
func (d *DB) PurgeSessions(ctx context.Context) error {
	_, err := d.sql.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, d.stamp())
	return err
}

// SessionByID loads a live session by its id (a live-update stream
// checking that the session it belongs to still exists).
func (d *DB) SessionByID(ctx context.Context, id int64) (Session, error) {
	s, err := scanSession(d.sql.QueryRowContext(ctx, `SELECT `+sessionColumns+`
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.expires_at > ?`, id, d.stamp()))
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("session %d: %w", id, ErrNotFound)
	}
	return s, err
}

// LinkKey is what a user's thumbnail and download secret is derived
// from, with their role (which decides what it may fetch).
type LinkKey struct {
	UserID int64
	Role   string
	Nonce  string
}

// LinkKeys lists every user's link key.
func (d *DB) LinkKeys(ctx context.Context) ([]LinkKey, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT id, role, thumb_nonce FROM users`)
	if err != nil {
		return nil, fmt.Errorf("link keys: %w", err)
	}
	defer rows.Close()
	var out []LinkKey
	for rows.Next() {
		var k LinkKey
		if err := rows.Scan(&k.UserID, &k.Role, &k.Nonce); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RotateLinkKeys gives every user a new thumbnail nonce: every old
// thumbnail and download URL stops working.
func (d *DB) RotateLinkKeys(ctx context.Context) error {
	_, err := d.sql.ExecContext(ctx, `UPDATE users SET thumb_nonce = `+newNonce)
	return err
}

// loginClientsKept bounds the addresses remembered per user.
const loginClientsKept = 20

// RememberLoginClient notes that the user signed in from ip, keeping the
// user's newest loginClientsKept addresses.
func (d *DB) RememberLoginClient(ctx context.Context, userID int64, ip string) error {
	if ip == "" {
		return nil
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_clients (user_id, ip, last_login) VALUES (?, ?, ?)
			ON CONFLICT (user_id, ip) DO UPDATE SET last_login = excluded.last_login`, userID, ip, d.stamp()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM login_clients WHERE user_id = ?1 AND ip NOT IN
			(SELECT ip FROM login_clients WHERE user_id = ?1 ORDER BY last_login DESC LIMIT ?2)`, userID, loginClientsKept)
		return err
	})
}

// KnownLoginClient reports whether the user signed in from ip since then.
func (d *DB) KnownLoginClient(ctx context.Context, userID int64, ip string, since time.Time) (bool, error) {
	var ok bool
	err := d.sql.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM login_clients WHERE user_id = ? AND ip = ? AND last_login > ?)`,
		userID, ip, formatTime(since)).Scan(&ok)
	return ok, err
}
