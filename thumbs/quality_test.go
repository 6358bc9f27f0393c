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
