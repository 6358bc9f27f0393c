package app

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"pinhole/app/config"
	"pinhole/app/geocode"
	"pinhole/db"
)

// refuseTransport fails the test on any outgoing request made through
// http.DefaultTransport, which every client of the maps and geocode
// packages uses.
type refuseTransport struct {
	t *testing.T
	n atomic.Int64
}

func (r *refuseTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.n.Add(1)
	r.t.Errorf("offline mode made a request to %s", req.URL)
	return nil, fmt.Errorf("no network in offline mode")
}

func TestOfflineModeMakesNoRequests(t *testing.T) {
	refuse := &refuseTransport{t: t}
	saved := http.DefaultTransport
	http.DefaultTransport = refuse
	t.Cleanup(func() { http.DefaultTransport = saved })
	// The defaults: no tile server, no online geocoder.
	cfg := &config.Config{Data: t.TempDir(), GeocoderRadiusKm: 25, TileCacheMB: 16}
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(cfg.Data, "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, 600, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ResetPlaces(ctx, "offline"); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	r := newResolver(ctx, cfg, d, log)
	n, err := newPlacer(d, r, log).resolveAll(ctx)
	if err != nil || n < 300 {
		t.Fatalf("resolved %d places: %v", n, err)
	}
	tiles := newTiles(cfg, nil, log)
	for z := range 4 {
		if _, meta, err := tiles.Tile(ctx, "dark", z, 0, 0); err != nil || meta.Source != "base" {
			t.Fatalf("tile %d/0/0: %v %q", z, err, meta.Source)
		}
	}
	if st := placesStatus(ctx, d, r); st.Mode != "offline" || st.Resolved == nil || *st.Resolved < 300 || st.DatasetVersion == "" || st.GeocoderStatus != nil {
		t.Errorf("places status %+v", st)
	}
	if st := tiles.Stats(); st.Mode != "offline" || st.UpstreamRequests != 0 || st.Rendered != 4 {
		t.Errorf("maps status %+v", st)
	}
	if refuse.n.Load() != 0 {
		t.Errorf("%d requests went out", refuse.n.Load())
	}
}

// TestOnlinePlacesAskOncePerCell resolves 1,000 photos taken around one
// city through the real placer at the real 1 request/s: a few cells, a
// few requests, and none after a restart.
func TestOnlinePlacesAskOncePerCell(t *testing.T) {
	var requests atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		fmt.Fprint(w, `{"address":{"city":"Lisboa","state":"Lisboa","country":"Portugal","country_code":"pt"}}`)
	}))
	defer up.Close()
	cfg := &config.Config{Data: t.TempDir(), GeocoderRadiusKm: 25, GeocoderURL: up.URL}
	ctx := context.Background()
	path := filepath.Join(cfg.Data, "pinhole.db")
	d, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.InsertSynthetic(ctx, 1000, 5); err != nil {
		t.Fatal(err)
	}
	// Three spots a visitor photographs, tens of metres across each.
	spots := [][2]float64{{38.71394, -9.13342}, {38.69162, -9.21598}, {38.72235, -9.13935}}
	rng := rand.New(rand.NewPCG(5, 6))
	cells := map[int64]bool{}
	for id := int64(1); id <= 1000; id++ {
		s := spots[id%3]
		lat, lng := s[0]+(rng.Float64()-0.5)*0.0003, s[1]+(rng.Float64()-0.5)*0.0003
		cells[geocode.Cell(lat, lng)] = true
		if err := d.EditPhoto(ctx, id, db.PhotoEdit{SetLocation: true, Lat: &lat, Lng: &lng}); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.DiscardHandler)
	r := newResolver(ctx, cfg, d, log)
	if _, ok := r.(*geocode.Online); !ok {
		t.Fatalf("resolver %T with a geocoder URL", r)
	}
	start := time.Now()
	n, err := newPlacer(d, r, log).resolveAll(ctx)
	if err != nil || n != 1000 {
		t.Fatalf("resolved %d: %v", n, err)
	}
	if got := requests.Load(); got != int64(len(cells)) || got > 6 {
		t.Fatalf("1,000 photos in %d cells made %d requests", len(cells), got)
	}
	if el := time.Since(start); el < time.Duration(len(cells)-1)*time.Second-100*time.Millisecond {
		t.Errorf("%d requests in %v: faster than 1/s", len(cells), el)
	}
	if st := placesStatus(ctx, d, r); st.Mode != "online" || st.Resolved == nil || *st.Resolved != 1000 ||
		st.GeocoderStatus == nil || st.CachedCells == nil || *st.CachedCells != len(cells) {
		t.Errorf("places status %+v", st)
	}
	d.Close()

	// Restart: the same photos resolve again without a request.
	d, err = db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	before := requests.Load()
	if _, err := d.ResetPlaces(ctx, geocode.SourceOnline); err != nil {
		t.Fatal(err)
	}
	r = newResolver(ctx, cfg, d, log)
	if n, err := newPlacer(d, r, log).resolveAll(ctx); err != nil || n != 1000 {
		t.Fatalf("after restart resolved %d: %v", n, err)
	}
	if requests.Load() != before {
		t.Errorf("%d requests after a restart", requests.Load()-before)
	}
}
