// Package dupes finds near-duplicate photos: a perceptual hash of each
// photo, computed in the background from its smallest whole-picture
// thumbnail, and groups of photos whose hashes are close.
package dupes

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"pinhole/db"
	"pinhole/thumbs"
)

// Thumbnails is what hashing needs of the thumbnail service
// (*thumbs.Service).
type Thumbnails interface {
	Get(ctx context.Context, src thumbs.Source, size thumbs.Size) (thumbs.Result, error)
}

// HashSize is the rendition hashed: the smallest that shows the whole
// picture (a grid cell's, so usually cached already).
var HashSize, _ = thumbs.ParseSize("fit_256")

// Rendition returns the decoded HashSize rendition of src, rendered at
// background priority (browsers' thumbnails go first).
func Rendition(ctx context.Context, th Thumbnails, src thumbs.Source) (image.Image, error) {
	r, err := th.Get(thumbs.WithPriority(ctx, thumbs.Background), src, HashSize)
	if err != nil {
		return nil, err
	}
	data := r.Data
	if data == nil {
		if data, err = os.ReadFile(r.Path); err != nil {
			return nil, fmt.Errorf("read rendition: %w", err)
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode rendition: %w", err)
	}
	return img, nil
}

// Options configure the background hashing.
type Options struct {
	Originals string
	Logger    *slog.Logger
	// Batch is how many photos are hashed before the next look at the
	// database (16); Pause is the rest between photos (20 ms), so that
	// hashing a large library never holds a core for long.
	Batch int
	Pause time.Duration
	// Idle is how long to wait, when every photo is hashed, before
	// looking again (10 minutes; indexed photos poke it at once), so that
	// an idle server's database stays idle (--idle-release).
	Idle time.Duration
}

// Service hashes photos in the background and groups them on request.
type Service struct {
	db     *db.DB
	th     Thumbnails
	opt    Options
	log    *slog.Logger
	poke   chan struct{}
	hashed func(n int) // test hook: after each batch

	// The last groups, kept until the library version or gen moves
	// (comparing every pair of 20k photos takes about 0.4 s).
	mu     sync.Mutex
	gen    int64 // moved by every hash stored and pair dismissed here
	kept   []Group
	keptAt [2]int64
}

// New makes the service; Run starts hashing.
func New(d *db.DB, th Thumbnails, opt Options) *Service {
	if opt.Batch <= 0 {
		opt.Batch = 16
	}
	if opt.Pause <= 0 {
		opt.Pause = 20 * time.Millisecond
	}
	if opt.Idle <= 0 {
		opt.Idle = 10 * time.Minute
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, th: th, opt: opt, log: log, poke: make(chan struct{}, 1)}
}

// Poke makes a waiting Run look for photos to hash at once (the indexer
// added or changed some).
func (s *Service) Poke() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// Run hashes every photo without a hash for its primary file's content,
// a few at a time at background priority, until ctx ends. Memory stays
// bounded: one 256-pixel rendition is decoded at a time.
func (s *Service) Run(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := s.HashSome(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("perceptual hashes", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-s.poke:
		case <-time.After(s.opt.Idle):
		}
	}
}

// HashSome hashes one batch and returns how many photos it hashed.
func (s *Service) HashSome(ctx context.Context) (int, error) {
	todo, err := s.db.PhotosToHash(ctx, s.opt.Batch)
	if err != nil {
		return 0, err
	}
	for i, t := range todo {
		src := thumbs.Source{Path: filepath.Join(s.opt.Originals, filepath.FromSlash(t.Path)), Hash: t.Hash, MIME: t.MIME, Orientation: t.Orientation}
		img, err := Rendition(ctx, s.th, src)
		if ctx.Err() != nil {
			return i, ctx.Err()
		}
		var h Hashes
		if err != nil {
			// Not tried again until the file changes: a file without a
			// preview has none the next time either.
			s.log.Debug("no perceptual hash", "photo_id", t.PhotoID, "err", err)
		} else {
			h = HashImage(img)
		}
		if err := s.db.SavePictureHash(ctx, t.PhotoID, t.Hash, h.P, h.D, err == nil); err != nil {
			return i, err
		}
		s.changed()
		select {
		case <-ctx.Done():
			return i + 1, ctx.Err()
		case <-time.After(s.opt.Pause):
		}
	}
	if s.hashed != nil {
		s.hashed(len(todo))
	}
	return len(todo), nil
}

func (s *Service) changed() {
	s.mu.Lock()
	s.gen++
	s.mu.Unlock()
}

// Dismiss remembers that no two of ids are duplicates.
func (s *Service) Dismiss(ctx context.Context, ids []int64) error {
	defer s.changed()
	return s.db.DismissDupes(ctx, ids)
}

// Groups returns the library's groups of near-duplicates, largest first,
// without the pairs someone dismissed. Callers must not change them.
func (s *Service) Groups(ctx context.Context) ([]Group, error) {
	// Both read before computing: a change in between moves one again.
	v, err := s.db.LibraryVersion(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	at := [2]int64{v, s.gen}
	if s.kept != nil && s.keptAt == at {
		g := s.kept
		s.mu.Unlock()
		return g, nil
	}
	s.mu.Unlock()
	groups, err := s.groups(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.kept, s.keptAt = groups, at
	s.mu.Unlock()
	return groups, nil
}

func (s *Service) groups(ctx context.Context) ([]Group, error) {
	photos, err := s.db.HashedPhotos(ctx)
	if err != nil {
		return nil, err
	}
	dismissed, err := s.db.DismissedPairs(ctx)
	if err != nil {
		return nil, err
	}
	out := GroupPhotos(photos, dismissed)
	if out == nil {
		out = []Group{}
	}
	return out, nil
}
