package geocode

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"pinhole/app/places"
	"pinhole/app/upstream"
)

// While paused the geocoder asks nothing and caches nothing: positions get
// the offline place (marked offline, so they are redone later), and a
// cell answered before still gets its cached online answer.
func TestPausedGeocoderAsksNothing(t *testing.T) {
	f := newNominatim(t)
	d := openDB(t, filepath.Join(t.TempDir(), "pinhole.db"))
	defer d.Close()
	pause := upstream.NewPause(false)
	g := New(Options{URL: f.URL, Cache: d, Offline: offline, Interval: time.Millisecond, Pause: pause})
	ctx := context.Background()
	known, unknown := [2]float64{38.71394, -9.13342}, [2]float64{41.14961, -8.61099} // Lisbon, Porto
	if p, ok := g.Resolve(ctx, known[0], known[1]); !ok || p.Source != SourceOnline {
		t.Fatalf("before pausing: %+v %v", p, ok)
	}
	pause.Set(true)
	if p, ok := g.Resolve(ctx, unknown[0], unknown[1]); !ok || p.Source != places.SourceOffline || p.CountryCode != "PT" {
		t.Errorf("unknown cell while paused: %+v %v, want the offline place", p, ok)
	}
	if p, ok := g.Resolve(ctx, known[0], known[1]); !ok || p.Source != SourceOnline || p.City != "Lisboa" {
		t.Errorf("cached cell while paused: %+v %v, want the cached online answer", p, ok)
	}
	if n := f.requests.Load(); n != 1 {
		t.Errorf("%d requests, want the one made before pausing", n)
	}
	if n, err := d.GeoCacheSize(ctx); err != nil || n != 1 {
		t.Errorf("cache holds %d cells (%v), want 1: offline answers were cached", n, err)
	}
	if s := g.Stats(); s.Paused != 1 || s.LastError != "" {
		t.Errorf("stats %+v: want one paused lookup and no error", s)
	}
	pause.Set(false)
	if p, ok := g.Resolve(ctx, unknown[0], unknown[1]); !ok || p.Source != SourceOnline {
		t.Errorf("after resuming: %+v %v", p, ok)
	}
	if n := f.requests.Load(); n != 2 {
		t.Errorf("%d requests after resuming, want 2", n)
	}
}
