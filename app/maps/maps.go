// Package maps serves map tiles to Pinhole's web app so the browser never
// talks to a third party. With an upstream tile server configured it is a
// caching proxy: each tile is fetched once, kept on disk under a size cap
// with least-recently-used eviction, revalidated with the upstream's ETag
// when stale, and served stale when the upstream is down. Without one (the
// default) it draws an offline base map of land, sea and borders from the
// Natural Earth data embedded in app/places.
package maps

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"pinhole/app/places"
	"pinhole/app/upstream"
)

// Errors callers can test with errors.Is.
var (
	// ErrInvalid is a style or tile coordinate out of range.
	ErrInvalid = errors.New("invalid tile")
	// ErrUnavailable means neither the cache nor the upstream has the tile.
	ErrUnavailable = errors.New("tile unavailable")

	errOverBudget = errors.New("upstream budget used up")
)

// MaxZoom is the deepest zoom served (the usual limit of OSM-style servers).
const MaxZoom = 19

// BaseDetailZoom is the deepest zoom where the offline base map gains
// detail; deeper tiles are drawn from the same 1:10m borders.
const BaseDetailZoom = 7

// Styles are the style names a tile URL may carry. The offline base map
// draws each in its own colours; an upstream URL template may use {style}.
var Styles = []string{"dark", "light"}

// Options configure Tiles.
type Options struct {
	// Dir is the tile cache folder.
	Dir string
	// CacheBytes caps the cache (0: no cap).
	CacheBytes int64
	// UpstreamURL is a template with {z}, {x}, {y} and optionally {style};
	// empty serves the offline base map only and never touches the network.
	UpstreamURL string
	// Attribution is shown on the map for upstream tiles.
	Attribution string
	// UserAgent identifies Pinhole to the upstream.
	UserAgent string
	// Client makes upstream requests; nil uses one with a 20 s timeout.
	Client *http.Client
	// MaxUpstream bounds concurrent upstream requests (default 3).
	MaxUpstream int
	Log         *slog.Logger
	// Now is the clock (tests move it).
	Now func() time.Time
	// Pause, while on, keeps every request from reaching the upstream:
	// cached tiles are served however old, else the offline base map.
	Pause *upstream.Pause
	// Budget limits upstream fetches per user (named in the request's
	// context with upstream.WithClient) and in all; beyond it a kept copy
	// or the offline base map answers. Cache hits cost nothing. Nil: no
	// limit.
	Budget *upstream.Budget
}

// Meta describes a served tile.
type Meta struct {
	ContentType string
	// Source: "base" (drawn offline), "cache", "upstream", or "stale"
	// (kept copy served while the upstream is failing).
	Source string
	// MaxAge is how long a browser may keep the tile.
	MaxAge time.Duration
}

// Info is what the web app needs to set up its tile layer.
type Info struct {
	Online      bool   `json:"online"`
	Attribution string `json:"attribution"`
	// MaxNativeZoom: deeper zooms look no sharper (the base map's borders
	// are 1:10m); the map may still zoom further.
	MaxNativeZoom int `json:"max_native_zoom"`
}

// Stats are the tile service's counters for the status page.
type Stats struct {
	Mode             string  `json:"mode"`              // online or offline
	Service          string  `json:"service,omitempty"` // the tile server's host when online
	CacheBytes       int64   `json:"cache_bytes"`
	CacheCapBytes    int64   `json:"cache_cap_bytes"`
	CacheFiles       int     `json:"cache_files"`
	Hits             int64   `json:"hits"`
	Misses           int64   `json:"misses"`
	HitRate          float64 `json:"hit_rate"`
	Rendered         int64   `json:"rendered"`
	UpstreamRequests int64   `json:"upstream_requests"`
	UpstreamErrors   int64   `json:"upstream_errors"`
	StaleServed      int64   `json:"stale_served"`
	// PausedServed counts tiles served from the cache or the base map
	// because online services were paused.
	PausedServed int64 `json:"paused_served"`
	// BudgetLimited counts tiles served from a kept copy or the base map
	// because the user, or everyone, had used up the upstream budget.
	BudgetLimited int64 `json:"budget_limited"`
	upstream.Report
}

// Tiles serves tiles. It is safe for concurrent use.
type Tiles struct {
	o        Options
	cache    *diskCache
	flight   singleflight.Group
	upSlots  chan struct{}
	cpuSlots chan struct{}
	upKey    string // cache folder of this upstream: a new URL starts afresh

	hits, misses, rendered, upReqs, upErrs, stale, paused, limited atomic.Int64

	health *upstream.Health
}

// New prepares the tile service; it touches neither disk nor network until
// the first tile is asked for.
func New(o Options) *Tiles {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.MaxUpstream <= 0 {
		o.MaxUpstream = 3
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 20 * time.Second}
	}
	if o.UserAgent == "" {
		o.UserAgent = "Pinhole (+self-hosted photo library)"
	}
	t := &Tiles{
		o:        o,
		cache:    newDiskCache(o.Dir, o.CacheBytes, o.Now),
		upSlots:  make(chan struct{}, o.MaxUpstream),
		cpuSlots: make(chan struct{}, max(1, runtime.NumCPU())),
		health:   upstream.NewHealth(10*time.Second, 10*time.Minute),
	}
	if o.UpstreamURL != "" {
		if err := checkTemplate(o.UpstreamURL); err != nil {
			// Start anyway, with the offline map: a typo in the config must
			// not keep the library from opening.
			o.Log.Error("tile upstream ignored; serving the offline base map", "err", err)
			t.o.UpstreamURL = ""
		} else {
			t.upKey = "up-" + shortHash(o.UpstreamURL)
		}
	}
	return t
}

// Online reports whether tiles come from an upstream.
func (t *Tiles) Online() bool { return t.o.UpstreamURL != "" }

// Attribution is the credit line for the map in use.
func (t *Tiles) Attribution() string {
	if t.Online() {
		if t.o.Attribution != "" {
			return t.o.Attribution
		}
		return "Map tiles: " + hostOf(t.o.UpstreamURL)
	}
	// From TownZoom on the offline map names GeoNames places, whose
	// CC BY licence asks for the credit wherever they are shown.
	return "Natural Earth · GeoNames"
}

// Info describes the tile layer for the web app.
func (t *Tiles) Info() Info {
	i := Info{Online: t.Online(), Attribution: t.Attribution(), MaxNativeZoom: MaxZoom}
	if !i.Online {
		i.MaxNativeZoom = BaseDetailZoom
	}
	return i
}

// ValidStyle reports whether a style name is served.
func ValidStyle(s string) bool { return s == "dark" || s == "light" }

// Validate checks a tile address: 0 ≤ z ≤ MaxZoom, 0 ≤ x, y < 2^z.
func Validate(style string, z, x, y int) error {
	if !ValidStyle(style) {
		return fmt.Errorf("style %q (want dark or light): %w", style, ErrInvalid)
	}
	if z < 0 || z > MaxZoom {
		return fmt.Errorf("zoom %d (want 0–%d): %w", z, MaxZoom, ErrInvalid)
	}
	n := 1 << z
	if x < 0 || x >= n || y < 0 || y >= n {
		return fmt.Errorf("tile %d/%d at zoom %d (want 0–%d): %w", x, y, z, n-1, ErrInvalid)
	}
	return nil
}

// Tile returns one PNG tile.
func (t *Tiles) Tile(ctx context.Context, style string, z, x, y int) ([]byte, Meta, error) {
	if err := Validate(style, z, x, y); err != nil {
		return nil, Meta{}, err
	}
	if !t.Online() {
		return t.base(ctx, style, z, x, y)
	}
	styleKey := "any"
	if strings.Contains(t.o.UpstreamURL, "{style}") {
		styleKey = style
	}
	key := fmt.Sprintf("%s/%s/%d/%d/%d", t.upKey, styleKey, z, x, y)
	if c, ok := t.cache.get(key); ok && t.o.Now().Before(c.expires) {
		t.hits.Add(1)
		return c.body, Meta{ContentType: sniffType(c.body), Source: "cache", MaxAge: t.browserAge(c.expires)}, nil
	}
	t.misses.Add(1)
	type result struct {
		body []byte
		meta Meta
	}
	// One upstream request per tile however many browsers ask at once; the
	// request is not tied to the first asker, who may leave.
	v, err, _ := t.flight.Do(key, func() (any, error) {
		b, m, err := t.fetch(context.WithoutCancel(ctx), key, style, z, x, y)
		return result{b, m}, err
	})
	if err != nil {
		return nil, Meta{}, err
	}
	r := v.(result)
	return r.body, r.meta, nil
}

// browserAge is how long a browser may keep a tile that goes stale at exp:
// the remaining freshness, at most a day, so a revalidated tile reaches
// browsers soon enough.
func (t *Tiles) browserAge(exp time.Time) time.Duration {
	return min(max(exp.Sub(t.o.Now()), time.Minute), 24*time.Hour)
}

// fetch gets a tile from the upstream (revalidating a stale copy), or
// serves the stale copy or the offline base map when the upstream fails.
func (t *Tiles) fetch(ctx context.Context, key, style string, z, x, y int) ([]byte, Meta, error) {
	old, have := t.cache.get(key)
	now := t.o.Now()
	if have && now.Before(old.expires) { // a flight that just ended stored it
		return old.body, Meta{ContentType: sniffType(old.body), Source: "cache", MaxAge: t.browserAge(old.expires)}, nil
	}
	paused := t.o.Pause.Paused()
	fallback := func(err error) ([]byte, Meta, error) {
		if have {
			if !paused { // kept copies are all there is while paused
				t.stale.Add(1)
			}
			return old.body, Meta{ContentType: sniffType(old.body), Source: "stale", MaxAge: time.Minute}, nil
		}
		// Better land and sea than a grey square while the upstream is away;
		// browsers ask again a minute later.
		b, _, berr := t.base(ctx, style, z, x, y)
		if berr != nil {
			return nil, Meta{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		return b, Meta{ContentType: "image/png", Source: "base", MaxAge: time.Minute}, nil
	}
	if paused {
		t.paused.Add(1)
		return fallback(errors.New("online services paused"))
	}
	if wait := t.retryAt(); now.Before(wait) {
		return fallback(fmt.Errorf("upstream failing; next try at %s", wait.Format(time.RFC3339)))
	}
	// Charged only now, when the upstream would really be asked.
	if !t.o.Budget.Allow(upstream.ClientOf(ctx)) {
		t.limited.Add(1)
		return fallback(errOverBudget)
	}
	select {
	case t.upSlots <- struct{}{}:
	case <-ctx.Done():
		return fallback(ctx.Err())
	}
	defer func() { <-t.upSlots }()
	if paused = t.o.Pause.Paused(); paused { // turned on while this waited for a slot
		t.paused.Add(1)
		return fallback(errors.New("online services paused"))
	}

	u := strings.NewReplacer("{z}", strconv.Itoa(z), "{x}", strconv.Itoa(x), "{y}", strconv.Itoa(y), "{style}", style).Replace(t.o.UpstreamURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, Meta{}, fmt.Errorf("tile upstream url: %w", err)
	}
	req.Header.Set("User-Agent", t.o.UserAgent)
	req.Header.Set("Accept", "image/png,image/*;q=0.8")
	if have && old.etag != "" {
		req.Header.Set("If-None-Match", old.etag)
	}
	t.upReqs.Add(1)
	resp, err := t.o.Client.Do(req)
	if err != nil {
		t.fail(err)
		return fallback(err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && have:
		t.ok()
		old.expires = expiry(resp.Header, t.o.Now())
		if e := resp.Header.Get("ETag"); e != "" {
			old.etag = e
		}
		if err := t.cache.put(key, old); err != nil {
			t.o.Log.Warn("tile cache", "err", err)
		}
		return old.body, Meta{ContentType: sniffType(old.body), Source: "upstream", MaxAge: t.browserAge(old.expires)}, nil
	case resp.StatusCode == http.StatusOK:
		body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20+1))
		if err == nil && len(body) > 4<<20 {
			err = errors.New("tile larger than 4 MB")
		}
		if err == nil && !strings.HasPrefix(sniffType(body), "image/") {
			err = fmt.Errorf("upstream sent %s, not an image", sniffType(body))
		}
		if err != nil {
			t.fail(err)
			return fallback(err)
		}
		t.ok()
		c := cached{body: body, expires: expiry(resp.Header, t.o.Now()), etag: resp.Header.Get("ETag")}
		if err := t.cache.put(key, c); err != nil {
			t.o.Log.Warn("tile cache", "err", err)
		}
		return body, Meta{ContentType: sniffType(body), Source: "upstream", MaxAge: t.browserAge(c.expires)}, nil
	default:
		err := fmt.Errorf("tile upstream: %s", resp.Status)
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		t.fail(err)
		return fallback(err)
	}
}

// base draws (or reads back) a tile of the offline base map.
func (t *Tiles) base(ctx context.Context, style string, z, x, y int) ([]byte, Meta, error) {
	key := fmt.Sprintf("%s/%s/%d/%d/%d", baseVersion, style, z, x, y)
	meta := Meta{ContentType: "image/png", Source: "base", MaxAge: 7 * 24 * time.Hour}
	if c, ok := t.cache.get(key); ok {
		t.hits.Add(1)
		return c.body, meta, nil
	}
	t.misses.Add(1)
	v, err, _ := t.flight.Do(key, func() (any, error) {
		if c, ok := t.cache.get(key); ok {
			return c.body, nil
		}
		g, err := places.Load()
		if err != nil {
			return nil, err
		}
		select {
		case t.cpuSlots <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		b, err := renderBase(g, style, z, x, y)
		<-t.cpuSlots
		if err != nil {
			return nil, err
		}
		t.rendered.Add(1)
		// Drawn tiles never go stale: a new renderer uses new keys.
		if err := t.cache.put(key, cached{body: b, expires: time.Unix(1<<40, 0)}); err != nil {
			t.o.Log.Warn("tile cache", "err", err)
		}
		return b, nil
	})
	if err != nil {
		return nil, Meta{}, err
	}
	return v.([]byte), meta, nil
}

// fail records an upstream failure and backs off: 10 s, doubling up to
// 10 minutes, so an unreachable upstream costs one request per period and
// one line in the status, not a request per tile and a flood of logs.
func (t *Tiles) fail(err error) {
	t.upErrs.Add(1)
	if backoff, first := t.health.Fail(t.o.Now(), err); first {
		t.o.Log.Warn("tile upstream failing; serving cached and offline tiles", "err", err, "retry_in", backoff)
	}
}

func (t *Tiles) ok() {
	if t.health.OK() {
		t.o.Log.Info("tile upstream answering again")
	}
}

func (t *Tiles) retryAt() time.Time { return t.health.RetryAt() }

// Stats reports counters and cache usage.
func (t *Tiles) Stats() Stats {
	b, n := t.cache.usage()
	s := Stats{Mode: "offline", CacheBytes: b, CacheFiles: n, CacheCapBytes: t.o.CacheBytes,
		Hits: t.hits.Load(), Misses: t.misses.Load(), Rendered: t.rendered.Load(),
		UpstreamRequests: t.upReqs.Load(), UpstreamErrors: t.upErrs.Load(), StaleServed: t.stale.Load(), PausedServed: t.paused.Load(),
		BudgetLimited: t.limited.Load()}
	if t.Online() {
		s.Mode = "online"
		if u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(t.o.UpstreamURL)); err == nil {
			s.Service = u.Host
		}
	}
	if total := s.Hits + s.Misses; total > 0 {
		s.HitRate = float64(s.Hits) / float64(total)
	}
	s.Report = t.health.Report()
	return s
}

// ClearCache removes every cached tile (the offline base map's too; both
// are made again on demand) and reports what it removed.
func (t *Tiles) ClearCache() (files int, bytes int64) { return t.cache.clear() }

// expiry reads when a response goes stale: Cache-Control max-age, else
// Expires, else a week. no-cache and no-store make it stale at once (it is
// still kept, to revalidate and to serve while the upstream is down).
func expiry(h http.Header, now time.Time) time.Time {
	const def = 7 * 24 * time.Hour
	for _, d := range strings.Split(h.Get("Cache-Control"), ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		switch {
		case d == "no-cache" || d == "no-store":
			return now
		case strings.HasPrefix(d, "max-age="):
			if n, err := strconv.ParseInt(strings.TrimPrefix(d, "max-age="), 10, 64); err == nil && n >= 0 {
				return now.Add(time.Duration(min(n, 365*24*3600)) * time.Second)
			}
		}
	}
	if e := h.Get("Expires"); e != "" {
		if t, err := http.ParseTime(e); err == nil {
			return t
		}
		return now // an invalid Expires means already expired (RFC 9111)
	}
	return now.Add(def)
}

// checkTemplate accepts http(s) URL templates holding {z}, {x} and {y}.
func checkTemplate(tmpl string) error {
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(tmpl, p) {
			return fmt.Errorf("tiles url %q lacks %s", tmpl, p)
		}
	}
	u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(tmpl))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("tiles url %q: want an http or https URL", tmpl)
	}
	return nil
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}

func sniffType(b []byte) string {
	if len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n" {
		return "image/png"
	}
	return http.DetectContentType(b)
}

func hostOf(tmpl string) string {
	u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(tmpl))
	if err != nil || u.Host == "" {
		return "upstream"
	}
	return u.Host
}
