package dupes

import (
	"image"
	"image/color"
	"math"
	"math/bits"
	"sort"
)

// Hashes are a picture's perceptual hashes: 64 bits each that change
// little when the picture is resized, recompressed, slightly cropped or
// made brighter, and much when what it shows changes.
//
// P is a pHash: the signs, against their median, of the 8×8 lowest
// frequencies of the 2-D DCT of a 32×32 grey copy. D is a dHash: whether
// each of 8×8 cells of a 9×8 grey copy is darker than its right
// neighbour. Two pictures are near-identical when both distances are
// small (Near); P alone is robust to brightness and compression, D adds a
// check of the layout at a coarser scale that P's median threshold can
// miss on flat pictures.
type Hashes struct {
	P, D uint64
}

// Distance is the number of bits in which a and b differ.
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// Sum is a+b's distance over both hashes, 0–128.
func (h Hashes) Sum(o Hashes) int { return Distance(h.P, o.P) + Distance(h.D, o.D) }

// HashImage computes the hashes of a decoded picture (any size; the
// thumbnail renditions are 256 px).
func HashImage(img image.Image) Hashes {
	g32 := greyCells(img, 32, 32)
	g98 := greyCells(img, 9, 8)
	return Hashes{P: phash(g32), D: dhash(g98)}
}

// greyCells averages the luma of img over a w×h grid of equal areas (a
// box filter, so every source pixel counts once whatever the scale).
func greyCells(img image.Image, w, h int) []float64 {
	b := img.Bounds()
	W, H := b.Dx(), b.Dy()
	out := make([]float64, w*h)
	if W == 0 || H == 0 {
		return out
	}
	luma := lumaOf(img)
	// The edges of each cell in source pixels; a cell spans at least one
	// pixel, even where the source is smaller than the grid.
	edges := func(n, N int) []int {
		e := make([]int, n+1)
		for i := 0; i <= n; i++ {
			e[i] = i * N / n
		}
		return e
	}
	xe, ye := edges(w, W), edges(h, H)
	for j := 0; j < h; j++ {
		for i := 0; i < w; i++ {
			x0, y0 := min(xe[i], W-1), min(ye[j], H-1)
			x1, y1 := max(xe[i+1], x0+1), max(ye[j+1], y0+1)
			sum, n := 0.0, 0
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					sum += float64(luma(x, y))
					n++
				}
			}
			if n > 0 {
				out[j*w+i] = sum / float64(n)
			}
		}
	}
	return out
}

// lumaOf returns a fast reader of img's luma at x, y (from its origin):
// the Y plane of a JPEG directly, otherwise through the grey model.
func lumaOf(img image.Image) func(x, y int) uint8 {
	b := img.Bounds()
	switch p := img.(type) {
	case *image.YCbCr:
		return func(x, y int) uint8 { return p.Y[p.YOffset(b.Min.X+x, b.Min.Y+y)] }
	case *image.Gray:
		return func(x, y int) uint8 { return p.Pix[p.PixOffset(b.Min.X+x, b.Min.Y+y)] }
	}
	return func(x, y int) uint8 {
		return color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
	}
}

// dct32 is the 32-point DCT-II basis, cos((2x+1)uπ/64) for u < 8 (only the
// lowest frequencies are kept).
var dct32 = func() [8][32]float64 {
	var t [8][32]float64
	for u := 0; u < 8; u++ {
		for x := 0; x < 32; x++ {
			t[u][x] = math.Cos(float64(2*x+1) * float64(u) * math.Pi / 64)
		}
	}
	return t
}()

func phash(g []float64) uint64 {
	// Rows first (32 rows × 8 frequencies), then columns.
	var rows [32][8]float64
	for y := 0; y < 32; y++ {
		for u := 0; u < 8; u++ {
			s := 0.0
			for x := 0; x < 32; x++ {
				s += g[y*32+x] * dct32[u][x]
			}
			rows[y][u] = s
		}
	}
	var c [64]float64
	for v := 0; v < 8; v++ {
		for u := 0; u < 8; u++ {
			s := 0.0
			for y := 0; y < 32; y++ {
				s += rows[y][u] * dct32[v][y]
			}
			c[v*8+u] = s
		}
	}
	// The DC term (the mean brightness) says nothing of the layout: the
	// median is over the other 63 and its bit stays 0, so that a brighter
	// copy does not differ by it.
	ac := make([]float64, 63)
	copy(ac, c[1:])
	sort.Float64s(ac)
	med := ac[31]
	var h uint64
	for i := 1; i < 64; i++ {
		if c[i] > med {
			h |= 1 << i
		}
	}
	return h
}

func dhash(g []float64) uint64 {
	var h uint64
	bit := 0
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			if g[y*9+x] < g[y*9+x+1] {
				h |= 1 << bit
			}
			bit++
		}
	}
	return h
}
