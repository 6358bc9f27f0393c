package geocode

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pinhole/app/places"
	"pinhole/db"
)

// fakeNominatim answers reverse queries like Nominatim and counts them.
type fakeNominatim struct {
	*httptest.Server
	requests atomic.Int64
	failing  atomic.Bool
	mu       sync.Mutex
	agents   []string
	asked    []string
}

func newNominatim(t *testing.T) *fakeNominatim {
	f := &fakeNominatim{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		f.mu.Lock()
		f.agents = append(f.agents, r.UserAgent())
		f.asked = append(f.asked, r.URL.Query().Get("lat")+","+r.URL.Query().Get("lon"))
		f.mu.Unlock()
		if r.URL.Path != "/reverse" || r.URL.Query().Get("format") != "jsonv2" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if f.failing.Load() {
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		}
		if strings.HasPrefix(r.URL.Query().Get("lat"), "-") { // the test's "sea"
			fmt.Fprint(w, `{"error":"Unable to geocode"}`)
			return
		}
		fmt.Fprint(w, `{"place_id":1,"address":{"suburb":"Alfama","city":"Lisboa","state":"Lisboa","country":"Portugal","country_code":"pt"}}`)
	}))
	t.Cleanup(f.Close)
	return f
}

func openDB(t *testing.T, path string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func offline(_ context.Context, lat, lng float64) (places.Place, bool) {
	g, err := places.Load()
	if err != nil {
		return places.Place{}, false
	}
	return g.Lookup(lat, lng)
}

// cityPhotos is 1,000 positions the way people take photos in a city:
// bursts at a few spots (a viewpoint, a tram stop, a café), each spread
// over a few tens of metres.
func cityPhotos() [][2]float64 {
	spots := [][2]float64{{38.7139, -9.1334}, {38.7107, -9.1365}, {38.6916, -9.2160}, {38.7075, -9.1365}, {38.7223, -9.1393}}
	rng := rand.New(rand.NewPCG(1, 2))
	var out [][2]float64
	for i := range 1000 {
		s := spots[i%len(spots)]
		out = append(out, [2]float64{s[0] + (rng.Float64()-0.5)*0.0004, s[1] + (rng.Float64()-0.5)*0.0004})
	}
	return out
}

func TestOneRequestPerCellAcrossRestarts(t *testing.T) {
	f := newNominatim(t)
	path := filepath.Join(t.TempDir(), "pinhole.db")
	d := openDB(t, path)
	g := New(Options{URL: f.URL, UserAgent: "Pinhole/test (+self-hosted photo library)", Cache: d, Offline: offline, Interval: time.Millisecond})
	cells := map[int64]bool{}
	for _, p := range cityPhotos() {
		cells[Cell(p[0], p[1])] = true
		pl, ok := g.Resolve(context.Background(), p[0], p[1])
		if !ok || pl.Source != SourceOnline || pl.City != "Lisboa" || pl.CountryCode != "PT" {
			t.Fatalf("%v: %+v %v", p, pl, ok)
		}
	}
	n := f.requests.Load()
	if n != int64(len(cells)) || n > 12 {
		t.Fatalf("1,000 photos in %d cells made %d requests", len(cells), n)
	}
	t.Logf("1,000 photos, %d cells, %d requests", len(cells), n)
	if !strings.HasPrefix(f.agents[0], "Pinhole/") {
		t.Errorf("User-Agent %q", f.agents[0])
	}
	if st := g.Stats(); st.CacheHits != 1000-n || st.Requests != n {
		t.Errorf("stats %+v", st)
	}
	d.Close()

	// After a restart every answer comes from the database.
	d = openDB(t, path)
	defer d.Close()
	g = New(Options{URL: f.URL, UserAgent: "Pinhole/test", Cache: d, Offline: offline, Interval: time.Millisecond})
	for _, p := range cityPhotos() {
		if pl, ok := g.Resolve(context.Background(), p[0], p[1]); !ok || pl.Source != SourceOnline {
			t.Fatalf("after restart %v: %+v", p, pl)
		}
	}
	if f.requests.Load() != n {
		t.Errorf("%d requests after a restart", f.requests.Load()-n)
	}
}

func TestAsksAboutTheCellCentreOnly(t *testing.T) {
	f := newNominatim(t)
	d := openDB(t, filepath.Join(t.TempDir(), "pinhole.db"))
	defer d.Close()
	g := New(Options{URL: f.URL + "/", Cache: d, Interval: time.Millisecond})
	g.Resolve(context.Background(), 38.713912345, -9.133456789)
	lat, lng := CellCentre(Cell(38.713912345, -9.133456789))
	if want := fmt.Sprintf("%.4f,%.4f", lat, lng); f.asked[0] != want {
		t.Errorf("asked about %s, want the cell centre %s", f.asked[0], want)
	}
	// Cells are about 222 m tall; both neighbours of a boundary differ.
	if Cell(38.7139, -9.1334) == Cell(38.7139+CellDeg, -9.1334) || Cell(0.0001, 0.0001) == Cell(-0.0001, 0.0001) {
		t.Error("neighbouring positions share a cell")
	}
}

func TestRateLimit(t *testing.T) {
	f := newNominatim(t)
	d := openDB(t, filepath.Join(t.TempDir(), "pinhole.db"))
	defer d.Close()
	g := New(Options{URL: f.URL, Cache: d, Interval: 150 * time.Millisecond})
	start := time.Now()
	for i := range 4 {
		g.Resolve(context.Background(), 40+float64(i)*0.01, 10)
	}
	if el := time.Since(start); el < 440*time.Millisecond {
		t.Errorf("4 requests in %v with 150 ms between them", el)
	}
}

func TestFallsBackAndBacksOff(t *testing.T) {
	f := newNominatim(t)
	f.failing.Store(true)
	d := openDB(t, filepath.Join(t.TempDir(), "pinhole.db"))
	defer d.Close()
	recovered := 0
	now := time.Now()
	var clockMu sync.Mutex
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	g := New(Options{URL: f.URL, Cache: d, Offline: offline, Interval: time.Millisecond, Now: clock,
		OnRecover: func() { recovered++ }})
	// Porto: the offline answer names it.
	for range 50 {
		pl, ok := g.Resolve(context.Background(), 41.1496, -8.6109)
		if !ok || pl.Source != places.SourceOffline || pl.City != "Porto" {
			t.Fatalf("fallback %+v %v", pl, ok)
		}
	}
	if n := f.requests.Load(); n != 1 {
		t.Errorf("%d requests to a failing service, want 1 then back off", n)
	}
	st := g.Stats()
	if st.LastError == "" || st.NextRetry == nil || st.Fallbacks != 50 {
		t.Errorf("status while failing: %+v", st)
	}
	// After the backoff the service is asked again; the answer is cached
	// and whoever listens is told to re-resolve offline places.
	f.failing.Store(false)
	clockMu.Lock()
	now = now.Add(time.Minute)
	clockMu.Unlock()
	if pl, _ := g.Resolve(context.Background(), 41.1496, -8.6109); pl.Source != SourceOnline || recovered != 1 {
		t.Errorf("after recovery: %+v, recovered %d", pl, recovered)
	}
	if st := g.Stats(); st.NextRetry != nil {
		t.Errorf("next retry still set: %+v", st)
	}
	// A service that knows no place (at sea) is cached as such; the
	// offline answer, also none, is given.
	before := f.requests.Load()
	for range 3 {
		if _, ok := g.Resolve(context.Background(), -30, -20); ok {
			t.Error("a place in the South Atlantic")
		}
	}
	if f.requests.Load() != before+1 {
		t.Errorf("sea answer asked %d times", f.requests.Load()-before)
	}
}
