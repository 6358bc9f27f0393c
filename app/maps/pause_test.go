package maps

import (
	"context"
	"testing"

	"pinhole/app/upstream"
)

// While paused the tile proxy sends nothing: kept tiles are served however
// old, others drawn from the offline base map; resuming fetches again.
func TestPausedTilesAskNothing(t *testing.T) {
	u := newUpstream(t)
	u.cacheCtl = "no-cache" // every kept tile is stale at once
	pause := upstream.NewPause(false)
	tl := New(Options{Dir: t.TempDir(), UpstreamURL: u.URL + "/{z}/{x}/{y}.png", Pause: pause})
	ctx := context.Background()
	if _, m, err := tl.Tile(ctx, "dark", 1, 0, 0); err != nil || m.Source != "upstream" {
		t.Fatalf("before pausing: %v %q", err, m.Source)
	}
	pause.Set(true)
	if _, m, err := tl.Tile(ctx, "dark", 1, 0, 0); err != nil || m.Source != "stale" {
		t.Errorf("kept tile while paused: %v %q", err, m.Source)
	}
	b, m, err := tl.Tile(ctx, "dark", 1, 1, 1)
	if err != nil || m.Source != "base" || sniffType(b) != "image/png" {
		t.Errorf("unknown tile while paused: %v %q %s", err, m.Source, sniffType(b))
	}
	if n := u.requests.Load(); n != 1 {
		t.Errorf("%d upstream requests, want the one before pausing", n)
	}
	if s := tl.Stats(); s.PausedServed != 2 || s.StaleServed != 0 || s.UpstreamErrors != 0 {
		t.Errorf("stats %+v: want 2 served while paused, none counted as outage", s)
	}
	pause.Set(false)
	if _, m, err := tl.Tile(ctx, "dark", 1, 1, 1); err != nil || m.Source != "upstream" {
		t.Errorf("after resuming: %v %q", err, m.Source)
	}
	if n := u.requests.Load(); n != 2 {
		t.Errorf("%d upstream requests after resuming, want 2", n)
	}
}
