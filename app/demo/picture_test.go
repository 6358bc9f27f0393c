package demo

import (
	"image"
	"math"
	"testing"
)

func TestRotateFollowsExifOrientation(t *testing.T) {
	up := render(newScene(42, places[1].look, skyDay, 96, 64))
	w, h := 96, 64
	at := func(img *image.YCbCr, x, y int) uint8 { return img.Y[y*img.YStride+x] }

	// Orientation 6, in the words of the Exif standard: the 0th row is the
	// visual right-hand side and the 0th column the visual top.
	r6 := rotate(up, 6)
	if r6.Rect.Dx() != h || r6.Rect.Dy() != w {
		t.Fatalf("orientation 6 stored as %v, want %dx%d", r6.Rect, h, w)
	}
	for i := range h {
		if at(r6, i, 0) != at(up, w-1, i) {
			t.Fatalf("orientation 6: stored row 0 is not the picture's right side read downward (at %d)", i)
		}
	}
	for i := range w {
		if at(r6, 0, i) != at(up, w-1-i, 0) {
			t.Fatalf("orientation 6: stored column 0 is not the picture's top read right to left (at %d)", i)
		}
	}

	// Orientation 8: the 0th row is the visual left-hand side and the 0th
	// column the visual bottom.
	r8 := rotate(up, 8)
	for i := range h {
		if at(r8, i, 0) != at(up, 0, h-1-i) {
			t.Fatalf("orientation 8: stored row 0 is not the picture's left side read upward (at %d)", i)
		}
	}
	for i := range w {
		if at(r8, 0, i) != at(up, i, h-1) {
			t.Fatalf("orientation 8: stored column 0 is not the picture's bottom read left to right (at %d)", i)
		}
	}

	// Chroma turns with luma: the blue sky stays blue on the same side.
	cb := func(img *image.YCbCr, x, y int) uint8 { return img.Cb[img.COffset(x, y)] }
	if d := int(cb(r6, 0, w/2)) - int(cb(up, w/2, 0)); d < -2 || d > 2 {
		t.Errorf("orientation 6: chroma of the top edge moved (%d)", d)
	}
}

// thumb is a 12×8 grey thumbnail of the picture, the scale at which a grid
// shows photos side by side.
func thumb(img *image.YCbCr) []float64 {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := make([]float64, 12*8)
	for y := range h {
		for x := range w {
			out[(y*8/h)*12+x*12/w] += float64(img.Y[y*img.YStride+x])
		}
	}
	for i := range out {
		out[i] /= float64(w * h / 96)
	}
	return out
}

func TestPicturesLookDifferent(t *testing.T) {
	plan := Plan(DefaultOptions())[:30]
	thumbs := make([][]float64, len(plan))
	for i, p := range plan {
		thumbs[i] = thumb(render(newScene(p.seed, p.look, p.sky, 120, 80)))
	}
	closest := math.Inf(1)
	for i := range thumbs {
		for j := range i {
			var d float64
			for k := range thumbs[i] {
				d += math.Abs(thumbs[i][k] - thumbs[j][k])
			}
			closest = min(closest, d/96)
		}
	}
	t.Logf("closest pair of thumbnails differs by %.1f grey levels on average", closest)
	if closest < 4 {
		t.Errorf("two of %d photos look alike in a grid (%.1f levels apart)", len(plan), closest)
	}
}

func TestSkyIsAboveTheLand(t *testing.T) {
	// The sky is brighter than the land in every kind of light, so a photo
	// shown the wrong way up is obvious and a thumbnailer's orientation bug
	// shows in tests that look at pixels.
	for sky := range skyMorning + 1 {
		for seed := range uint64(8) {
			img := render(newScene(seed, places[seed%uint64(len(places))].look, sky, 120, 80))
			th := thumb(img)
			var top, bottom float64
			for x := range 12 {
				top += th[x]
				bottom += th[7*12+x]
			}
			if top < bottom+12*10 {
				t.Errorf("sky %d seed %d: top row %.0f not brighter than bottom %.0f", sky, seed, top/12, bottom/12)
			}
		}
	}
}
