package thumbs

import (
	"bytes"
	"context"
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

// Progressive JPEGs are decoded by thumbs/internal/progressive at 1/8,
// 2/8 and 4/8 (tile_224, fit_720 and fit_1920 of 24 MP): their thumbnails
// too must look like a full decode resized with Lanczos3, luma SSIM ≥
// 0.97, as libjpeg's scaled decodes of the same files do.
func TestProgressiveQualityAgainstFullDecode(t *testing.T) {
	paths := map[string]string{
		"generated 24 MP, 4:2:0": testkit.CJPEGFile(t, testkit.Photo{W: 6000, H: 4000, Seed: 12}, "", "-progressive"),
		"generated 12 MP, 4:4:4": testkit.CJPEGFile(t, testkit.Photo{W: 4000, H: 3000, Seed: 11}, "", "-progressive", "-sample", "1x1"),
	}
	for _, rel := range []string{
		"photoprism/assets/examples/telegram_2020-01-30_09-57-18.jpg", "photoprism/internal/meta/testdata/iptc-2021.jpg",
		"photoprism/internal/meta/testdata/aurora.jpg", "photoprism/internal/meta/testdata/photoshop.jpg",
	} {
		paths[rel] = corpus.Path(t, rel)
	}
	for name, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		info, err := readJPEGInfo(bytes.NewReader(data), 0, int64(len(data)), true)
		if err != nil || !info.Progressive {
			t.Fatalf("%s: not a progressive JPEG (%v)", name, err)
		}
		full, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for _, sz := range []string{"tile_224", "fit_720", "fit_1920"} {
			t.Run(name+"/"+sz, func(t *testing.T) {
				size := mustSize(t, sz)
				got, err := Render(context.Background(), p, size, Options{})
				if err != nil {
					t.Fatal(err)
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
				t.Logf("SSIM %.4f", s)
				if s < 0.97 {
					t.Errorf("luma SSIM %.4f against full decode, want ≥ 0.97", s)
				}
			})
		}
	}
}
