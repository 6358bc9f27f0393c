// Package geocode is Pinhole's optional online reverse geocoder: a client
// for a Nominatim-compatible service that asks about each map cell once,
// keeps the answer in the database, and falls back to the offline
// geocoder (app/places) whenever the service cannot answer.
//
// Cells: positions are quantised to a grid of 0.002° (1/500 of a degree)
// in latitude and longitude, about 222 m north–south and 222·cos(lat) m
// east–west (157 m at 45°, 111 m at 60°). That is fine enough that the
// city, state and country Pinhole stores are right up to a street or two
// from a boundary, and coarse enough that the photos of one outing share
// a handful of cells. A plain grid was chosen over geohashes because its
// key is one integer computed with two floors, stored as the table's
// primary key. The service is asked about the cell's centre, not the
// photo's exact position, so it never learns more than the cell.
package geocode

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"pinhole/app/places"
	"pinhole/app/upstream"
	"pinhole/db"
)

// SourceOnline marks places that came from the online service.
const SourceOnline = "online"

// CellDeg is the edge of a cache cell in degrees.
const CellDeg = 0.002

const (
	cellRows = 90000  // 180 / CellDeg
	cellCols = 180000 // 360 / CellDeg
)

// Cell is the cache key of the cell holding a position.
func Cell(lat, lng float64) int64 {
	r := int64(math.Floor((lat + 90) / CellDeg))
	c := int64(math.Floor((lng + 180) / CellDeg))
	r = min(max(r, 0), cellRows-1)
	c = min(max(c, 0), cellCols-1)
	return r*cellCols + c
}

// CellCentre is the position the service is asked about for a cell.
func CellCentre(cell int64) (lat, lng float64) {
	r, c := cell/cellCols, cell%cellCols
	return (float64(r)+0.5)*CellDeg - 90, (float64(c)+0.5)*CellDeg - 180
}

// Cache stores answers per cell; *db.DB is one.
type Cache interface {
	GeoCached(ctx context.Context, provider string, cell int64) (db.GeoAnswer, error)
	PutGeoCache(ctx context.Context, provider string, cell int64, a db.GeoAnswer) error
}

// Options configure the online geocoder.
type Options struct {
	// URL is the service's base URL (…/reverse is appended unless given).
	URL string
	// UserAgent names Pinhole and its version, as Nominatim's policy asks.
	UserAgent string
	Cache     Cache
	// Offline answers whenever the service does not.
	Offline func(ctx context.Context, lat, lng float64) (places.Place, bool)
	// Interval between requests (default 1 s: Nominatim's public limit).
	Interval time.Duration
	// Timeout of one request (default 10 s).
	Timeout time.Duration
	Client  *http.Client
	Log     *slog.Logger
	Now     func() time.Time
	// OnRecover runs when the service answers again after failing, so the
	// caller can re-resolve what fell back to the offline answer meanwhile.
	OnRecover func()
	// Pause, while on, keeps every request from leaving: positions get
	// cached online answers or the offline one, and offline answers are
	// never cached as the service's. Nil: a switch of its own, off.
	Pause *upstream.Pause
	// Budget limits requests to the service per client (named in the
	// context with upstream.WithClient; the background placer names
	// none) and in all. Beyond it the offline geocoder answers, and once
	// everyone's budget is full again OnRecover runs, so those places are
	// asked online then. Cached cells cost nothing. Nil: no limit.
	Budget *upstream.Budget
}

// Stats are the geocoder's counters for the status page.
type Stats struct {
	Mode      string  `json:"mode"` // always "online" here
	Service   string  `json:"service"`
	Requests  int64   `json:"requests"`
	CacheHits int64   `json:"cache_hits"`
	HitRate   float64 `json:"hit_rate"`
	Fallbacks int64   `json:"offline_fallbacks"`
	// Paused counts lookups answered offline because online services were
	// paused.
	Paused int64 `json:"paused_lookups"`
	// BudgetLimited counts lookups answered offline because the budget of
	// requests to the service was used up.
	BudgetLimited int64 `json:"budget_limited"`
	upstream.Report
}

// Online resolves positions through the service. It is safe for
// concurrent use.
type Online struct {
	o        Options
	endpoint string
	flight   singleflight.Group

	requests, hits, fallbacks, paused, limited atomic.Int64
	// refillPending: a re-resolve is scheduled for when the budget is
	// full again.
	refillPending atomic.Bool
	afterFunc     func(time.Duration, func()) // time.AfterFunc; tests catch it

	rateMu   sync.Mutex
	nextSlot time.Time

	health *upstream.Health
}

// New prepares the geocoder; it makes no request until asked.
func New(o Options) *Online {
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Pause == nil {
		o.Pause = upstream.NewPause(false)
	}
	if o.Offline == nil {
		o.Offline = func(context.Context, float64, float64) (places.Place, bool) { return places.Place{}, false }
	}
	ep := strings.TrimRight(o.URL, "/")
	if !strings.HasSuffix(ep, "/reverse") && !strings.HasSuffix(ep, "/reverse.php") {
		ep += "/reverse"
	}
	return &Online{o: o, endpoint: ep, health: upstream.NewHealth(30*time.Second, 30*time.Minute),
		afterFunc: func(d time.Duration, f func()) { time.AfterFunc(d, f) }}
}

// Pause is the switch that stops requests to the service.
func (g *Online) Pause() *upstream.Pause { return g.o.Pause }

// Resolve answers from the cache, else from the service, else offline.
func (g *Online) Resolve(ctx context.Context, lat, lng float64) (places.Place, bool) {
	if !(lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180) || lat == 0 && lng == 0 {
		return g.o.Offline(ctx, lat, lng) // which knows no place there either
	}
	cell := Cell(lat, lng)
	a, err := g.o.Cache.GeoCached(ctx, g.o.URL, cell)
	if err == nil {
		g.hits.Add(1)
		return g.answer(ctx, a, lat, lng)
	}
	if !errors.Is(err, db.ErrNotFound) {
		g.o.Log.Warn("geocoder cache", "err", err)
	}
	if g.o.Pause.Paused() {
		g.paused.Add(1)
		return g.o.Offline(ctx, lat, lng)
	}
	v, err, _ := g.flight.Do(fmt.Sprint(cell), func() (any, error) { return g.ask(ctx, cell) })
	if err != nil {
		if !errors.Is(err, errOverBudget) {
			g.fallbacks.Add(1)
		}
		return g.o.Offline(ctx, lat, lng)
	}
	return g.answer(ctx, v.(db.GeoAnswer), lat, lng)
}

// answer turns a cached answer into a place; "nothing here" from the
// service still gets the offline answer, which may know the country from
// the borders or a town just along the coast.
func (g *Online) answer(ctx context.Context, a db.GeoAnswer, lat, lng float64) (places.Place, bool) {
	if !a.Found {
		return g.o.Offline(ctx, lat, lng)
	}
	return places.Place{City: a.City, State: a.State, Country: a.Country, CountryCode: a.CountryCode, Source: SourceOnline}, true
}

var (
	errBackingOff = errors.New("geocoder backing off")
	errPaused     = errors.New("online services paused")
	errOverBudget = errors.New("geocoder budget used up")
)

// ask queries the service about one cell and caches the answer.
func (g *Online) ask(ctx context.Context, cell int64) (db.GeoAnswer, error) {
	if at := g.retryAt(); g.o.Now().Before(at) {
		return db.GeoAnswer{}, errBackingOff
	}
	if !g.o.Budget.Allow(upstream.ClientOf(ctx)) {
		g.limited.Add(1)
		g.askAgainWhenRefilled()
		return db.GeoAnswer{}, errOverBudget
	}
	if err := g.wait(ctx); err != nil {
		return db.GeoAnswer{}, err
	}
	if g.o.Pause.Paused() { // turned on while this waited for its slot
		return db.GeoAnswer{}, errPaused
	}
	lat, lng := CellCentre(cell)
	a, err := g.fetch(ctx, lat, lng)
	if err != nil {
		if ctx.Err() == nil {
			g.fail(err)
		}
		return a, err
	}
	g.ok()
	if err := g.o.Cache.PutGeoCache(ctx, g.o.URL, cell, a); err != nil {
		g.o.Log.Warn("geocoder cache", "err", err)
	}
	return a, nil
}

// askAgainWhenRefilled schedules OnRecover for when everyone's budget is
// full again (at least a minute away), once however many lookups were
// refused meanwhile: the places answered offline are then asked online, a
// whole budget's worth at a time, rather than a trickle that re-walks the
// library for every token.
func (g *Online) askAgainWhenRefilled() {
	if g.o.OnRecover == nil || !g.refillPending.CompareAndSwap(false, true) {
		return
	}
	g.afterFunc(max(g.o.Budget.GlobalFullIn(), time.Minute), func() {
		g.refillPending.Store(false)
		g.o.Log.Info("online geocoder budget refilled; asking about places answered offline meanwhile")
		g.o.OnRecover()
	})
}

// wait holds the caller until its request slot, one per Interval across
// all callers.
func (g *Online) wait(ctx context.Context) error {
	g.rateMu.Lock()
	now := g.o.Now()
	slot := g.nextSlot
	if slot.Before(now) {
		slot = now
	}
	g.nextSlot = slot.Add(g.o.Interval)
	g.rateMu.Unlock()
	if d := slot.Sub(now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// nominatim is the part of a jsonv2 reverse answer Pinhole reads.
type nominatim struct {
	Error   string `json:"error"`
	Address struct {
		City         string `json:"city"`
		Town         string `json:"town"`
		Village      string `json:"village"`
		Municipality string `json:"municipality"`
		Hamlet       string `json:"hamlet"`
		State        string `json:"state"`
		Region       string `json:"region"`
		Country      string `json:"country"`
		CountryCode  string `json:"country_code"`
	} `json:"address"`
}

func (g *Online) fetch(ctx context.Context, lat, lng float64) (db.GeoAnswer, error) {
	ctx, cancel := context.WithTimeout(ctx, g.o.Timeout)
	defer cancel()
	q := url.Values{}
	q.Set("format", "jsonv2")
	q.Set("lat", fmt.Sprintf("%.4f", lat))
	q.Set("lon", fmt.Sprintf("%.4f", lng))
	q.Set("zoom", "14") // suburb level: the address then names the city
	q.Set("addressdetails", "1")
	q.Set("accept-language", "en")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.endpoint+"?"+q.Encode(), nil)
	if err != nil {
		return db.GeoAnswer{}, fmt.Errorf("geocoder url: %w", err)
	}
	req.Header.Set("User-Agent", g.o.UserAgent)
	req.Header.Set("Accept", "application/json")
	g.requests.Add(1)
	resp, err := g.o.Client.Do(req)
	if err != nil {
		return db.GeoAnswer{}, fmt.Errorf("geocoder: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return db.GeoAnswer{}, fmt.Errorf("geocoder: %s", resp.Status)
	}
	var n nominatim
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&n); err != nil {
		return db.GeoAnswer{}, fmt.Errorf("geocoder answer: %w", err)
	}
	ad := n.Address
	if n.Error != "" || ad.Country == "" {
		return db.GeoAnswer{Found: false}, nil // at sea: a real answer, cached too
	}
	city := firstOf(ad.City, ad.Town, ad.Village, ad.Municipality, ad.Hamlet)
	return db.GeoAnswer{Found: true, City: city, State: firstOf(ad.State, ad.Region), Country: ad.Country,
		CountryCode: strings.ToUpper(ad.CountryCode)}, nil
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// fail records a failure and backs off: 30 s, doubling up to 30 minutes.
// Meanwhile every position gets the offline answer at once, so an
// unreachable service is one line in the status, not a stalled indexer or
// a flood of logs.
func (g *Online) fail(err error) {
	if backoff, first := g.health.Fail(g.o.Now(), err); first {
		g.o.Log.Warn("online geocoder failing; using offline places", "err", err, "retry_in", backoff)
	}
}

func (g *Online) ok() {
	if g.health.OK() {
		g.o.Log.Info("online geocoder answering again")
		if g.o.OnRecover != nil {
			g.o.OnRecover()
		}
	}
}

func (g *Online) retryAt() time.Time { return g.health.RetryAt() }

// Stats reports the counters.
func (g *Online) Stats() Stats {
	s := Stats{Mode: "online", Service: hostOf(g.o.URL), Requests: g.requests.Load(), CacheHits: g.hits.Load(),
		Fallbacks: g.fallbacks.Load(), Paused: g.paused.Load(), BudgetLimited: g.limited.Load()}
	if t := s.CacheHits + s.Requests; t > 0 {
		s.HitRate = float64(s.CacheHits) / float64(t)
	}
	s.Report = g.health.Report()
	return s
}

func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return u
	}
	return p.Host
}
