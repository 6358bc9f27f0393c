package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"pinhole/db"
)

// App passwords let a phone app or sync tool (PhotoSync, FolderSync,
// rclone) sign in to WebDAV without the account password: each is made for
// one device, shown once, and revoked on its own. They are random, so a
// fast keyed hash protects them as well as argon2 would a chosen password.
const (
	// MaxAppPasswords is how many app passwords one account may hold.
	MaxAppPasswords = 20
	// appPasswordLen is the number of characters, 5 bits each: 140 bits.
	appPasswordLen = 28
	// appAlphabet has 32 letters and digits, without l, o, 0 and 1, which
	// are easily mistaken for each other when typed from a screen.
	appAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"
)

// errWrongAppPassword is the one answer to a wrong name or app password.
var errWrongAppPassword = fmt.Errorf("wrong user name or app password (WebDAV takes an app password from Settings, not the account password): %w", ErrUnauthorized)

// newAppPassword returns a fresh app password in groups of four,
// "k7mq-2vxa-…", easy to read out and type on a phone.
func newAppPassword() string {
	raw := make([]byte, appPasswordLen)
	if _, err := rand.Read(raw); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	var b strings.Builder
	for i, c := range raw {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(appAlphabet[c&31]) // 256 is a multiple of 32: uniform
	}
	return b.String()
}

// normalizeAppPassword accepts an app password as people type it: any
// case, with or without the dashes and spaces. ok is false when it cannot
// be one.
func normalizeAppPassword(s string) (string, bool) {
	if len(s) > 4*appPasswordLen {
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '-' || r == ' ':
		case r < utf8.RuneSelf && strings.IndexByte(appAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	return b.String(), b.Len() == appPasswordLen
}

// appPasswordHash is what the database keeps of an app password: an
// HMAC-SHA256 under a key derived from the server key, so a copy of the
// database alone can neither sign in nor test guesses. The key is the
// link subkey's HMAC of a purpose no link secret input can equal (those
// hold a NUL byte), so it stands apart from every other use.
func (k *Keys) appPasswordHash(normalized string) string {
	km := hmac.New(sha256.New, k.link)
	km.Write([]byte("pinhole app password v1"))
	m := hmac.New(sha256.New, km.Sum(nil))
	m.Write([]byte(normalized))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckAppPasswordName validates the name a user gives an app password.
func CheckAppPasswordName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 64 {
		return "", fmt.Errorf("name the app password (1 to 64 characters), e.g. after the phone it is for: %w", db.ErrInvalid)
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return "", fmt.Errorf("the name must not contain control characters: %w", db.ErrInvalid)
		}
	}
	return name, nil
}

// CreateAppPassword makes a new app password for a user and returns it
// with the secret, which is shown this once and never stored. Viewers get
// none: WebDAV is for uploading.
func (s *Service) CreateAppPassword(ctx context.Context, userID int64, role, name string) (db.AppPassword, string, error) {
	if role != db.RoleAdmin && role != db.RoleUser {
		return db.AppPassword{}, "", fmt.Errorf("viewers cannot upload, so they have no app passwords: %w", ErrForbidden)
	}
	name, err := CheckAppPasswordName(name)
	if err != nil {
		return db.AppPassword{}, "", err
	}
	secret := newAppPassword()
	norm, _ := normalizeAppPassword(secret)
	p, err := s.DB.CreateAppPassword(ctx, userID, name, s.keys.appPasswordHash(norm), MaxAppPasswords)
	if err != nil {
		return db.AppPassword{}, "", err
	}
	return p, secret, nil
}

// CheckAppPassword signs a WebDAV request in: a user name and one of that
// user's app passwords (never the account password). The attempt counts
// against the same sign-in budgets as a login (see Login): a slot is
// reserved first, a wrong password is a failure of the name, the pair and
// the address. The password's last use is noted at most once a minute,
// and with it the address as one the user signs in from. A viewer (a user
// demoted since) is ErrForbidden.
func (s *Service) CheckAppPassword(ctx context.Context, name, password, ip string) (db.User, db.AppPassword, error) {
	lname := strings.ToLower(name)
	u, uerr := s.DB.UserByName(ctx, name)
	if uerr != nil && !errors.Is(uerr, db.ErrNotFound) {
		return db.User{}, db.AppPassword{}, uerr
	}
	known := false
	if uerr == nil {
		var err error
		if known, err = s.DB.KnownLoginClient(ctx, u.ID, ip, time.Now().Add(-KnownClientAge)); err != nil {
			return db.User{}, db.AppPassword{}, err
		}
	}
	// The same budgets and keys as Login, so guesses over WebDAV and over
	// the login form draw from one allowance.
	pair := "pair:" + lname + "|" + ip
	nameBudget := Budget{Key: "user:" + lname, Max: NameLimit}
	if known {
		nameBudget.Max = 0
	}
	att, err := s.Limits.Reserve(Budget{Key: "ip:" + ip, Max: AddressLimit}, Budget{Key: pair, Max: PairLimit}, nameBudget)
	if err != nil {
		return db.User{}, db.AppPassword{}, err
	}
	norm, ok := normalizeAppPassword(password)
	hash := s.keys.appPasswordHash(norm)
	if !ok || uerr != nil {
		// Looked up all the same, so an unknown name takes as long to
		// refuse as a wrong password.
		_, _ = s.DB.AppPasswordByHash(ctx, 0, hash)
		att.Failed()
		return db.User{}, db.AppPassword{}, errWrongAppPassword
	}
	p, err := s.DB.AppPasswordByHash(ctx, u.ID, hash)
	if errors.Is(err, db.ErrNotFound) {
		att.Failed()
		return db.User{}, db.AppPassword{}, errWrongAppPassword
	}
	if err != nil {
		att.Cancel()
		return db.User{}, db.AppPassword{}, err
	}
	att.Succeeded(pair)
	if u.Role != db.RoleAdmin && u.Role != db.RoleUser {
		return db.User{}, db.AppPassword{}, fmt.Errorf("viewers cannot upload; an admin can make you a user: %w", ErrForbidden)
	}
	if wrote, err := s.DB.TouchAppPassword(ctx, p.ID, ip); err != nil {
		return db.User{}, db.AppPassword{}, err
	} else if wrote {
		if err := s.DB.RememberLoginClient(ctx, u.ID, ip); err != nil {
			return db.User{}, db.AppPassword{}, err
		}
	}
	return u, p, nil
}
