package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"pinhole/db"
)

// Purposes bound into the seals of a share's secrets.
const (
	sealShareToken  = "share token"
	sealShareAccess = "share access"
)

// ShareOptions are a new share link's settings; the zero value is a link
// without password or expiry that allows downloads.
type ShareOptions struct {
	Password    string
	Expires     *time.Time
	NoDownloads bool
}

// CreateShare makes a share link for an album. The link token and the
// access secret are stored only as SHA-256 (to find the share) and sealed
// with the server key (for the owner to see the link again).
func (s *Service) CreateShare(ctx context.Context, albumID int64, o ShareOptions, by int64) (db.Share, error) {
	password, expires := o.Password, o.Expires
	token, access := NewToken(), NewToken()
	n := db.NewShare{AlbumID: albumID, ExpiresAt: expires, CreatedBy: by, NoDownloads: o.NoDownloads,
		TokenHash: HashToken(token), TokenSealed: s.keys.Seal(sealShareToken, token),
		AccessHash: HashToken(access), AccessSealed: s.keys.Seal(sealShareAccess, access)}
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
	sh, err := s.DB.CreateShare(ctx, n)
	if err != nil {
		return sh, err
	}
	sh.Token, sh.Access = token, access
	return sh, nil
}

// UnsealShare fills in a share's link token and access secret from their
// seals, for its owner. A seal the server key cannot open (the key file
// was replaced) leaves the field empty: the link still works for whoever
// has it, and its next visit seals it again (OpenShare).
func (s *Service) UnsealShare(sh *db.Share) {
	sh.Token, _ = s.keys.Open(sealShareToken, sh.TokenSealed)
	sh.Access, _ = s.keys.Open(sealShareAccess, sh.AccessSealed)
}

// Shares lists share links, of one album or (0) of all, with their links.
func (s *Service) Shares(ctx context.Context, albumID int64) ([]db.Share, error) {
	list, err := s.DB.Shares(ctx, albumID)
	for i := range list {
		s.UnsealShare(&list[i])
	}
	return list, err
}

// OpenShare finds the live share a link token names, with its access
// secret.
func (s *Service) OpenShare(ctx context.Context, token string) (db.Share, error) {
	if token == "" || len(token) > 200 {
		return db.Share{}, fmt.Errorf("share link: %w", db.ErrNotFound)
	}
	sh, err := s.DB.ShareByTokenHash(ctx, HashToken(token))
	if err != nil {
		return sh, err
	}
	s.UnsealShare(&sh)
	if sh.Token == "" || sh.Access == "" {
		// Sealed with a server key that is gone. The visitor proved
		// they hold the link, so seal it again; an access secret that
		// cannot be read is replaced (visitors unlock once more).
		if sh.Access == "" {
			sh.Access = NewToken()
		}
		sh.Token = token
		err := s.DB.ResealShare(ctx, sh.ID, s.keys.Seal(sealShareToken, token), HashToken(sh.Access), s.keys.Seal(sealShareAccess, sh.Access))
		if err != nil {
			return db.Share{}, err
		}
	}
	return sh, nil
}

// UnlockShare checks a share's password and returns its access secret.
// Like a login, the guess reserves a slot in the address's, the (share,
// address) pair's and the share's budgets before the password is checked.
func (s *Service) UnlockShare(ctx context.Context, token, password, ip string) (string, error) {
	sh, err := s.OpenShare(ctx, token)
	if err != nil {
		return "", err
	}
	if !sh.HasPassword {
		return sh.Access, nil
	}
	pair := fmt.Sprintf("share:%d|%s", sh.ID, ip)
	att, err := s.Limits.Reserve(Budget{Key: "ip:" + ip, Max: AddressLimit}, Budget{Key: pair, Max: PairLimit},
		Budget{Key: fmt.Sprintf("share:%d", sh.ID), Max: NameLimit})
	if err != nil {
		return "", err
	}
	if len(password) > 1024 {
		att.Failed()
		return "", fmt.Errorf("wrong password for this album: %w", ErrUnauthorized)
	}
	ok, err := CheckPassword(sh.PasswordHash, password)
	if err != nil {
		att.Cancel()
		return "", err
	}
	if !ok {
		att.Failed()
		return "", fmt.Errorf("wrong password for this album: %w", ErrUnauthorized)
	}
	att.Succeeded(pair)
	return sh.Access, nil
}

// ShareByAccess finds the live share an access secret belongs to (its
// Token is not filled in: thumbnails and downloads do not need it).
func (s *Service) ShareByAccess(ctx context.Context, access string) (db.Share, error) {
	if access == "" || len(access) > 200 {
		return db.Share{}, fmt.Errorf("share access: %w", db.ErrNotFound)
	}
	sh, err := s.DB.ShareByAccessHash(ctx, HashToken(access))
	if err != nil {
		return sh, err
	}
	sh.Access = access
	return sh, nil
}

// SealLegacyShares seals the share links older versions stored in clear
// (set aside by migration 011) and wipes the clear copies. Run it with
// the server key after opening the database; it is a no-op afterwards.
func SealLegacyShares(ctx context.Context, d *db.DB, keys *Keys) (int, error) {
	return d.SealLegacyShares(ctx, func(token, access string) (string, string, error) {
		if token == "" || access == "" {
			return "", "", errors.New("a share from before version 011 has no link or access secret")
		}
		return keys.Seal(sealShareToken, token), keys.Seal(sealShareAccess, access), nil
	})
}
