package thumbs

import (
	"context"
	"testing"

	"pinhole/app/testkit"
)

// A 24 MP progressive JPEG is decoded at reduced scale keeping only the
// coefficients that scale needs, so its thumbnails fit a 40 MB decode
// budget (a Raspberry Pi Zero's), where libjpeg's 64 coefficients a block
// alone would take 72 MB and the file was refused.
func TestProgressiveFitsASmallBudget(t *testing.T) {
	p := testkit.ProgressiveFile(t, testkit.Photo{W: 6000, H: 4000, Seed: 21})
	const budget = 40 << 20
	for _, name := range []string{"tile_224", "fit_720", "fit_1920"} {
		size := mustSize(t, name)
		pl, err := openPlan(p, []Size{size}, Options{DecodeBudget: budget})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cost, blocks := pl.cost, pl.jpeg.Blocks
		pl.close()
		if !pl.jpeg.Progressive {
			t.Fatal("the test file is not progressive")
		}
		if libjpeg := blocks * 128; libjpeg <= budget {
			t.Fatalf("libjpeg's coefficients, %d MB, fit the budget: the test proves nothing", libjpeg>>20)
		}
		t.Logf("%s: charged %.1f MB (libjpeg's coefficients alone: %d MB)", name, float64(cost)/(1<<20), blocks*128>>20)
		out, err := Render(context.Background(), p, size, Options{DecodeBudget: budget})
		if err != nil {
			t.Fatalf("%s within %d MB: %v", name, budget>>20, err)
		}
		img := decodeBytes(t, out)
		w, h := size.outputSize(6000, 4000)
		if size.Crop {
			w, h = size.W, size.H
		}
		if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Errorf("%s: %v, want %d×%d", name, b.Size(), w, h)
		}
	}
}
