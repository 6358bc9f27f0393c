package maps

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeUpstream is a tile server on 127.0.0.1 that counts requests.
type fakeUpstream struct {
	*httptest.Server
	requests atomic.Int64
	status   atomic.Int64 // 0: 200
	delay    time.Duration
	cacheCtl string
	mu       sync.Mutex
	agents   []string
	ifNone   []string
	padding  int
}

func newUpstream(t *testing.T) *fakeUpstream {
	u := &fakeUpstream{cacheCtl: "max-age=3600"}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.requests.Add(1)
		u.mu.Lock()
		u.agents = append(u.agents, r.UserAgent())
		u.ifNone = append(u.ifNone, r.Header.Get("If-None-Match"))
		u.mu.Unlock()
		time.Sleep(u.delay)
		if s := u.status.Load(); s != 0 {
			w.WriteHeader(int(s))
			return
		}
		etag := `"` + strings.ReplaceAll(r.URL.Path, "/", "-") + `"`
		w.Header().Set("Cache-Control", u.cacheCtl)
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(tilePNG(t, r.URL.Path, u.padding))
	}))
	t.Cleanup(u.Close)
	return u
}

// tilePNG is a small PNG whose colour depends on the path, padded with a
// text chunk to a chosen size.
func tilePNG(t *testing.T, path string, pad int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	h := 0
	for _, c := range path {
		h = h*31 + int(c)
	}
	for i := range img.Pix {
		img.Pix[i] = byte(h >> (i % 3 * 8))
	}
	img.Set(0, 0, color.NRGBA{1, 2, 3, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Error(err)
	}
	return append(b.Bytes(), make([]byte, pad)...)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func online(t *testing.T, u *fakeUpstream, dir string, capBytes int64, clk *clock) *Tiles {
	o := Options{Dir: dir, CacheBytes: capBytes, UpstreamURL: u.URL + "/{z}/{x}/{y}.png", UserAgent: "Pinhole/test (+self-hosted photo library)"}
	if clk != nil {
		o.Now = clk.now
	}
	return New(o)
}

func TestConcurrentRequestsMakeOneUpstreamRequest(t *testing.T) {
	u := newUpstream(t)
	u.delay = 150 * time.Millisecond
	dir := t.TempDir()
	tl := online(t, u, dir, 0, nil)
	var wg sync.WaitGroup
	bodies := make([][]byte, 100)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _, err := tl.Tile(context.Background(), "light", 5, 15, 12)
			if err != nil {
				t.Error(err)
			}
			bodies[i] = b
		}()
	}
	wg.Wait()
	if n := u.requests.Load(); n != 1 {
		t.Fatalf("100 browsers asking for one tile made %d upstream requests, want 1", n)
	}
	for _, b := range bodies {
		if !bytes.Equal(b, bodies[0]) || len(b) == 0 {
			t.Fatal("browsers got different tiles")
		}
	}
	if ua := u.agents[0]; !strings.HasPrefix(ua, "Pinhole/") {
		t.Errorf("User-Agent %q", ua)
	}

	// Served from disk from now on, also by a new process.
	again := online(t, u, dir, 0, nil)
	b, meta, err := again.Tile(context.Background(), "light", 5, 15, 12)
	if err != nil || !bytes.Equal(b, bodies[0]) || meta.Source != "cache" {
		t.Fatalf("after restart: %v, source %q, same=%v", err, meta.Source, bytes.Equal(b, bodies[0]))
	}
	if n := u.requests.Load(); n != 1 {
		t.Errorf("a cached tile went upstream again: %d requests", n)
	}
	if st := again.Stats(); st.Hits != 1 || st.CacheFiles != 1 || st.CacheBytes < int64(len(b)) {
		t.Errorf("stats after a disk hit: %+v", st)
	}
}

func TestEvictionKeepsCacheUnderCap(t *testing.T) {
	u := newUpstream(t)
	u.padding = 3000
	dir := t.TempDir()
	const capBytes = 20_000
	tl := online(t, u, dir, capBytes, nil)
	for x := range 30 {
		if _, _, err := tl.Tile(context.Background(), "dark", 6, x, 20); err != nil {
			t.Fatal(err)
		}
	}
	var onDisk int64
	files := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			info, _ := d.Info()
			onDisk += info.Size()
			files++
		}
		return nil
	})
	if onDisk > capBytes || onDisk < capBytes/2 {
		t.Errorf("cache holds %d bytes on disk in %d files, cap %d", onDisk, files, capBytes)
	}
	st := tl.Stats()
	if want := strings.TrimPrefix(u.URL, "http://"); st.Service != want || st.Mode != "online" {
		t.Errorf("stats name the tile server %q (%s), want %q", st.Service, st.Mode, want)
	}
	if st.CacheBytes != onDisk || st.CacheFiles != files {
		t.Errorf("stats say %d bytes in %d files, disk has %d in %d", st.CacheBytes, st.CacheFiles, onDisk, files)
	}
	// The newest tile stays, the oldest went.
	before := u.requests.Load()
	tl.Tile(context.Background(), "dark", 6, 29, 20)
	if u.requests.Load() != before {
		t.Error("the most recently used tile was evicted")
	}
	tl.Tile(context.Background(), "dark", 6, 0, 20)
	if u.requests.Load() != before+1 {
		t.Error("the least recently used tile was kept")
	}
}

func TestStaleTileWhenUpstreamDown(t *testing.T) {
	for _, outage := range []string{"500", "closed"} {
		t.Run(outage, func(t *testing.T) {
			u := newUpstream(t)
			u.cacheCtl = "max-age=60"
			clk := &clock{t: time.Now()}
			tl := online(t, u, t.TempDir(), 0, clk)
			fresh, _, err := tl.Tile(context.Background(), "light", 3, 4, 2)
			if err != nil {
				t.Fatal(err)
			}
			clk.add(2 * time.Minute)
			if outage == "500" {
				u.status.Store(500)
			} else {
				u.Close()
			}
			b, meta, err := tl.Tile(context.Background(), "light", 3, 4, 2)
			if err != nil || !bytes.Equal(b, fresh) || meta.Source != "stale" {
				t.Fatalf("during the outage: err %v, source %q, same tile %v", err, meta.Source, bytes.Equal(b, fresh))
			}
			st := tl.Stats()
			if st.LastError == "" || st.NextRetry == nil || st.StaleServed != 1 {
				t.Errorf("status during the outage: %+v", st)
			}
			// Backing off: further tiles do not hammer the dead upstream, and
			// a tile never fetched gets the offline base map instead.
			n := u.requests.Load()
			for range 5 {
				if _, _, err := tl.Tile(context.Background(), "light", 3, 4, 2); err != nil {
					t.Fatal(err)
				}
			}
			nb, meta, err := tl.Tile(context.Background(), "light", 3, 5, 2)
			if err != nil || meta.Source != "base" || len(nb) == 0 {
				t.Fatalf("uncached tile during outage: %v %q", err, meta.Source)
			}
			if u.requests.Load() != n {
				t.Errorf("%d upstream requests while backing off", u.requests.Load()-n)
			}
		})
	}
}

func TestRevalidatesWithETag(t *testing.T) {
	u := newUpstream(t)
	u.cacheCtl = "max-age=60"
	clk := &clock{t: time.Now()}
	tl := online(t, u, t.TempDir(), 0, clk)
	first, _, err := tl.Tile(context.Background(), "light", 2, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	clk.add(time.Hour)
	b, meta, err := tl.Tile(context.Background(), "light", 2, 1, 1)
	if err != nil || !bytes.Equal(b, first) || meta.Source != "upstream" {
		t.Fatalf("revalidated tile: %v %q", err, meta.Source)
	}
	if u.requests.Load() != 2 || u.ifNone[1] == "" {
		t.Fatalf("requests %d, If-None-Match %q", u.requests.Load(), u.ifNone)
	}
	// The 304 refreshed the expiry: the next minute is served from disk.
	clk.add(30 * time.Second)
	if _, meta, _ := tl.Tile(context.Background(), "light", 2, 1, 1); meta.Source != "cache" || u.requests.Load() != 2 {
		t.Errorf("after 304: source %q, %d requests", meta.Source, u.requests.Load())
	}
}

func TestValidate(t *testing.T) {
	tl := New(Options{Dir: t.TempDir()})
	for _, c := range []struct {
		style   string
		z, x, y int
	}{{"light", -1, 0, 0}, {"light", 20, 0, 0}, {"light", 0, 1, 0}, {"light", 3, 0, 8}, {"light", 3, -1, 0}, {"../etc", 0, 0, 0}, {"", 1, 0, 0}} {
		if _, _, err := tl.Tile(context.Background(), c.style, c.z, c.x, c.y); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s %d/%d/%d: %v, want ErrInvalid", c.style, c.z, c.x, c.y, err)
		}
	}
	if _, _, err := tl.Tile(context.Background(), "dark", 19, 1<<19-1, 0); err != nil {
		t.Errorf("deepest corner tile: %v", err)
	}
}

func TestExpiry(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		h    http.Header
		want time.Duration
	}{
		{http.Header{"Cache-Control": {"public, max-age=600"}}, 10 * time.Minute},
		{http.Header{"Cache-Control": {"no-cache"}}, 0},
		{http.Header{"Expires": {now.Add(time.Hour).Format(http.TimeFormat)}}, time.Hour},
		{http.Header{"Expires": {"0"}}, 0},
		{http.Header{}, 7 * 24 * time.Hour},
	} {
		if got := expiry(c.h, now).Sub(now); got != c.want {
			t.Errorf("%v: %v, want %v", c.h, got, c.want)
		}
	}
}

func TestBadTemplateFallsBackToOffline(t *testing.T) {
	for _, u := range []string{"https://tile.example/{z}/{x}.png", "file:///etc/{z}/{x}/{y}", "tile.example/{z}/{x}/{y}.png"} {
		tl := New(Options{Dir: t.TempDir(), UpstreamURL: u})
		if tl.Online() {
			t.Errorf("%s accepted", u)
		}
		if _, meta, err := tl.Tile(context.Background(), "dark", 0, 0, 0); err != nil || meta.Source != "base" {
			t.Errorf("%s: %v %q", u, err, meta.Source)
		}
	}
	if !New(Options{Dir: t.TempDir(), UpstreamURL: "https://tile.example/{style}/{z}/{x}/{y}.png"}).Online() {
		t.Error("a good template refused")
	}
}

// Clearing the tile cache removes the files and the index: the next
// request goes upstream again.
func TestClearCache(t *testing.T) {
	u := newUpstream(t)
	dir := t.TempDir()
	tl := online(t, u, dir, 0, nil)
	for _, x := range []int{1, 2, 3} {
		if _, _, err := tl.Tile(context.Background(), "dark", 3, x, 2); err != nil {
			t.Fatal(err)
		}
	}
	before := tl.Stats()
	files, bytes := tl.ClearCache()
	if files != 3 || bytes != before.CacheBytes || bytes == 0 {
		t.Errorf("cleared %d files, %d bytes; the cache held 3 files, %d bytes", files, bytes, before.CacheBytes)
	}
	left := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left++
		}
		return nil
	})
	if st := tl.Stats(); left != 0 || st.CacheFiles != 0 || st.CacheBytes != 0 {
		t.Errorf("after clearing: %d files on disk, stats %d files %d bytes", left, st.CacheFiles, st.CacheBytes)
	}
	if _, meta, err := tl.Tile(context.Background(), "dark", 3, 1, 2); err != nil || meta.Source != "upstream" || u.requests.Load() != 4 {
		t.Errorf("after clearing: %v, source %q, %d upstream requests (want 4)", err, meta.Source, u.requests.Load())
	}
}
