package thumbs

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"testing"
)

func decodeBytes(tb testing.TB, b []byte) image.Image {
	tb.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("output is not a decodable JPEG: %v", err)
	}
	return img
}

func mustSize(tb testing.TB, name string) Size {
	tb.Helper()
	s, ok := ParseSize(name)
	if !ok {
		tb.Fatalf("no size %s", name)
	}
	return s
}

// luma returns the Rec. 601 luma plane of img.
func luma(img image.Image) ([]float64, int, int) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]float64, w*h)
	if yc, ok := img.(*image.YCbCr); ok {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out[y*w+x] = float64(yc.Y[yc.YOffset(b.Min.X+x, b.Min.Y+y)])
			}
		}
		return out, w, h
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			out[y*w+x] = (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / 257
		}
	}
	return out, w, h
}

// ssim is the mean structural similarity of the two images' luma as Wang
// et al. define it: an 11-tap Gaussian window (σ = 1.5) and the usual
// constants for 8-bit data, over the region where the window fits.
func ssim(a, b image.Image) float64 {
	la, w, h := luma(a)
	lb, w2, h2 := luma(b)
	if w != w2 || h != h2 || w < 11 || h < 11 {
		return 0
	}
	var g [11]float64
	var gs float64
	for i := range g {
		d := float64(i - 5)
		g[i] = math.Exp(-d * d / (2 * 1.5 * 1.5))
		gs += g[i]
	}
	for i := range g {
		g[i] /= gs
	}
	// blur applies the separable window, keeping only full windows.
	blur := func(src []float64) []float64 {
		ow, oh := w-10, h-10
		tmp := make([]float64, ow*h)
		for y := 0; y < h; y++ {
			for x := 0; x < ow; x++ {
				var s float64
				for k := 0; k < 11; k++ {
					s += g[k] * src[y*w+x+k]
				}
				tmp[y*ow+x] = s
			}
		}
		out := make([]float64, ow*oh)
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				var s float64
				for k := 0; k < 11; k++ {
					s += g[k] * tmp[(y+k)*ow+x]
				}
				out[y*ow+x] = s
			}
		}
		return out
	}
	prod := func(p, q []float64) []float64 {
		out := make([]float64, len(p))
		for i := range p {
			out[i] = p[i] * q[i]
		}
		return out
	}
	ma, mb := blur(la), blur(lb)
	saa, sbb, sab := blur(prod(la, la)), blur(prod(lb, lb)), blur(prod(la, lb))
	const c1, c2 = (0.01 * 255) * (0.01 * 255), (0.03 * 255) * (0.03 * 255)
	var sum float64
	for i := range ma {
		va, vb, cov := saa[i]-ma[i]*ma[i], sbb[i]-mb[i]*mb[i], sab[i]-ma[i]*mb[i]
		sum += ((2*ma[i]*mb[i] + c1) * (2*cov + c2)) / ((ma[i]*ma[i] + mb[i]*mb[i] + c1) * (va + vb + c2))
	}
	return sum / float64(len(ma))
}

// meanDiff is the mean absolute luma difference of two same-sized images,
// or +Inf when their sizes differ.
func meanDiff(a, b image.Image) float64 {
	la, w, h := luma(a)
	lb, w2, h2 := luma(b)
	if w != w2 || h != h2 {
		return math.Inf(1)
	}
	var s float64
	for i := range la {
		s += math.Abs(la[i] - lb[i])
	}
	return s / float64(len(la))
}
