package thumbs

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pinhole/app/corpus"
	"pinhole/app/testkit"
)

func hashOf(s string) string {
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func newService(t *testing.T, cfg Config) *Service {
	t.Helper()
	if cfg.CacheDir == "" {
		cfg.CacheDir = t.TempDir()
	}
	if cfg.HEIFConvert == "" {
		cfg.HEIFConvert = "off"
	}
	if cfg.FFmpeg == "" {
		cfg.FFmpeg = "off"
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	<-s.ready
	return s
}

func resultBytes(t *testing.T, r Result) []byte {
	t.Helper()
	if r.Path == "" {
		return r.Data
	}
	b, err := os.ReadFile(r.Path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A miss renders into the sharded cache path; the next request is a hit
// served from the same file with the same ETag.
func TestGetCachesAndHits(t *testing.T) {
	dir := t.TempDir()
	s := newService(t, Config{CacheDir: dir})
	src := Source{Path: corpus.Path(t, "exif-py/jpg/orientation/landscape_6.jpg"), Hash: hashOf("a")}
	size := mustSize(t, "fit_720")
	r1, err := s.Get(context.Background(), src, size)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, src.Hash[0:2], src.Hash[2:4], fmt.Sprintf("%s_fit_720_v%d.jpg", src.Hash, RendererVersion))
	if r1.Path != want {
		t.Errorf("path %s, want %s", r1.Path, want)
	}
	if got := decodeBytes(t, resultBytes(t, r1)).Bounds().Size(); got != image.Pt(600, 450) {
		t.Errorf("size %v, want upright 600x450", got)
	}
	r2, err := s.Get(context.Background(), src, size)
	if err != nil {
		t.Fatal(err)
	}
	if r2.Path != r1.Path || r2.ETag != r1.ETag || r1.ETag == "" || r2.ContentType != "image/jpeg" {
		t.Errorf("second get %+v differs from first %+v", r2, r1)
	}
	st := s.Stats()
	if st.Hits != 1 || st.Misses != 1 || st.Renders != 1 || st.Files != 1 || st.Bytes != r1.Size {
		t.Errorf("stats %+v", st)
	}
}

// Bad hashes and unknown sizes are refused before touching the disk, so a
// URL cannot walk out of the cache folder.
func TestGetRejectsBadRequests(t *testing.T) {
	s := newService(t, Config{})
	src := Source{Path: corpus.Path(t, "exif-py/jpg/orientation/landscape_1.jpg"), Hash: "../../etc/passwd"}
	if _, err := s.Get(context.Background(), src, mustSize(t, "fit_720")); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad hash: got %v", err)
	}
	src.Hash = hashOf("x")
	if _, err := s.Get(context.Background(), src, Size{Name: "fit_9999", W: 9999, H: 9999}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad size: got %v", err)
	}
}

// Warm renders several sizes from one decode.
func TestWarmRendersAllSizesOnce(t *testing.T) {
	s := newService(t, Config{})
	src := Source{Path: testkit.JPEGFile(t, testkit.Photo{W: 4000, H: 3000, Seed: 1}), Hash: hashOf("warm")}
	if err := s.Warm(WithPriority(context.Background(), Background), src, Sizes); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Renders != 1 || st.Files != int64(len(Sizes)) {
		t.Errorf("stats %+v, want 1 render and %d files", st, len(Sizes))
	}
	for _, sz := range Sizes {
		if _, err := s.Get(context.Background(), src, sz); err != nil {
			t.Fatal(err)
		}
	}
	if st := s.Stats(); st.Hits != int64(len(Sizes)) || st.Renders != 1 {
		t.Errorf("after warm every get should hit: %+v", st)
	}
}

// Over the cap, the least recently used files go first.
func TestEvictionIsLRU(t *testing.T) {
	s := newService(t, Config{MaxCacheBytes: 60_000})
	size := mustSize(t, "tile_224")
	p := corpus.Path(t, "exif-py/jpg/orientation/landscape_1.jpg")
	var names []string
	for i := 0; i < 8; i++ {
		src := Source{Path: p, Hash: hashOf(fmt.Sprint(i))}
		r, err := s.Get(context.Background(), src, size)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, r.Path)
		time.Sleep(5 * time.Millisecond)
		// Keep the first one hot.
		if _, err := s.Get(context.Background(), Source{Path: p, Hash: hashOf("0")}, size); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Stats().Bytes > 60_000 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	st := s.Stats()
	if st.Bytes > 60_000 || st.Evictions == 0 {
		t.Fatalf("cache not evicted: %+v", st)
	}
	if _, err := os.Stat(names[0]); err != nil {
		t.Errorf("the most recently used file was evicted")
	}
	if _, err := os.Stat(names[1]); err == nil {
		t.Errorf("the least recently used file survived")
	}
}

// countingHandler counts warnings.
type countingHandler struct {
	slog.Handler
	warns atomic.Int64
}

func (h *countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		h.warns.Add(1)
	}
	return nil
}

// When the cache cannot be written the thumbnail is still served, from
// memory, and the problem is logged once rather than per request.
func TestUnwritableCacheServesBytes(t *testing.T) {
	dir := t.TempDir()
	h := &countingHandler{Handler: slog.NewTextHandler(io.Discard, nil)}
	s := newService(t, Config{CacheDir: dir, Logger: slog.New(h)})
	p := corpus.Path(t, "exif-py/jpg/orientation/landscape_1.jpg")
	for i := 0; i < 3; i++ {
		src := Source{Path: p, Hash: hashOf(fmt.Sprint("ro", i))}
		// A file where the shard folder should be makes every write fail,
		// as a full or read-only disk does (root ignores permissions).
		if err := os.WriteFile(filepath.Join(dir, src.Hash[0:2]), nil, 0o644); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
		r, err := s.Get(context.Background(), src, mustSize(t, "tile_100"))
		if err != nil {
			t.Fatal(err)
		}
		if r.Path != "" || len(r.Data) == 0 {
			t.Fatalf("want bytes without a path, got path %q and %d bytes", r.Path, len(r.Data))
		}
		decodeBytes(t, r.Data)
	}
	if n := h.warns.Load(); n != 1 {
		t.Errorf("%d warnings logged, want 1", n)
	}
	if s.Stats().Writable {
		t.Errorf("stats say writable")
	}
}

// A file declaring more pixels than the limit is refused from its header,
// with the numbers in the reason.
func TestDecompressionBombRefused(t *testing.T) {
	// A real JPEG header claiming 30000×30000 pixels and nothing else.
	jpg, err := encodeJPEG(image.NewGray(image.Rect(0, 0, 16, 16)), 80)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(jpg, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0")
	}
	jpg[i+5], jpg[i+6], jpg[i+7], jpg[i+8] = 0x75, 0x30, 0x75, 0x30
	p := filepath.Join(t.TempDir(), "bomb.jpg")
	if err := os.WriteFile(p, jpg, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Render(context.Background(), p, mustSize(t, "tile_224"), Options{})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(Reason(err), "30000×30000") {
		t.Errorf("got %v", err)
	}
}

// Interactive requests overtake queued background work for decode memory.
func TestGatePrefersInteractive(t *testing.T) {
	g := newMemGate(100)
	ctx := context.Background()
	if err := g.Acquire(ctx, 100, Interactive); err != nil {
		t.Fatal(err)
	}
	var order []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := func(name string, p Priority) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := g.Acquire(ctx, 100, p); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			g.Release(100)
		}()
	}
	start("background", Background)
	time.Sleep(20 * time.Millisecond)
	start("browser", Interactive)
	time.Sleep(20 * time.Millisecond)
	g.Release(100)
	wg.Wait()
	if strings.Join(order, ",") != "browser,background" {
		t.Errorf("order %v, want the browser first", order)
	}
	// A cancelled waiter leaves the queue.
	if err := g.Acquire(ctx, 100, Interactive); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if err := g.Acquire(cctx, 50, Interactive); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v", err)
	}
	g.Release(100)
	if err := g.Acquire(ctx, 100, Background); err != nil || g.cur != 100 {
		t.Errorf("gate not free after cancel: cur=%d err=%v", g.cur, err)
	}
}

// Placeholders are valid JPEGs of the requested size for every size.
func TestPlaceholders(t *testing.T) {
	for _, s := range Sizes {
		img := decodeBytes(t, Placeholder(s, "broken file"))
		w, h := placeholderSize(s)
		if img.Bounds().Size() != image.Pt(w, h) || w > s.W || h > s.H {
			t.Errorf("%s: %v", s.Name, img.Bounds().Size())
		}
	}
}
