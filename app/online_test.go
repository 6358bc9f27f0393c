package app

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"pinhole/app/auth"
	"pinhole/app/config"
	"pinhole/app/geocode"
	"pinhole/app/places"
	"pinhole/app/testkit"
	"pinhole/db"
)

// fakeOnline is an online geocoder and a tile server on 127.0.0.1 that
// count the requests they get.
type fakeOnline struct {
	geo, tiles       *httptest.Server
	geoReqs, tileReq atomic.Int64
}

func newFakeOnline(t *testing.T) *fakeOnline {
	f := &fakeOnline{}
	f.geo = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.geoReqs.Add(1)
		fmt.Fprint(w, `{"address":{"city":"Lisboa","state":"Lisboa","country":"Portugal","country_code":"pt"}}`)
	}))
	var tile bytes.Buffer
	if err := png.Encode(&tile, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	f.tiles = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.tileReq.Add(1)
		// Stale at once: every later request for it would revalidate.
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Type", "image/png")
		w.Write(tile.Bytes())
	}))
	t.Cleanup(f.geo.Close)
	t.Cleanup(f.tiles.Close)
	return f
}

// pauseServer is a Pinhole server built as `pinhole serve` builds it, its
// web handler on a real listener, and an admin's and a user's tokens.
type pauseServer struct {
	t           *testing.T
	s           *Server
	http        *httptest.Server
	admin, user string
}

func openPauseServer(t *testing.T, f *fakeOnline, data, originals string, extra ...string) *pauseServer {
	t.Helper()
	cfg := &config.Config{}
	fs := config.FlagSet("serve", cfg)
	if err := fs.Parse(append([]string{"--data", data, "--originals", originals,
		"--geocoder-url", f.geo.URL, "--tiles-url", f.tiles.URL + "/{z}/{x}/{y}.png"}, extra...)); err != nil {
		t.Fatal(err)
	}
	if err := config.Resolve(fs, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewServer(a)
	if err != nil {
		t.Fatal(err)
	}
	p := &pauseServer{t: t, s: s, http: httptest.NewServer(s.Web.Handler())}
	for _, u := range []struct {
		name, role string
		tok        *string
	}{{"ana", "admin", &p.admin}, {"rui", "user", &p.user}} {
		if _, err := auth.AddUser(ctx, a.DB, u.name, "a long passphrase", u.role); err != nil && !strings.Contains(err.Error(), "exists") {
			t.Fatal(err)
		}
		var out struct {
			Token string `json:"token"`
		}
		p.call("", "POST", "/api/v1/session", `{"username":"`+u.name+`","password":"a long passphrase","bearer":true}`, 200, &out)
		*u.tok = out.Token
	}
	return p
}

func (p *pauseServer) close() {
	p.http.Close()
	p.s.Thumbs.Close()
	p.s.Close()
}

// call sends a request with a bearer token (none when tok is empty) and
// a JSON body (none when empty) and checks the status.
func (p *pauseServer) call(tok, method, path, body string, want int, out any) *http.Response {
	p.t.Helper()
	var b any
	if body != "" {
		b = body
	}
	return (&testkit.Client{T: p.t, Base: p.http.URL, Bearer: tok}).Do(method, path, b, want, out)
}

// tile asks for a tile as the admin and returns where it came from.
func (p *pauseServer) tile(z, x, y int) string {
	p.t.Helper()
	resp := p.call(p.admin, "GET", fmt.Sprintf("/api/v1/tiles/dark/%d/%d/%d", z, x, y), "", 200, nil)
	if ct := resp.Header.Get("Content-Type"); ct != "image/png" {
		p.t.Errorf("tile %d/%d/%d is %q, not a PNG", z, x, y, ct)
	}
	return resp.Header.Get("X-Tile-Source")
}

func (p *pauseServer) setPaused(paused bool) {
	p.t.Helper()
	var st struct{ Paused, Geocoder, Tiles bool }
	p.call(p.admin, "PUT", "/api/v1/settings/online", fmt.Sprintf(`{"paused":%v}`, paused), 200, &st)
	if st.Paused != paused || !st.Geocoder || !st.Tiles {
		p.t.Fatalf("after PUT paused=%v: %+v", paused, st)
	}
}

// sources resolves every waiting photo and counts their places' sources.
func (p *pauseServer) sources(ids []int64) map[string]int {
	p.t.Helper()
	ctx := context.Background()
	if _, err := p.s.Places.resolveAll(ctx); err != nil {
		p.t.Fatal(err)
	}
	got := map[string]int{}
	for _, id := range ids {
		ph, err := p.s.DB.PhotoByID(ctx, id)
		if err != nil {
			p.t.Fatal(err)
		}
		if ph.Country == "" {
			p.t.Errorf("photo %d has no country (source %q)", id, ph.PlaceSource)
		}
		got[ph.PlaceSource]++
	}
	return got
}

// TestPauseOnlineServices: while paused neither the geocoder nor the tile
// server hears from Pinhole, yet photos get places and the map draws; the
// switch survives a restart; resuming places the photos online again.
func TestPauseOnlineServices(t *testing.T) {
	f := newFakeOnline(t)
	data, originals := t.TempDir(), t.TempDir()
	ctx := context.Background()
	p := openPauseServer(t, f, data, originals)

	// Before pausing, one tile comes from the upstream and is kept.
	if src := p.tile(1, 0, 0); src != "upstream" {
		t.Fatalf("first tile from %q", src)
	}
	if f.tileReq.Load() != 1 {
		t.Fatalf("%d tile requests for one tile", f.tileReq.Load())
	}
	var st struct{ Paused, Geocoder, Tiles bool }
	p.call(p.admin, "GET", "/api/v1/settings/online", "", 200, &st)
	if st.Paused || !st.Geocoder || !st.Tiles {
		t.Fatalf("initial switch %+v", st)
	}

	// Only admins turn it; the body must say which way.
	p.call(p.user, "PUT", "/api/v1/settings/online", `{"paused":true}`, 403, nil)
	p.call(p.user, "GET", "/api/v1/settings/online", "", 403, nil)
	p.call("", "PUT", "/api/v1/settings/online", `{"paused":true}`, 401, nil)
	p.call(p.admin, "PUT", "/api/v1/settings/online", `{"paused":`, 400, nil)
	p.call(p.admin, "PUT", "/api/v1/settings/online", `{"paused":"yes"}`, 400, nil)
	p.call(p.admin, "PUT", "/api/v1/settings/online", `{}`, 400, nil)
	p.call(p.admin, "GET", "/api/v1/settings/online", "", 200, &st)
	if st.Paused {
		t.Fatal("a refused request paused the services")
	}

	p.setPaused(true)
	var status map[string]any
	p.call(p.admin, "GET", "/api/v1/status", "", 200, &status)
	if status["online_paused"] != true {
		t.Errorf("status online_paused = %v", status["online_paused"])
	}

	// Four photos in two spots of Lisbon: two cells.
	if err := p.s.DB.InsertSynthetic(ctx, 4, 9); err != nil {
		t.Fatal(err)
	}
	spots := [][2]float64{{38.71394, -9.13342}, {38.69162, -9.21598}}
	ids := []int64{1, 2, 3, 4}
	for _, id := range ids {
		s := spots[id%2]
		if err := p.s.DB.EditPhoto(ctx, id, db.PhotoEdit{SetLocation: true, Lat: &s[0], Lng: &s[1]}); err != nil {
			t.Fatal(err)
		}
	}
	if got := p.sources(ids); got[places.SourceOffline] != 4 {
		t.Errorf("places while paused: %v, want 4 offline", got)
	}
	if n, err := p.s.DB.GeoCacheSize(ctx); err != nil || n != 0 {
		t.Errorf("geocoder cache holds %d cells after a paused run (%v): offline answers cached as online", n, err)
	}
	// The kept tile is served though stale; one never fetched is drawn.
	if src := p.tile(1, 0, 0); src != "stale" {
		t.Errorf("kept tile while paused from %q", src)
	}
	if src := p.tile(2, 1, 1); src != "base" {
		t.Errorf("unknown tile while paused from %q", src)
	}
	if g, tl := f.geoReqs.Load(), f.tileReq.Load(); g != 0 || tl != 1 {
		t.Fatalf("while paused: %d geocoder and %d more tile requests", g, tl-1)
	}
	p.close()

	// Restart: still paused, still silent.
	p = openPauseServer(t, f, data, originals)
	defer p.close()
	p.call(p.admin, "GET", "/api/v1/settings/online", "", 200, &st)
	if !st.Paused {
		t.Fatal("the pause did not survive a restart")
	}
	if _, err := p.s.DB.ResetPlaces(ctx, places.SourceOffline); err != nil {
		t.Fatal(err)
	}
	if got := p.sources(ids); got[places.SourceOffline] != 4 {
		t.Errorf("places while paused after a restart: %v", got)
	}
	if src := p.tile(2, 1, 0); src != "base" {
		t.Errorf("unknown tile while paused after a restart from %q", src)
	}
	if g, tl := f.geoReqs.Load(), f.tileReq.Load(); g != 0 || tl != 1 {
		t.Fatalf("paused after a restart: %d geocoder and %d more tile requests", g, tl-1)
	}

	// Resume: the photos placed offline are placed online, a request per
	// cell, and tiles come from the upstream again.
	p.setPaused(false)
	if got := p.sources(ids); got[geocode.SourceOnline] != 4 {
		t.Errorf("places after resuming: %v, want 4 online", got)
	}
	if g := f.geoReqs.Load(); g != 2 {
		t.Errorf("%d geocoder requests for two cells after resuming", g)
	}
	if src := p.tile(2, 1, 1); src != "upstream" {
		t.Errorf("tile after resuming from %q", src)
	}
	if f.tileReq.Load() != 2 {
		t.Errorf("%d tile requests after resuming, want 2", f.tileReq.Load())
	}
	p.call(p.admin, "GET", "/api/v1/status", "", 200, &status)
	if status["online_paused"] != false {
		t.Errorf("status online_paused = %v after resuming", status["online_paused"])
	}
}
