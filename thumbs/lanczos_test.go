package thumbs

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"testing"

	"pinhole/app/corpus"
	"pinhole/app/testkit"
)

// Our Lanczos3 must look like nfnt/resize's Lanczos3, which it replaced:
// luma SSIM ≥ 0.99 on photos, for the scale factors the pipeline uses
// after DCT-scaled decoding (1–2.1) and larger ones.
func TestLanczosMatchesNFNT(t *testing.T) {
	type source struct {
		name string
		img  image.Image
		divs []float64
	}
	srcs := []source{
		{"generated 1500×1000", testkit.Picture(1500, 1000, 7), []float64{1.3, 2, 2.083, 3.7, 8.5}},
		{"generated 1000×1500", testkit.Picture(1000, 1500, 8), []float64{1.5, 2.083}},
	}
	for _, rel := range []string{"exif-py/jpg/mobile/jolla.jpg", "photoprism/internal/meta/testdata/aurora.jpg"} {
		f, err := os.Open(corpus.Path(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(f) // YCbCr: the path without libjpeg-turbo
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		// To about 720 and 224 pixels wide.
		dx := float64(img.Bounds().Dx())
		srcs = append(srcs, source{rel, img, []float64{dx / 720, dx / 224}})
	}
	for _, src := range srcs {
		b := src.img.Bounds()
		for _, div := range src.divs {
			w, h := int(float64(b.Dx())/div), int(float64(b.Dy())/div)
			t.Run(fmt.Sprintf("%s/÷%g", src.name, div), func(t *testing.T) {
				got := lanczosResize(src.img, w, h)
				// nfnt keeps YCbCr as YCbCr; compare both as RGB.
				want := toEncodable(nfntResize(src.img, w, h))
				if got.Bounds() != want.Bounds() {
					t.Fatalf("bounds %v, nfnt gives %v", got.Bounds(), want.Bounds())
				}
				if s := ssim(got, want); s < 0.99 {
					t.Errorf("luma SSIM %.4f against nfnt's Lanczos3, want ≥ 0.99", s)
				}
				// nfnt rounds weights to 1/256 without renormalising, which
				// darkens by a few levels at large factors (measured 2.4 on
				// red at ÷14.6 where ours is within 0.01 of the exact sum).
				if d := meanDiff(got, want); d > 3 {
					t.Errorf("mean luma difference %.2f to nfnt, want ≤ 3", d)
				}
			})
		}
	}
}

// Small and odd shapes against a direct (slow, floating-point, 2-D)
// evaluation of the same Lanczos3 filter: every pixel within 2 levels.
// This checks the weight tables, the edge handling, the row ring and the
// crop offsets, where a mistake shows as a shifted or torn picture.
func TestLanczosEdgeCases(t *testing.T) {
	noise := testkit.Picture(400, 300, 3)
	cases := []struct {
		name string
		src  image.Image
		w, h int
	}{
		{"1×N column down", noise.SubImage(image.Rect(10, 0, 11, 300)), 1, 37},
		{"N×1 row down", noise.SubImage(image.Rect(0, 20, 400, 21)), 61, 1},
		{"1×N to N×1", noise.SubImage(image.Rect(5, 0, 6, 300)), 7, 1},
		{"to a single pixel", noise, 1, 1},
		{"exactly half", noise, 200, 150},
		{"non-integer 2.083", noise, 192, 144},
		{"non-integer 1.37", noise, 292, 219},
		{"large factor 14.8", noise, 27, 20},
		{"only horizontally", noise, 150, 300},
		{"only vertically", noise, 400, 77},
		{"tile_50 from centre square", centreSquare(noise), 50, 50},
		{"tile from an offset crop", noise.SubImage(image.Rect(123, 45, 333, 255)), 50, 50},
		{"upscale", noise.SubImage(image.Rect(0, 0, 40, 30)), 97, 71},
		{"grey", toGray(noise), 130, 97},
		{"grey offset crop", toGray(noise).SubImage(image.Rect(31, 7, 231, 207)), 64, 64},
		{"YCbCr 4:2:0 offset crop", toYCbCr(noise).SubImage(image.Rect(33, 11, 333, 211)), 91, 61},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := lanczosResize(c.src, c.w, c.h)
			if got.Bounds() != image.Rect(0, 0, c.w, c.h) {
				t.Fatalf("bounds %v, want %dx%d", got.Bounds(), c.w, c.h)
			}
			worst := 0.0
			for y := 0; y < c.h; y++ {
				for x := 0; x < c.w; x++ {
					want := directLanczos(c.src, c.w, c.h, x, y)
					r, g, b, _ := got.At(x, y).RGBA()
					for i, v := range []uint32{r, g, b} {
						worst = max(worst, math.Abs(float64(v>>8)-want[i]))
					}
				}
			}
			if worst > 2 {
				t.Errorf("a pixel is %.1f levels off the exact filter, want ≤ 2", worst)
			}
		})
	}
}

// A flat picture must stay exactly flat at any scale: the weights of each
// output pixel sum to one, edges included.
func TestLanczosKeepsFlatAreasFlat(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 333, 222))
	for i := 0; i < len(src.Pix); i += 4 {
		src.Pix[i], src.Pix[i+1], src.Pix[i+2], src.Pix[i+3] = 200, 17, 99, 255
	}
	for _, sz := range [][2]int{{1, 1}, {50, 50}, {166, 111}, {100, 13}, {700, 500}} {
		out := lanczosResize(src, sz[0], sz[1]).(*image.RGBA)
		for i := 0; i < len(out.Pix); i += 4 {
			if p := out.Pix[i : i+4]; p[0] != 200 || p[1] != 17 || p[2] != 99 || p[3] != 255 {
				t.Fatalf("%dx%d: pixel %d is %v, want 200,17,99,255", sz[0], sz[1], i/4, p)
			}
		}
	}
}

// directLanczos evaluates output pixel (x, y) of src scaled to w×h as a
// normalised 2-D Lanczos3 sum in floating point, with edge pixels repeated
// outside the picture.
func directLanczos(src image.Image, w, h, x, y int) [3]float64 {
	b := src.Bounds()
	sx, sy := float64(b.Dx())/float64(w), float64(b.Dy())/float64(h)
	fx, fy := max(sx, 1), max(sy, 1)
	cx, cy := (float64(x)+0.5)*sx, (float64(y)+0.5)*sy
	var sum [3]float64
	var wsum float64
	for j := int(math.Floor(cy - 3*fy)); j <= int(math.Ceil(cy+3*fy)); j++ {
		wy := lanczos3((float64(j) + 0.5 - cy) / fy)
		if wy == 0 {
			continue
		}
		for i := int(math.Floor(cx - 3*fx)); i <= int(math.Ceil(cx+3*fx)); i++ {
			wx := lanczos3((float64(i) + 0.5 - cx) / fx)
			if wx == 0 {
				continue
			}
			px := b.Min.X + min(max(i, 0), b.Dx()-1)
			py := b.Min.Y + min(max(j, 0), b.Dy()-1)
			r, g, bl, _ := src.At(px, py).RGBA()
			for k, v := range []uint32{r, g, bl} {
				sum[k] += wx * wy * float64(v>>8)
			}
			wsum += wx * wy
		}
	}
	for k := range sum {
		sum[k] = math.Round(min(max(sum[k]/wsum, 0), 255))
	}
	return sum
}

func toGray(src image.Image) *image.Gray {
	b := src.Bounds()
	g := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g.Set(x, y, src.At(x, y))
		}
	}
	return g
}

// toYCbCr converts src to 4:2:0 YCbCr, the layout image/jpeg decodes
// most photos to. The test compares against the YCbCr picture itself, so
// the conversion's own loss does not matter.
func toYCbCr(src image.Image) *image.YCbCr {
	b := src.Bounds()
	out := image.NewYCbCr(b, image.YCbCrSubsampleRatio420)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := src.At(x, y).RGBA()
			yy, cb, cr := color.RGBToYCbCr(uint8(r>>8), uint8(g>>8), uint8(bl>>8))
			out.Y[out.YOffset(x, y)] = yy
			ci := out.COffset(x, y)
			out.Cb[ci], out.Cr[ci] = cb, cr
		}
	}
	return out
}

func BenchmarkResize(b *testing.B) {
	src := testkit.Picture(1500, 1000, 9)
	for _, r := range []struct {
		name string
		fn   func(image.Image, int, int) image.Image
	}{{"lanczos", lanczosResize}, {"nfnt", nfntResize}} {
		b.Run(r.name, func(b *testing.B) {
			for b.Loop() {
				r.fn(src, 720, 480)
			}
		})
	}
}

// Each packed lane's final sum must stay inside [0, 2^laneBits): the bias
// must cover the most negative weighted sum of 8-bit values, and the bias
// plus the most positive one must stay below the next lane. A violation
// would show as colour bleeding between channels at some scale factor.
func TestLaneBounds(t *testing.T) {
	var worstPos, worstNeg int64
	for in := 1; in <= 700; in += 3 {
		for _, out := range []int{1, 2, 3, 7, 50, 224, 333, 720, 1000, 1920} {
			a := newAxis(in, out)
			for i := range a.start {
				var pos, neg int64
				for _, w := range a.taps(i) {
					if w > 0 {
						pos += int64(w)
					} else {
						neg -= int64(w)
					}
				}
				worstPos, worstNeg = max(worstPos, pos), max(worstNeg, neg)
			}
		}
	}
	t.Logf("largest weight sums: positive %.3f, negative %.3f", float64(worstPos)/(1<<weightBits), float64(worstNeg)/(1<<weightBits))
	if 255*worstNeg >= laneBias {
		t.Errorf("negative lobes reach %d below the bias %d", 255*worstNeg, laneBias)
	}
	if laneBias+255*worstPos >= 1<<laneBits {
		t.Errorf("positive lobes reach %d, the lane holds %d", laneBias+255*worstPos, 1<<laneBits)
	}
}
