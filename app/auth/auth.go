package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"pinhole/db"
)

// Roles. Admins manage the server and accounts; users browse, edit,
// upload and share; viewers only look and never see private photos.
const (
	RoleAdmin  = "admin"
	RoleUser   = "user"
	RoleViewer = "viewer"
)

// Errors the web layer maps to statuses.
var (
	// ErrUnauthorized: no valid session, or wrong name or password.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: logged in but the role does not allow it.
	ErrForbidden = errors.New("forbidden")
)

// RateLimitError says a login (or share password) was refused because of
// too many recent failures, and when to try again.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string {
	m := int(e.RetryAfter.Round(time.Minute) / time.Minute)
	if m < 1 {
		return "too many failed attempts; try again in a minute"
	}
	return fmt.Sprintf("too many failed attempts; try again in %d minutes", m)
}

// HashToken is the SHA-256 of a token as stored in the database; only the
// person holding the token can present it.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ValidRole reports whether r names a role.
func ValidRole(r string) bool { return r == RoleAdmin || r == RoleUser || r == RoleViewer }

// CheckUsername validates a new account name.
func CheckUsername(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("user name must be 1 to 64 characters: %w", db.ErrInvalid)
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@", r)
		if !ok {
			return fmt.Errorf("user name may only use letters, digits and . _ - @: %w", db.ErrInvalid)
		}
	}
	return nil
}

// CheckPasswordRules validates a new password: long enough to resist
// guessing, short enough not to be a denial of service.
func CheckPasswordRules(pw string) error {
	if utf8.RuneCountInString(pw) < 8 {
		return fmt.Errorf("password must be at least 8 characters: %w", db.ErrInvalid)
	}
	if len(pw) > 1024 {
		return fmt.Errorf("password must be at most 1024 bytes: %w", db.ErrInvalid)
	}
	return nil
}

// AddUser creates an account (for `pinhole users add` and the admin API).
func AddUser(ctx context.Context, d *db.DB, name, password, role string) (db.User, error) {
	if err := CheckUsername(name); err != nil {
		return db.User{}, err
	}
	if !ValidRole(role) {
		return db.User{}, fmt.Errorf("role %q: want admin, user or viewer: %w", role, db.ErrInvalid)
	}
	if err := CheckPasswordRules(password); err != nil {
		return db.User{}, err
	}
	h, err := HashPassword(password)
	if err != nil {
		return db.User{}, err
	}
	return d.CreateUser(ctx, name, h, role)
}

// Passwd sets a user's password and logs them out everywhere.
func Passwd(ctx context.Context, d *db.DB, name, password string) error {
	u, err := d.UserByName(ctx, name)
	if err != nil {
		return err
	}
	if err := CheckPasswordRules(password); err != nil {
		return err
	}
	h, err := HashPassword(password)
	if err != nil {
		return err
	}
	return d.SetPassword(ctx, u.ID, h, 0)
}

// Remove deletes an account; the last admin cannot be removed.
func Remove(ctx context.Context, d *db.DB, name string) error {
	u, err := d.UserByName(ctx, name)
	if err != nil {
		return err
	}
	return d.DeleteUser(ctx, u.ID)
}

// List returns every account.
func List(ctx context.Context, d *db.DB) ([]db.User, error) { return d.Users(ctx) }

// Service logs people in and checks sessions and tokens.
type Service struct {
	DB  *db.DB
	TTL time.Duration
	// Limits: failed logins per client address and per user name.
	Limits *Limiter

	// The thumbnail tokens are read on every list request; they change
	// only through RotateThumbTokens, so they are kept in memory.
	tokMu              sync.Mutex
	fullTok, viewerTok string
}

// NewService returns a Service with sessions lasting ttl (30 days if 0)
// and 10 failed logins per 15 minutes allowed per address and per name.
func NewService(d *db.DB, ttl time.Duration) *Service {
	if ttl <= 0 {
		ttl = 30 * 24 * time.Hour
	}
	return &Service{DB: d, TTL: ttl, Limits: NewStoredLimiter(d, 10, 15*time.Minute)}
}

// Login is a new session: Token goes to the client (cookie or bearer) and
// is never stored.
type Login struct {
	Session db.Session
	User    db.User
	Token   string
}

// Login checks a name and password and opens a session. Failures count
// against both the client address and the name; while either is over the
// limit every attempt is refused without checking the password.
func (s *Service) Login(ctx context.Context, name, password, ip, userAgent string) (Login, error) {
	keys := []string{"ip:" + ip, "user:" + strings.ToLower(name)}
	if blocked, wait := s.Limits.Blocked(keys...); blocked {
		return Login{}, &RateLimitError{RetryAfter: wait}
	}
	if len(password) > 1024 {
		s.Limits.Fail(keys...)
		return Login{}, fmt.Errorf("wrong user name or password: %w", ErrUnauthorized)
	}
	u, err := s.DB.UserByName(ctx, name)
	if errors.Is(err, db.ErrNotFound) {
		_, _ = CheckPassword(dummyHash(), password)
		s.Limits.Fail(keys...)
		return Login{}, fmt.Errorf("wrong user name or password: %w", ErrUnauthorized)
	} else if err != nil {
		return Login{}, err
	}
	ok, err := CheckPassword(u.PasswordHash, password)
	if err != nil {
		return Login{}, fmt.Errorf("check password of %s: %w", u.Username, err)
	}
	if !ok {
		s.Limits.Fail(keys...)
		return Login{}, fmt.Errorf("wrong user name or password: %w", ErrUnauthorized)
	}
	s.Limits.Reset(keys[1])
	return s.open(ctx, u, ip, userAgent)
}

func (s *Service) open(ctx context.Context, u db.User, ip, userAgent string) (Login, error) {
	tok := NewToken()
	sess, err := s.DB.CreateSession(ctx, HashToken(tok), u.ID, NewToken(), s.TTL, ip, userAgent)
	if err != nil {
		return Login{}, err
	}
	return Login{Session: sess, User: u, Token: tok}, nil
}

// Setup creates the first admin while no account exists and logs them in.
func (s *Service) Setup(ctx context.Context, name, password, ip, userAgent string) (Login, error) {
	if err := CheckUsername(name); err != nil {
		return Login{}, err
	}
	if err := CheckPasswordRules(password); err != nil {
		return Login{}, err
	}
	if n, err := s.DB.CountUsers(ctx); err != nil {
		return Login{}, err
	} else if n > 0 {
		return Login{}, fmt.Errorf("setup is already done; log in instead: %w", db.ErrConflict)
	}
	h, err := HashPassword(password)
	if err != nil {
		return Login{}, err
	}
	u, err := s.DB.CreateFirstUser(ctx, name, h, RoleAdmin)
	if err != nil {
		return Login{}, err
	}
	return s.open(ctx, u, ip, userAgent)
}

// Session returns the live session a token opens, or ErrUnauthorized.
func (s *Service) Session(ctx context.Context, token string) (db.Session, error) {
	if token == "" || len(token) > 200 {
		return db.Session{}, fmt.Errorf("not logged in: %w", ErrUnauthorized)
	}
	sess, err := s.DB.SessionByTokenHash(ctx, HashToken(token))
	if errors.Is(err, db.ErrNotFound) {
		return sess, fmt.Errorf("not logged in or the session expired: %w", ErrUnauthorized)
	}
	return sess, err
}

// ChangePassword checks the old password, sets the new one and logs out
// the user's other sessions.
func (s *Service) ChangePassword(ctx context.Context, sess db.Session, oldPw, newPw string) error {
	u, err := s.DB.UserByID(ctx, sess.UserID)
	if err != nil {
		return err
	}
	keys := []string{"user:" + strings.ToLower(u.Username)}
	if blocked, wait := s.Limits.Blocked(keys...); blocked {
		return &RateLimitError{RetryAfter: wait}
	}
	ok, err := CheckPassword(u.PasswordHash, oldPw)
	if err != nil {
		return err
	}
	if !ok {
		s.Limits.Fail(keys...)
		return fmt.Errorf("the current password is wrong: %w", ErrForbidden)
	}
	if err := CheckPasswordRules(newPw); err != nil {
		return err
	}
	h, err := HashPassword(newPw)
	if err != nil {
		return err
	}
	return s.DB.SetPassword(ctx, u.ID, h, sess.ID)
}

// Settings keys of the thumbnail/download tokens: the full one for users
// and admins, the restricted one (never serves private photos) for viewers.
const (
	settingThumbToken       = "thumb_token"
	settingViewerThumbToken = "thumb_token_viewer"
)

// ThumbTokens returns the thumbnail/download tokens, creating them on
// first use: full serves every photo, viewer serves non-private ones.
func (s *Service) ThumbTokens(ctx context.Context) (full, viewer string, err error) {
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	if s.fullTok != "" {
		return s.fullTok, s.viewerTok, nil
	}
	full, err = s.token(ctx, settingThumbToken)
	if err != nil {
		return "", "", err
	}
	viewer, err = s.token(ctx, settingViewerThumbToken)
	if err != nil {
		return "", "", err
	}
	s.fullTok, s.viewerTok = full, viewer
	return full, viewer, nil
}

func (s *Service) token(ctx context.Context, key string) (string, error) {
	t, err := s.DB.Setting(ctx, key)
	if errors.Is(err, db.ErrNotFound) || err == nil && t == "" {
		t = NewToken()
		if err := s.DB.SetSetting(ctx, key, t); err != nil {
			return "", fmt.Errorf("store %s: %w", key, err)
		}
		return t, nil
	}
	return t, err
}

// RotateThumbTokens replaces both tokens; every old thumbnail and download
// URL stops working.
func (s *Service) RotateThumbTokens(ctx context.Context) (full, viewer string, err error) {
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	s.fullTok, s.viewerTok = "", "" // re-read after a failed write
	full, viewer = NewToken(), NewToken()
	if err := s.DB.SetSetting(ctx, settingThumbToken, full); err != nil {
		return "", "", err
	}
	if err := s.DB.SetSetting(ctx, settingViewerThumbToken, viewer); err != nil {
		return "", "", err
	}
	s.fullTok, s.viewerTok = full, viewer
	return full, viewer, nil
}

// ThumbTokenFor returns the token a role's thumbnail URLs carry.
func (s *Service) ThumbTokenFor(ctx context.Context, role string) (string, error) {
	full, viewer, err := s.ThumbTokens(ctx)
	if role == RoleViewer {
		return viewer, err
	}
	return full, err
}

// ShareOptions are a new share link's settings; the zero value is a link
// without password or expiry that allows downloads.
type ShareOptions struct {
	Password    string
	Expires     *time.Time
	NoDownloads bool
}

// CreateShare makes a share link for an album.
func (s *Service) CreateShare(ctx context.Context, albumID int64, o ShareOptions, by int64) (db.Share, error) {
	password, expires := o.Password, o.Expires
	n := db.NewShare{AlbumID: albumID, Token: NewToken(), Access: NewToken(), ExpiresAt: expires, CreatedBy: by, NoDownloads: o.NoDownloads}
	n.TokenHash, n.AccessHash = HashToken(n.Token), HashToken(n.Access)
	if password != "" {
		if len(password) > 1024 {
			return db.Share{}, fmt.Errorf("share password must be at most 1024 bytes: %w", db.ErrInvalid)
		}
		h, err := HashPassword(password)
		if err != nil {
			return db.Share{}, err
		}
		n.PasswordHash = h
	}
	if expires != nil && !expires.After(time.Now()) {
		return db.Share{}, fmt.Errorf("the expiry is in the past: %w", db.ErrInvalid)
	}
	return s.DB.CreateShare(ctx, n)
}

// OpenShare finds the live share a link token names.
func (s *Service) OpenShare(ctx context.Context, token string) (db.Share, error) {
	if token == "" || len(token) > 200 {
		return db.Share{}, fmt.Errorf("share link: %w", db.ErrNotFound)
	}
	return s.DB.ShareByTokenHash(ctx, HashToken(token))
}

// UnlockShare checks a share's password and returns its access secret.
// Guesses are rate-limited per address and per share.
func (s *Service) UnlockShare(ctx context.Context, token, password, ip string) (string, error) {
	sh, err := s.OpenShare(ctx, token)
	if err != nil {
		return "", err
	}
	if !sh.HasPassword {
		return sh.Access, nil
	}
	keys := []string{"ip:" + ip, fmt.Sprintf("share:%d", sh.ID)}
	if blocked, wait := s.Limits.Blocked(keys...); blocked {
		return "", &RateLimitError{RetryAfter: wait}
	}
	ok, err := CheckPassword(sh.PasswordHash, password)
	if err != nil {
		return "", err
	}
	if !ok {
		s.Limits.Fail(keys...)
		return "", fmt.Errorf("wrong password for this album: %w", ErrUnauthorized)
	}
	return sh.Access, nil
}

// ShareByAccess finds the live share an access secret belongs to.
func (s *Service) ShareByAccess(ctx context.Context, access string) (db.Share, error) {
	if access == "" || len(access) > 200 {
		return db.Share{}, fmt.Errorf("share access: %w", db.ErrNotFound)
	}
	return s.DB.ShareByAccessHash(ctx, HashToken(access))
}
