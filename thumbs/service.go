// Package thumbs renders thumbnails lazily and keeps them in a disk cache.
//
// JPEGs are decoded by libjpeg-turbo at the smallest DCT scale that still
// covers the requested size, resized with a Lanczos3 filter, turned upright
// by their EXIF orientation and encoded by libjpeg-turbo; builds without cgo
// or with the noturbojpeg tag use image/jpeg instead, slower. PNG, GIF,
// WebP, TIFF and BMP are decoded by the standard library and x/image, RAW
// files by their largest embedded preview, HEIC/AVIF and video by optional
// helper programs (heif-dec/heif-convert, ffmpeg). A file that cannot be
// shown gets a Placeholder that says why, never a broken image.
//
// The Service bounds memory: every file is admitted by its headers before
// any decoder or helper starts (admit.go), and charged what its decode
// really takes; concurrent identical requests share one render, and
// decodes wait on a memory-weighted semaphore sized by the decode budget,
// where browser requests go before background warm-up. Helpers run under
// address-space, CPU and output limits (limit_linux.go). A refused file is
// remembered (refusals.go), so asking again costs microseconds.
package thumbs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Defaults for Config.
const (
	// DefaultDecodeBudget leaves most of a 1 GB Pi to the rest, and holds
	// the largest single decode of a common camera's photo: fit_4096 of a
	// 24 MP portrait JPEG takes about 155 MB (the decode at 6/8 scale,
	// the resampled picture, its upright copy and the encoder). Decodes
	// needing more are refused, never run over it.
	DefaultDecodeBudget = 160 << 20
	renderTimeout       = 2 * time.Minute
)

// Config configures a Service.
type Config struct {
	// CacheDir holds the rendered thumbnails; it is created if missing.
	CacheDir string
	// MaxCacheBytes caps the cache (0: a tenth of the free disk space).
	MaxCacheBytes int64
	// DecodeBudgetBytes bounds the memory of concurrent decodes
	// (0: DefaultDecodeBudget).
	DecodeBudgetBytes int64
	// MaxPixels refuses images that declare more pixels (0: DefaultMaxPixels).
	MaxPixels int64
	// Quality of the JPEG thumbnails (0: DefaultQuality).
	Quality int
	// HEIFConvert and FFmpeg are the helper programs' paths; empty finds them
	// on PATH, "off" disables them.
	HEIFConvert, FFmpeg string
	// HelperTimeout bounds each helper run (0: DefaultHelperTimeout).
	HelperTimeout time.Duration
	// Logger receives warnings (nil: slog.Default()).
	Logger *slog.Logger
}

// Source is one original file to render.
type Source struct {
	Path string
	// Hash is the hex SHA-1 of the file's content; it keys the cache.
	Hash string
	// Orientation is the EXIF orientation the index read (1–8); 0 reads it
	// from the file.
	Orientation int
	// MIME is the type the index recorded, a hint next to the content.
	MIME string
}

// Result is a rendered thumbnail: a cached file, or the bytes themselves
// when the cache could not be written.
type Result struct {
	Path        string
	Data        []byte
	Size        int64
	ETag        string // strong, quoted
	ContentType string
}

// Service renders and caches thumbnails. Its methods are safe for
// concurrent use.
type Service struct {
	cache   *diskCache
	refused *refusals
	// unsupported remembers, in memory only, files of a kind nothing here
	// can preview (a RAW without an embedded preview): cheap to find out
	// again, and it changes when a helper is installed, so it is not
	// stored; it lets the web app draw a tile that says why at once.
	unsupported sync.Map // hash → Refusal
	gate        *memGate
	opts        Options
	log         *slog.Logger
	flights     singleflight.Group

	cancel context.CancelFunc
	wg     sync.WaitGroup
	ready  chan struct{} // closed when the startup scan is done
}

// New creates the cache folder and starts the background scan of the
// existing cache and the evictor. Call Close to stop them.
func New(cfg Config) (*Service, error) {
	if cfg.CacheDir == "" {
		return nil, errors.New("thumbs: no cache dir")
	}
	if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("create thumbnail cache: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.MaxCacheBytes <= 0 {
		cfg.MaxCacheBytes = defaultCacheBytes(cfg.CacheDir)
	}
	if cfg.DecodeBudgetBytes <= 0 {
		cfg.DecodeBudgetBytes = DefaultDecodeBudget
	}
	heif, ffmpeg := FindHelpers()
	pick := func(set, found string) string {
		switch set {
		case "":
			return found
		case "off":
			return ""
		}
		return set
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		cache:   newDiskCache(cfg.CacheDir, cfg.MaxCacheBytes, log),
		refused: loadRefusals(cfg.CacheDir, log),
		gate:    newMemGate(cfg.DecodeBudgetBytes),
		opts: Options{
			MaxPixels: cfg.MaxPixels, Quality: cfg.Quality, HelperTimeout: cfg.HelperTimeout,
			DecodeBudget: cfg.DecodeBudgetBytes,
			HEIFConvert:  pick(cfg.HEIFConvert, heif), FFmpeg: pick(cfg.FFmpeg, ffmpeg),
		}.withDefaults(),
		log:    log,
		cancel: cancel,
		ready:  make(chan struct{}),
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.cache.scan()
		close(s.ready)
		s.cache.evict()
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.cache.kick:
				s.cache.evict()
			}
		}
	}()
	return s, nil
}

// Close stops the background work.
func (s *Service) Close() error {
	s.cancel()
	s.wg.Wait()
	return nil
}

// Helpers reports which helper programs are in use ("" when none), for
// the status page.
func (s *Service) Helpers() (heif, ffmpeg string) { return s.opts.HEIFConvert, s.opts.FFmpeg }

// Stats returns the cache's counters.
func (s *Service) Stats() CacheStats { return s.cache.stats() }

// ClearCache removes every cached thumbnail (they are rendered again on
// demand) and the remembered refusals (the owner may have raised a limit
// or installed a helper), and reports what it removed.
func (s *Service) ClearCache() (files int, bytes int64) {
	<-s.ready // the start-up scan has indexed what is on disk
	s.refused.clear()
	s.unsupported.Clear()
	return s.cache.clear()
}

// Refused returns the n most recent refusals, newest first, and how many
// files are refused in all, for the status page.
func (s *Service) Refused(n int) ([]Refusal, int) { return s.refused.latest(n) }

// Refusal reports why the file with this hash gets no thumbnail, if that
// is known: a remembered refusal (too large, broken) or a kind nothing here
// previews (unsupported, known since the last start).
func (s *Service) Refusal(hash string) (Refusal, bool) {
	if r, ok := s.refused.lookup(hash, s.opts); ok {
		return r.Refusal, true
	}
	if v, ok := s.unsupported.Load(hash); ok {
		return v.(Refusal), true
	}
	return Refusal{}, false
}

// Unpreviewable lists every file known to get no thumbnail: the
// remembered refusals and the unsupported files seen since the start.
func (s *Service) Unpreviewable() []Refusal {
	out, _ := s.refused.latest(maxRefusals)
	s.unsupported.Range(func(_, v any) bool {
		out = append(out, v.(Refusal))
		return len(out) < 2*maxRefusals
	})
	return out
}

func validHash(h string) bool {
	if len(h) < 8 || len(h) > 128 {
		return false
	}
	for _, c := range h {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func checkRequest(src Source, sizes []Size) error {
	if !validHash(src.Hash) {
		return fmt.Errorf("%w: hash %q", ErrInvalid, src.Hash)
	}
	for _, sz := range sizes {
		if known, ok := ParseSize(sz.Name); !ok || known != sz {
			return fmt.Errorf("%w: size %q", ErrInvalid, sz.Name)
		}
	}
	return nil
}

func etag(hash string, s Size) string {
	return fmt.Sprintf(`"%s-%s-v%d"`, hash, s.Name, RendererVersion)
}

// Get returns the thumbnail of src at size, rendering it on a cache miss.
// Concurrent calls for the same thumbnail share one render. A context
// marked WithPriority(ctx, Background) waits behind browser requests.
func (s *Service) Get(ctx context.Context, src Source, size Size) (Result, error) {
	if err := checkRequest(src, []Size{size}); err != nil {
		return Result{}, err
	}
	name := cacheName(src.Hash, size)
	res := Result{ETag: etag(src.Hash, size), ContentType: "image/jpeg"}
	if p, n, ok := s.cache.lookup(name); ok {
		s.cache.hits.Add(1)
		res.Path, res.Size = p, n
		return res, nil
	}
	if r, ok := s.refused.lookup(src.Hash, s.opts); ok {
		return Result{}, refusedError(r)
	}
	s.cache.misses.Add(1)
	ch := s.flights.DoChan(name, func() (any, error) {
		out, err := s.render(ctx, src, []Size{size})
		if err != nil {
			return nil, err
		}
		return out[0], nil
	})
	select {
	case <-ctx.Done():
		return Result{}, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return Result{}, r.Err
		}
		return r.Val.(Result), nil
	}
}

// Warm renders every size of src that is not cached yet, from one decode.
func (s *Service) Warm(ctx context.Context, src Source, sizes []Size) error {
	if err := checkRequest(src, sizes); err != nil {
		return err
	}
	var missing []Size
	for _, sz := range sizes {
		if _, _, ok := s.cache.lookup(cacheName(src.Hash, sz)); !ok {
			missing = append(missing, sz)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if r, ok := s.refused.lookup(src.Hash, s.opts); ok {
		return refusedError(r)
	}
	key := "warm:" + src.Hash
	for _, sz := range missing {
		key += ":" + sz.Name
	}
	ch := s.flights.DoChan(key, func() (any, error) {
		return s.render(ctx, src, missing)
	})
	select {
	case <-ctx.Done():
		return ctx.Err()
	case r := <-ch:
		return r.Err
	}
}

// render decodes src once, renders sizes and stores them. It keeps going
// when the caller that started it gives up, since others may be waiting on
// the same flight. A refusal is remembered, unless the render as a whole
// ran out of time (the machine may only have been busy).
func (s *Service) render(ctx context.Context, src Source, sizes []Size) (_ []Result, err error) {
	prio := priorityOf(ctx)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), renderTimeout)
	defer cancel()
	defer func() {
		if err != nil && ctx.Err() == nil {
			if r, ok := s.refused.remember(src.Hash, err, s.opts); ok {
				s.log.Info("thumbnail refused", "hash", src.Hash, "kind", r.Kind, "reason", r.Reason, "err", err)
			} else if errors.Is(err, ErrUnsupported) && validHash(src.Hash) {
				s.unsupported.Store(src.Hash, Refusal{Hash: src.Hash, Reason: Reason(err), Kind: "unsupported", At: time.Now().UTC().Truncate(time.Second)})
			}
		}
	}()
	defer survivePanic(&err)
	out := make([]Result, len(sizes))
	var todo []Size
	var idx []int
	for i, sz := range sizes {
		out[i] = Result{ETag: etag(src.Hash, sz), ContentType: "image/jpeg"}
		// A flight that just finished may have written it.
		if p, n, ok := s.cache.lookup(cacheName(src.Hash, sz)); ok {
			out[i].Path, out[i].Size = p, n
			continue
		}
		todo = append(todo, sz)
		idx = append(idx, i)
	}
	if len(todo) == 0 {
		return out, nil
	}
	opts := s.opts
	opts.Orientation, opts.MIME = src.Orientation, src.MIME
	p, err := openPlan(src.Path, todo, opts)
	if err != nil {
		return nil, err
	}
	defer p.close()
	s.addSmallerSizes(p, src.Hash)
	if err := s.gate.Acquire(ctx, p.cost, prio); err != nil {
		return nil, err
	}
	defer s.gate.Release(p.cost)
	s.cache.renders.Add(1)
	jpgs, err := p.renderAll(ctx)
	if err != nil {
		return nil, err
	}
	for j, jpg := range jpgs {
		path := s.cache.store(cacheName(src.Hash, p.sizes[j]), jpg)
		if j >= len(todo) {
			continue // rendered along, not asked for
		}
		r := &out[idx[j]]
		r.Size = int64(len(jpg))
		if r.Path = path; r.Path == "" {
			r.Data = jpg
		}
	}
	return out, nil
}

// addSmallerSizes adds to a plan of a format decoded at full size or by a
// helper (where each decode is expensive: a 16-bit PNG, a HEIC) every
// smaller size not cached yet, so that one decode serves the grid's tiles
// and the viewer's picture alike. JPEGs decode at a reduced DCT scale per
// size and do not need it.
func (s *Service) addSmallerSizes(p *plan, hash string) {
	if p.format == formatJPEG || p.format == formatRAW {
		return
	}
	largest := -1
	for _, sz := range p.sizes {
		for i, k := range Sizes {
			if k == sz {
				largest = max(largest, i)
			}
		}
	}
	asked, cost := p.sizes, p.cost
	for _, sz := range Sizes[:largest+1] {
		if slices.Contains(asked, sz) {
			continue
		}
		if _, _, ok := s.cache.lookup(cacheName(hash, sz)); !ok {
			p.sizes = append(p.sizes, sz)
		}
	}
	if len(p.sizes) == len(asked) {
		return
	}
	if p.cost = p.estimate(); p.cost > p.opts.DecodeBudget {
		p.sizes, p.cost = asked, cost
	}
}
