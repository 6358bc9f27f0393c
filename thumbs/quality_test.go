package thumbs

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"testing"

	"pinhole/app/corpus"
	"pinhole/app/testkit"
)

// fit_720 from the DCT-scaled decode must look like a full-resolution decode
// resized with the same Lanczos3 filter: luma SSIM ≥ 0.97.
func TestQualityAgainstFullDecode(t *testing.T) {
	paths := map[string]string{
		"generated 12 MP": testkit.JPEGFile(t, testkit.Photo{W: 4000, H: 3000, Seed: 11}),
		"generated 24 MP": testkit.JPEGFile(t, testkit.Photo{W: 6000, H: 4000, Seed: 12}),
	}
	for _, rel := range []string{
		"exif-py/jpg/hdr/iphone_hdr_YES.jpg", "exif-py/jpg/mobile/jolla.jpg",
		"exif-py/jpg/tests/Xiaomi_Mi_9T_KeyError.jpg", "exif-py/jpg/mobile/HMD_Nokia_8.3_5G.jpg",
		"photoprism/internal/meta/testdata/aurora.jpg", "exif-py/jpg/tests/87_OSError.jpg",
	} {
		paths[rel] = corpus.Path(t, rel)
	}
	size := mustSize(t, "fit_720")
	for name, p := range paths {
		t.Run(name, func(t *testing.T) {
			got, err := Render(context.Background(), p, size, Options{})
			if err != nil {
				t.Fatal(err)
			}
			gotImg := decodeBytes(t, got)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			full, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			info, err := readJPEGInfo(bytes.NewReader(data), 0, int64(len(data)), true)
			if err != nil {
				t.Fatal(err)
			}
			b := full.Bounds()
			w, h := b.Dx(), b.Dy()
			if info.Orientation >= 5 {
				w, h = h, w
			}
			tw, th := size.outputSize(w, h)
			if info.Orientation >= 5 {
				tw, th = th, tw
			}
			// The reference goes through the same q85 encoder as the
			// thumbnail: what is compared is the DCT-scaled decode against
			// a full decode, not JPEG loss, which both would show.
			refJPG, err := encodeJPEG(orient(toEncodable(resample(full, tw, th)), info.Orientation), DefaultQuality)
			if err != nil {
				t.Fatal(err)
			}
			ref := decodeBytes(t, refJPG)
			s := ssim(gotImg, ref)
			t.Logf("SSIM %.4f", s)
			if s < 0.97 {
				t.Errorf("luma SSIM %.4f against full decode, want ≥ 0.97", s)
			}
		})
	}
}

// Progressive JPEGs decoded by thumbs/internal/progressive — at 1/8 and
// 2/8 always, at 3/8 and 4/8 when libjpeg's coefficients would not fit
// the decode budget — make thumbnails that look like a full decode
// resized with Lanczos3 too: luma SSIM ≥ 0.97.
func TestProgressiveQualityAgainstFullDecode(t *testing.T) {
	gen24 := testkit.CJPEGFile(t, testkit.Photo{W: 6000, H: 4000, Seed: 12}, "", "-progressive")
	gen12 := testkit.CJPEGFile(t, testkit.Photo{W: 4000, H: 3000, Seed: 11}, "", "-progressive", "-sample", "1x1")
	const small = 56 << 20 // fits the small decoder at 3/8 and 4/8, not libjpeg
	cases := []struct {
		name, path, size string
		budget           int64
		k                int
	}{
		{"generated 24 MP, 4:2:0", gen24, "tile_224", 0, 1},
		{"generated 24 MP, 4:2:0", gen24, "fit_720", 0, 2},
		{"generated 24 MP, 4:2:0", gen24, "fit_1920", small, 3},
		{"generated 12 MP, 4:4:4", gen12, "tile_224", 0, 2},
		{"generated 12 MP, 4:4:4", gen12, "fit_720", 0, 2},
		{"generated 12 MP, 4:4:4", gen12, "fit_1920", small, 4},
	}
	for _, c := range []struct{ rel, size string }{
		{"photoprism/assets/examples/telegram_2020-01-30_09-57-18.jpg", "tile_224"},
		{"photoprism/assets/examples/telegram_2020-01-30_09-57-18.jpg", "tile_50"},
		{"photoprism/internal/meta/testdata/iptc-2021.jpg", "tile_224"},
		{"photoprism/internal/meta/testdata/iptc-2021.jpg", "fit_256"},
		{"photoprism/internal/meta/testdata/aurora.jpg", "tile_100"},
		{"photoprism/internal/meta/testdata/aurora.jpg", "fit_256"},
	} {
		cases = append(cases, struct {
			name, path, size string
			budget           int64
			k                int
		}{c.rel, corpus.Path(t, c.rel), c.size, 0, 0})
	}
	decoded := map[string]image.Image{}
	for _, c := range cases {
		t.Run(c.name+"/"+c.size, func(t *testing.T) {
			size := mustSize(t, c.size)
			opts := Options{DecodeBudget: c.budget}
			pl, err := openPlan(c.path, []Size{size}, opts)
			if err != nil {
				t.Fatal(err)
			}
			info, k := pl.jpeg, pl.progressiveK
			pl.close()
			if !info.Progressive || k == 0 || c.k != 0 && k != c.k {
				t.Fatalf("progressive %v, decoded by thumbs/internal/progressive at %d/8; the case needs it at %d/8", info.Progressive, k, c.k)
			}
			got, err := Render(context.Background(), c.path, size, opts)
			if err != nil {
				t.Fatal(err)
			}
			full := decoded[c.path]
			if full == nil {
				data, err := os.ReadFile(c.path)
				if err != nil {
					t.Fatal(err)
				}
				if full, err = jpeg.Decode(bytes.NewReader(data)); err != nil {
					t.Fatal(err)
				}
				decoded[c.path] = full
			}
			src := full
			w, h := full.Bounds().Dx(), full.Bounds().Dy()
			if info.Orientation >= 5 {
				w, h = h, w
			}
			tw, th := size.outputSize(w, h)
			if info.Orientation >= 5 {
				tw, th = th, tw
			}
			if size.Crop {
				src, tw, th = centreSquare(full), size.W, size.H
			}
			refJPG, err := encodeJPEG(orient(toEncodable(resample(src, tw, th)), info.Orientation), DefaultQuality)
			if err != nil {
				t.Fatal(err)
			}
			s := ssim(decodeBytes(t, got), decodeBytes(t, refJPG))
			t.Logf("%d/8: SSIM %.4f", k, s)
			if s < 0.97 {
				t.Errorf("luma SSIM %.4f against full decode, want ≥ 0.97", s)
			}
		})
	}
}
