package auth

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"pinhole/db"
)

// linkRefresh is how old the in-memory table of link secrets may get
// before a lookup reads the users again. Changes made through this
// server clear it at once; this bounds how long a change made by another
// process (`pinhole users passwd` while serving) takes to apply.
const linkRefresh = 2 * time.Second

// LinkOwner is whose thumbnail/download secret a URL carries.
type LinkOwner struct {
	UserID int64
	Role   string
}

// links maps each user's thumbnail/download secret to its owner. It is
// asked on every thumbnail, so it lives in memory and is rebuilt from the
// users table (one small query plus an HMAC per user) when it is older
// than linkRefresh or was cleared by a change.
type links struct {
	mu       sync.Mutex
	byDigest map[[sha256.Size]byte]LinkOwner // keyed by the secret's SHA-256: a map lookup then tells a timing observer nothing about the secret
	byUser   map[int64]string
	loaded   time.Time
}

// load rebuilds the table; call with mu held.
func (s *Service) loadLinks(ctx context.Context) error {
	ks, err := s.DB.LinkKeys(ctx)
	if err != nil {
		return fmt.Errorf("load link secrets: %w", err)
	}
	byDigest := make(map[[sha256.Size]byte]LinkOwner, len(ks))
	byUser := make(map[int64]string, len(ks))
	for _, k := range ks {
		sec := s.keys.linkSecret(k.UserID, k.Nonce)
		byDigest[sha256.Sum256([]byte(sec))] = LinkOwner{UserID: k.UserID, Role: k.Role}
		byUser[k.UserID] = sec
	}
	s.links.byDigest, s.links.byUser, s.links.loaded = byDigest, byUser, time.Now()
	return nil
}

// fresh reports whether the table may be used as is; call with mu held.
func (s *Service) linksFresh() bool {
	return s.links.byDigest != nil && time.Since(s.links.loaded) < linkRefresh
}

// ThumbToken returns the thumbnail/download secret of a user: what their
// thumbnail, download and video URLs carry.
func (s *Service) ThumbToken(ctx context.Context, userID int64) (string, error) {
	s.links.mu.Lock()
	defer s.links.mu.Unlock()
	if s.linksFresh() {
		if t, ok := s.links.byUser[userID]; ok {
			return t, nil
		}
	}
	if err := s.loadLinks(ctx); err != nil {
		return "", err
	}
	t, ok := s.links.byUser[userID]
	if !ok {
		return "", fmt.Errorf("user %d: %w", userID, db.ErrNotFound)
	}
	return t, nil
}

// LinkOwner finds whose thumbnail/download secret token is; ok is false
// for a token that is no user's (any more).
func (s *Service) LinkOwner(ctx context.Context, token string) (LinkOwner, bool, error) {
	d := sha256.Sum256([]byte(token))
	s.links.mu.Lock()
	defer s.links.mu.Unlock()
	if !s.linksFresh() {
		if err := s.loadLinks(ctx); err != nil && s.links.byDigest == nil {
			return LinkOwner{}, false, err
		}
		// A failed periodic refresh (the database busy with a backup)
		// keeps the table: it holds no change made through this server,
		// which empties it, and thumbnails keep loading.
	}
	o, ok := s.links.byDigest[d]
	return o, ok, nil
}

// forgetLinks makes the next lookup read the users again; every change
// of a role, password, account or nonce made through the service calls
// it, so old URLs stop working at once.
func (s *Service) forgetLinks() {
	s.links.mu.Lock()
	s.links.byDigest, s.links.byUser = nil, nil
	s.links.mu.Unlock()
}

// RotateThumbTokens gives every user a new thumbnail/download secret;
// every old thumbnail and download URL stops working (share links keep
// theirs).
func (s *Service) RotateThumbTokens(ctx context.Context) error {
	defer s.forgetLinks()
	return s.DB.RotateLinkKeys(ctx)
}
