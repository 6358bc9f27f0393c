package thumbs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"pinhole/app/testkit"
)

// hostileSet writes the hostile set once per test binary: the 16-bit PNG
// alone is half a gigabyte of zeros to compress.
var hostileSet = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "pinhole-hostile-")
	if err != nil {
		return "", err
	}
	if _, err := testkit.Hostile(dir); err != nil {
		return "", err
	}
	return dir, nil
})

func hostileFile(t *testing.T, name string) string {
	t.Helper()
	dir, err := hostileSet()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

// Every file of the hostile set is refused from its headers, before any
// decoder runs (in milliseconds, with no memory to speak of), with the
// numbers that make it too much in the reason; the animated GIF and WebP
// render their first frame.
func TestHostileSetAdmission(t *testing.T) {
	cases := []struct {
		name, want string // want: a piece of the reason; "" renders
	}{
		{"grid.heic", "image too large (20000×20000"},
		{"deep16.png", "8192×8192 16-bit PNG needs 7"}, // 773 MB
		{"tiff900mp.tif", "image too large (30000×30000"},
		{"scans300.jpg", "progressive JPEG with over 100 scans"},
		{"preview.dng", "image too large (60000×60000"},
		{"video60k.mp4", "image too large (60000×60000"},
		{"gif3000.gif", ""},
		{"webp3000.webp", ""},
	}
	// A helper that runs leaves a mark: none may run for these files.
	mark := filepath.Join(t.TempDir(), "helper-ran")
	t.Setenv("PINHOLE_THUMBS_CHILD", "fake-mark")
	t.Setenv("PINHOLE_FAKE_MARK", mark)
	self := selfExe(t)
	hostileFile(t, "")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := heapAllocated()
			start := time.Now()
			b, err := Render(context.Background(), hostileFile(t, c.name), mustSize(t, "fit_720"),
				Options{HEIFConvert: self, FFmpeg: self})
			d := time.Since(start)
			allocated := heapAllocated() - before
			if c.want == "" {
				if err != nil {
					t.Fatalf("want a thumbnail, got %v", err)
				}
				img := decodeBytes(t, b)
				if img.Bounds().Size() != image.Pt(720, 540) {
					t.Errorf("size %v, want the 1600×1200 canvas at 720×540", img.Bounds().Size())
				}
				// The first frame is blue all over; later ones are red.
				if r, _, bl, _ := img.At(360, 270).RGBA(); r>>8 > 0x40 || bl>>8 < 0xA0 {
					t.Errorf("centre is r=%d b=%d, want the blue first frame", r>>8, bl>>8)
				}
				return
			}
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(Reason(err), c.want) {
				t.Fatalf("got %v (reason %q), want a refusal saying %q", err, Reason(err), c.want)
			}
			// Refusing is reading headers: a decode of any of these
			// takes seconds and hundreds of MB.
			if d > time.Second || allocated > 8<<20 {
				t.Errorf("refusal took %v and allocated %d kB", d, allocated>>10)
			}
			if _, err := os.Stat(mark); err == nil {
				t.Errorf("a helper ran before the refusal")
			}
		})
	}
}

// A refusal is remembered by content hash, across restarts of the
// service: asking again, for any size, answers at once without opening
// the file; clearing the cache forgets it.
func TestRefusalRemembered(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(t.TempDir(), "deep16.png")
	b, err := os.ReadFile(hostileFile(t, "deep16.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	src := Source{Path: p, Hash: hashOf("deep")}
	s := newService(t, Config{CacheDir: dir})
	if _, err := s.Get(context.Background(), src, mustSize(t, "tile_224")); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v", err)
	}
	// The file is gone: only the memory can answer now.
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = newService(t, Config{CacheDir: dir})
	start := time.Now()
	for _, sz := range Sizes {
		_, err := s.Get(context.Background(), src, sz)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(Reason(err), "16-bit PNG needs") {
			t.Fatalf("%s after restart: got %v", sz.Name, err)
		}
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("%d remembered refusals took %v", len(Sizes), d)
	}
	list, n := s.Refused(10)
	if n != 1 || len(list) != 1 || list[0].Hash != src.Hash || list[0].Kind != "too_large" || !strings.Contains(list[0].Reason, "8192×8192") {
		t.Errorf("refused list %+v (%d)", list, n)
	}
	s.ClearCache()
	if _, n := s.Refused(10); n != 0 {
		t.Errorf("%d refusals after clearing the cache", n)
	}
	if _, err := s.Get(context.Background(), src, mustSize(t, "tile_224")); errors.Is(err, ErrTooLarge) {
		t.Errorf("still refused after clearing: %v", err)
	}
}

// A refusal for size is forgotten when the owner raises the limits: the
// same file then renders.
func TestRefusalForgottenWhenLimitsGrow(t *testing.T) {
	dir := t.TempDir()
	p := writePNG16(t, 1600, 1200)
	src := Source{Path: p, Hash: hashOf("png16-limits")}
	small := newService(t, Config{CacheDir: dir, DecodeBudgetBytes: 16 << 20})
	if _, err := small.Get(context.Background(), src, mustSize(t, "tile_224")); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("with 16 MB: got %v", err)
	}
	small.Close()
	big := newService(t, Config{CacheDir: dir, DecodeBudgetBytes: 64 << 20})
	if _, err := big.Get(context.Background(), src, mustSize(t, "tile_224")); err != nil {
		t.Fatalf("with 64 MB: %v", err)
	}
}

func writePNG16(t *testing.T, w, h int) string {
	t.Helper()
	img := image.NewRGBA64(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA64(x, y, color.RGBA64{uint16(x * 40), uint16(y * 50), 30000, 0xFFFF})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), fmt.Sprintf("deep_%dx%d.png", w, h))
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A 16-bit PNG is decoded once for the size asked and every smaller one:
// the grid's tiles after the viewer's picture cost no second decode, and
// the smaller sizes match what a decode of their own gives.
func TestFullDecodeServesSmallerSizes(t *testing.T) {
	p := writePNG16(t, 2000, 1500)
	s := newService(t, Config{})
	src := Source{Path: p, Hash: hashOf("png16-once")}
	if _, err := s.Get(context.Background(), src, mustSize(t, "fit_1920")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"tile_50", "tile_224", "tile_500", "fit_720", "fit_1280", "fit_1920"} {
		r, err := s.Get(context.Background(), src, mustSize(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "fit_720" {
			direct, err := Render(context.Background(), p, mustSize(t, name), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if d := meanDiff(decodeBytes(t, resultBytes(t, r)), decodeBytes(t, direct)); d > 1.5 {
				t.Errorf("fit_720 cut from the fit_1920 picture differs from its own decode by %.2f", d)
			}
		}
	}
	if st := s.Stats(); st.Renders != 1 {
		t.Errorf("%d decodes for six sizes of one 16-bit PNG, want 1 (%+v)", st.Renders, st)
	}
}

// A decode needing more than the whole budget never runs, not even alone.
func TestGateRefusesOverBudget(t *testing.T) {
	g := newMemGate(100)
	if err := g.Acquire(context.Background(), 101, Interactive); !errors.Is(err, ErrTooLarge) {
		t.Errorf("101 of 100 bytes: got %v", err)
		if err == nil {
			g.Release(101)
		}
	}
	if g.cur != 0 {
		t.Errorf("gate holds %d after a refusal", g.cur)
	}
	if err := g.Acquire(context.Background(), 100, Interactive); err != nil {
		t.Errorf("the whole budget: %v", err)
	}
}

// The cost charged is the real one: a decode's peak heap stays within
// what admission charged for it, for each kind of file decoded here (the
// figures are the Go heap's, which these decoders use).
func TestChargedCostCoversDecode(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"png16":  writePNG16(t, 1200, 900),
		"gif":    hostileFile(t, "gif3000.gif"),
		"webp":   hostileFile(t, "webp3000.webp"),
		"interl": writeInterlacedPNG(t, dir),
	}
	for name, p := range files {
		t.Run(name, func(t *testing.T) {
			pl, err := openPlan(p, []Size{mustSize(t, "fit_720")}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer pl.close()
			before := heapAllocated()
			if _, err := pl.renderAll(context.Background()); err != nil {
				t.Fatal(err)
			}
			used := int64(heapAllocated() - before)
			if used > pl.cost {
				t.Errorf("decode allocated %d kB, admission charged %d kB", used>>10, pl.cost>>10)
			}
			if pl.cost > 4*used+(4<<20) {
				t.Errorf("admission charged %d kB for %d kB allocated: too cautious", pl.cost>>10, used>>10)
			}
		})
	}
}

func writeInterlacedPNG(t *testing.T, dir string) string {
	t.Helper()
	// image/png writes no interlaced files; the corpus has one.
	p := filepath.Join(dir, "interlaced.png")
	b, err := testkit.InterlacedPNG(900, 700)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// An animated GIF whose first frame covers part of the screen shows that
// frame where it sits, on white, at the screen's proportions.
func TestGIFFirstFrameOnItsScreen(t *testing.T) {
	pal := color.Palette{color.RGBA{0, 0, 0xFF, 0xFF}, color.RGBA{0xFF, 0, 0, 0xFF}}
	fr1 := image.NewPaletted(image.Rect(200, 100, 400, 300), pal) // blue, right of centre
	fr2 := image.NewPaletted(image.Rect(0, 0, 400, 300), pal)
	for i := range fr2.Pix {
		fr2.Pix[i] = 1
	}
	p := writeEncoded(t, t.TempDir(), "part.gif", func(b *bytes.Buffer) error {
		return gif.EncodeAll(b, &gif.GIF{Image: []*image.Paletted{fr1, fr2}, Delay: []int{10, 10},
			Config: image.Config{ColorModel: pal, Width: 400, Height: 300}})
	})
	b, err := Render(context.Background(), p, mustSize(t, "fit_720"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	img := decodeBytes(t, b)
	if img.Bounds().Size() != image.Pt(400, 300) {
		t.Fatalf("size %v, want the 400×300 screen", img.Bounds().Size())
	}
	if r, g, bl, _ := img.At(100, 50).RGBA(); r>>8 < 0xF0 || g>>8 < 0xF0 || bl>>8 < 0xF0 {
		t.Errorf("outside the first frame: %d,%d,%d, want white", r>>8, g>>8, bl>>8)
	}
	if r, _, bl, _ := img.At(300, 200).RGBA(); r>>8 > 0x30 || bl>>8 < 0xD0 {
		t.Errorf("inside the first frame: r=%d b=%d, want blue", r>>8, bl>>8)
	}
}
