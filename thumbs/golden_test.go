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
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/bmp"

	"pinhole/app/corpus"
	"pinhole/app/testkit"
)

// Every EXIF orientation must come out upright: the rendered picture must
// match the orientation-1 picture better untransformed than under any other
// of the eight transforms, and closely (the files differ only in the digit
// painted on them).
func TestOrientationGolden(t *testing.T) {
	for _, kind := range []string{"landscape", "portrait"} {
		for _, sizeName := range []string{"fit_720", "tile_224", "tile_50"} {
			size := mustSize(t, sizeName)
			ref := renderCorpus(t, fmt.Sprintf("exif-py/jpg/orientation/%s_1.jpg", kind), size)
			for o := 1; o <= 8; o++ {
				t.Run(fmt.Sprintf("%s_%d/%s", kind, o, sizeName), func(t *testing.T) {
					got := renderCorpus(t, fmt.Sprintf("exif-py/jpg/orientation/%s_%d.jpg", kind, o), size)
					if got.Bounds().Size() != ref.Bounds().Size() {
						t.Fatalf("size %v, orientation 1 gives %v", got.Bounds().Size(), ref.Bounds().Size())
					}
					// Correct: 15–21 (different digit, JPEG noise); wrong
					// transforms measured 27 and up.
					upright := meanDiff(got, ref)
					if upright > 24 {
						t.Errorf("mean luma difference to orientation 1 is %.1f, want ≤ 24", upright)
					}
					for tr := 2; tr <= 8; tr++ {
						if d := meanDiff(orient(toEncodable(got), tr), ref); d < upright+5 {
							t.Errorf("picture matches orientation 1 as well after transform %d (%.1f vs %.1f): not upright", tr, d, upright)
						}
					}
				})
			}
		}
	}
}

func renderCorpus(tb testing.TB, rel string, size Size) image.Image {
	tb.Helper()
	b, err := Render(context.Background(), corpus.Path(tb, rel), size, Options{})
	if err != nil {
		tb.Fatalf("render %s: %v", rel, err)
	}
	return decodeBytes(tb, b)
}

// Output sizes are exact for every size name: tiles are exactly square,
// fit sizes touch their box on the limiting side and keep the aspect ratio,
// small originals stay at their own size.
func TestOutputSizes(t *testing.T) {
	big := testkit.JPEGFile(t, testkit.Photo{W: 4000, H: 3000, Seed: 1})
	cases := []struct {
		path string
		w, h int // upright size of the original
	}{
		{big, 4000, 3000},
		{corpus.Path(t, "exif-py/jpg/orientation/portrait_6.jpg"), 450, 600},
		{corpus.Path(t, "photoprism/internal/meta/testdata/aurora.jpg"), 2560, 868},
	}
	for _, c := range cases {
		for _, s := range Sizes {
			t.Run(filepath.Base(c.path)+"/"+s.Name, func(t *testing.T) {
				b, err := Render(context.Background(), c.path, s, Options{})
				if err != nil {
					t.Fatal(err)
				}
				got := decodeBytes(t, b).Bounds().Size()
				want := image.Pt(s.W, s.H)
				if !s.Crop {
					if c.w <= s.W && c.h <= s.H {
						want = image.Pt(c.w, c.h)
					} else {
						scale := math.Min(float64(s.W)/float64(c.w), float64(s.H)/float64(c.h))
						want = image.Pt(int(math.Round(float64(c.w)*scale)), int(math.Round(float64(c.h)*scale)))
					}
				}
				if got != want {
					t.Errorf("got %v, want %v", got, want)
				}
			})
		}
	}
}

// A tile is the centre square: a landscape with red and blue bands at its
// sides must give a tile with neither colour in it.
func TestTileIsCentred(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 1200, 800))
	for y := 0; y < 800; y++ {
		for x := 0; x < 1200; x++ {
			c := color.RGBA{128, 128, 128, 255}
			switch {
			case x < 200:
				c = color.RGBA{255, 0, 0, 255}
			case x >= 1000:
				c = color.RGBA{0, 0, 255, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	p := filepath.Join(t.TempDir(), "bands.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"tile_100", "tile_500"} {
		b, err := Render(context.Background(), p, mustSize(t, name), Options{})
		if err != nil {
			t.Fatal(err)
		}
		out := decodeBytes(t, b)
		bd := out.Bounds()
		for _, x := range []int{bd.Min.X + 1, bd.Dx() / 2, bd.Max.X - 2} {
			r, g, bl, _ := out.At(x, bd.Dy()/2).RGBA()
			if d := math.Abs(float64(r>>8)-128) + math.Abs(float64(g>>8)-128) + math.Abs(float64(bl>>8)-128); d > 24 {
				t.Errorf("%s: pixel at x=%d is %d,%d,%d, want grey: crop not centred", name, x, r>>8, g>>8, bl>>8)
			}
		}
	}
}

// Formats other than baseline colour JPEG render, each checked for what a
// user would see.
func TestFormats(t *testing.T) {
	dir := t.TempDir()
	tile := mustSize(t, "tile_224")

	// A 16-bit PNG with a colour ramp.
	p16 := image.NewRGBA64(image.Rect(0, 0, 640, 480))
	for y := 0; y < 480; y++ {
		for x := 0; x < 640; x++ {
			p16.SetRGBA64(x, y, color.RGBA64{uint16(x * 100), 30000, uint16(y * 130), 0xFFFF})
		}
	}
	png16 := writeEncoded(t, dir, "deep.png", func(b *bytes.Buffer) error { return png.Encode(b, p16) })

	// An animated GIF whose first frame is red and second blue.
	pal := color.Palette{color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}}
	fr1 := image.NewPaletted(image.Rect(0, 0, 300, 200), pal)
	fr2 := image.NewPaletted(image.Rect(0, 0, 300, 200), pal)
	for i := range fr2.Pix {
		fr2.Pix[i] = 1
	}
	anim := writeEncoded(t, dir, "anim.gif", func(b *bytes.Buffer) error {
		return gif.EncodeAll(b, &gif.GIF{Image: []*image.Paletted{fr1, fr2}, Delay: []int{10, 10}})
	})
	bmpFile := writeEncoded(t, dir, "plain.bmp", func(b *bytes.Buffer) error { return bmp.Encode(b, fr1) })

	cases := []struct {
		name, path string
		check      func(t *testing.T, img image.Image)
	}{
		{"progressive", corpus.Path(t, "photoprism/internal/meta/testdata/ladybug.jpg"), nil},
		{"grayscale", corpus.Path(t, "photoprism/internal/meta/testdata/buggy_panorama.jpg"), nil},
		{"png16", png16, func(t *testing.T, img image.Image) {
			r, _, b, _ := img.At(223, 112).RGBA() // right side: red ramp high
			if r>>8 < 150 || b>>8 > 200 {
				t.Errorf("16-bit ramp lost: right edge is r=%d b=%d", r>>8, b>>8)
			}
		}},
		{"gif first frame", anim, func(t *testing.T, img image.Image) {
			r, _, b, _ := img.At(112, 112).RGBA()
			if r>>8 < 200 || b>>8 > 60 {
				t.Errorf("want the red first frame, got r=%d b=%d", r>>8, b>>8)
			}
		}},
		{"bmp", bmpFile, nil},
		{"webp", corpus.Path(t, "photoprism/internal/photoprism/testdata/norway-kjetil-moe.webp"), nil},
		{"tiff", corpus.Path(t, "exif-py/tiff/BSG1.tiff"), nil},
		{"png with alpha", corpus.Path(t, "photoprism/internal/meta/testdata/tweethog.png"), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := Render(context.Background(), c.path, tile, Options{})
			if err != nil {
				t.Fatal(err)
			}
			img := decodeBytes(t, b)
			if img.Bounds().Size() != image.Pt(224, 224) {
				t.Fatalf("size %v", img.Bounds().Size())
			}
			if c.check != nil {
				c.check(t, img)
			}
		})
	}
}

func writeEncoded(t *testing.T, dir, name string, enc func(*bytes.Buffer) error) string {
	t.Helper()
	var b bytes.Buffer
	if err := enc(&b); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The PNG and TIFF marked orientation 6 come out upright like a browser
// would show them: portrait.
func TestEmbeddedOrientationOfOtherFormats(t *testing.T) {
	for _, rel := range []string{"photoprism/internal/photoprism/testdata/rotate/6.png", "photoprism/internal/photoprism/testdata/rotate/6.tiff"} {
		f, err := os.Open(corpus.Path(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		cfg, _, err := image.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		img := renderCorpus(t, rel, mustSize(t, "fit_720"))
		got := img.Bounds().Size()
		if cfg.Width > cfg.Height && got.X > got.Y {
			t.Errorf("%s: stored %dx%d with orientation 6 rendered %v: not rotated", rel, cfg.Width, cfg.Height, got)
		}
	}
}

// RAW files render their largest embedded preview; a RAW without one (the
// corpus' exiftool samples are stripped) gets an explanation.
func TestRAWPreviews(t *testing.T) {
	for rel, want := range map[string]image.Point{
		"photoprism/assets/examples/canon_eos_6d.dng":                                     {720, 480},
		"exif-py/raw/nikon_z_9_high_efficiency_compressed_dx_cropped_max_overexposed.dng": {256, 171},
		"exiftool-t/FujiFilm.raf":                                                         {8, 8},
		"exiftool-t/CanonRaw.cr2":                                                         {},
		"exiftool-t/CanonRaw.cr3":                                                         {},
		"exiftool-t/Nikon.nef":                                                            {},
		"exif-py/raw/sony_alpha_a7iii_raw_image.ARW":                                      {},
	} {
		t.Run(rel, func(t *testing.T) {
			b, err := Render(context.Background(), corpus.Path(t, rel), mustSize(t, "fit_720"), Options{})
			if want == (image.Point{}) {
				if !errors.Is(err, ErrUnsupported) || !strings.Contains(Reason(err), "no preview") {
					t.Fatalf("want a 'no preview' reason, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := decodeBytes(t, b).Bounds().Size(); got != want {
				t.Errorf("preview rendered at %v, want %v", got, want)
			}
		})
	}
}

// Synthetic RAW containers check the parsers on what real cameras write:
// the largest preview wins over the small thumbnail, and the RAW's own
// orientation applies to it.
func TestRAWContainers(t *testing.T) {
	big := testkit.JPEG(testkit.Photo{W: 1200, H: 800, Seed: 7, Quality: 85})
	small := testkit.JPEG(testkit.Photo{W: 160, H: 120, Seed: 7, Quality: 85})
	dir := t.TempDir()
	cases := []struct {
		name string
		data []byte
		want image.Point
	}{
		{"camera.nef", tiffRAW(big, small, 6), image.Pt(480, 720)},
		{"camera.cr3", cr3RAW(big, small, 8), image.Pt(480, 720)},
		{"camera.raf", rafRAW(big), image.Pt(720, 480)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name)
			if err := os.WriteFile(p, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			b, err := Render(context.Background(), p, mustSize(t, "fit_720"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := decodeBytes(t, b).Bounds().Size(); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}
