//go:build cgo && !noturbojpeg

package thumbs

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"pinhole/app/testkit"
	"pinhole/thumbs/internal/turbo"
)

// A CMYK (YCCK, Adobe-inverted, as Photoshop writes) JPEG renders with the
// colours of the picture it was made from. No corpus file is CMYK, so the
// test makes one with libjpeg-turbo.
func TestCMYKJPEG(t *testing.T) {
	rgb := testkit.Picture(800, 600, 5)
	cmyk := make([]byte, 800*600*4)
	for i := 0; i < 800*600; i++ {
		// Inverted CMYK without black: stored C = R, M = G, Y = B, K = 255.
		copy(cmyk[i*4:], rgb.Pix[i*4:i*4+3])
		cmyk[i*4+3] = 255
	}
	jpg, err := turbo.EncodeCMYK(cmyk, 800, 600, 95)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "cmyk.jpg")
	if err := os.WriteFile(p, jpg, 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := turbo.ReadHeader(jpg)
	if err != nil || !h.CMYK {
		t.Fatalf("test file is not CMYK: %+v %v", h, err)
	}
	size := mustSize(t, "fit_720")
	b, err := Render(context.Background(), p, size, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := decodeBytes(t, b)
	want := resample(rgb, 720, 540)
	if d := meanDiff(got, want); d > 4 {
		t.Errorf("mean luma difference %.1f to the original picture, want ≤ 4", d)
	}
	// Colour, not just luma: compare the red channel at the centre.
	r1, _, b1, _ := got.At(360, 270).RGBA()
	r2, _, b2, _ := want.At(360, 270).RGBA()
	if diff(r1>>8, r2>>8) > 20 || diff(b1>>8, b2>>8) > 20 {
		t.Errorf("centre colour r=%d b=%d, want r=%d b=%d", r1>>8, b1>>8, r2>>8, b2>>8)
	}
}

func diff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}
