package thumbs

import (
	"encoding/binary"
	"image"
	"image/color"
	"math"
)

// Our own Lanczos3 resampler. nfnt/resize spends most of its time in
// generic per-tap code and runs a goroutine per CPU, which costs CPU time
// on a busy server; this one is written for the two layouts the decoders
// give (RGBX and grey), with integer weights, in one goroutine.
//
// It is separable: each needed source row is filtered horizontally into a
// small ring of rows, and each output row is a weighted sum of ring rows.
// Only as many intermediate rows as the vertical filter has taps are kept,
// so the memory beyond the source and the output is a few rows. It does
// not split the picture into bands for several goroutines: bands would
// filter their overlapping rows twice, and what is scarce on a Pi serving
// many thumbnails at once is CPU time, not latency of one render.

// Weights are fixed-point with weightBits fractional bits, 12 like
// libvips' integer reduce: the rounding error stays far below one 8-bit
// level, and it leaves room for the lane packing below.
const weightBits = 12

// Colour pixels are filtered with their three channels packed into one
// uint64, laneBits apart, so that one multiply-add does all three. The
// arithmetic is modulo 2^64, so the packed sum equals the lanes' sums
// placed side by side exactly, as long as each lane's final value fits in
// its bits: each lane starts at laneBias, which covers the most negative
// sum of 8-bit values (the negative lobes add up to at most 0.28 of the
// weight total), and the bias plus the most positive sum (1.28) stays below
// 2^laneBits. TestLaneBounds checks both for many scale factors.
const (
	laneBits = 21
	laneMask = 1<<laneBits - 1
	laneBias = 5 << 16 // 327680 > 255 × 0.28 × 2^weightBits
	biasAll  = laneBias | laneBias<<laneBits | laneBias<<(2*laneBits)
)

// spread packs the R, G and B bytes of a little-endian RGBX word into lanes.
func spread(v uint32) uint64 {
	return uint64(v&0xff) | uint64(v>>8&0xff)<<laneBits | uint64(v>>16&0xff)<<(2*laneBits)
}

// lane8 rounds one lane of a biased weighted sum back to an 8-bit value.
func lane8(l uint64) byte {
	return clamp8(int32(l&laneMask) - laneBias)
}

// axis is the filter along one dimension: output pixel i is the sum of
// source pixels start[i] … start[i]+len(taps(i))-1 times those weights,
// scaled by 2^weightBits.
type axis struct {
	start []int
	count []int
	w     []int32
	n     int // weights per output pixel in w (the widest filter)
}

func (a *axis) taps(i int) []int32 { return a.w[i*a.n : i*a.n+a.count[i]] }

// lanczos3 is the Lanczos kernel with three lobes, as libvips' default
// reduce uses.
func lanczos3(x float64) float64 {
	if x == 0 {
		return 1
	}
	if x <= -3 || x >= 3 {
		return 0
	}
	px := math.Pi * x
	return 3 * math.Sin(px) * math.Sin(px/3) / (px * px)
}

// newAxis computes the weights that take in pixels to out pixels. Pixel
// centres sit at half-integers in both, so the two images cover the same
// extent. When shrinking, the kernel is stretched by the scale so that it
// low-passes below the new sampling rate. Taps beyond an edge fold onto the
// edge pixel (edge replication), and each pixel's weights sum to exactly
// 2^weightBits, so flat areas stay flat.
func newAxis(in, out int) *axis {
	scale := float64(in) / float64(out)
	stretch := max(scale, 1)
	support := 3 * stretch
	n := 2*int(math.Ceil(support)) + 2
	a := &axis{start: make([]int, out), count: make([]int, out), w: make([]int32, out*n), n: n}
	f := make([]float64, n)
	for i := 0; i < out; i++ {
		centre := (float64(i) + 0.5) * scale
		lo := int(math.Floor(centre - support))
		hi := int(math.Ceil(centre + support))
		// lo ≤ centre ≤ hi and 0 ≤ centre < in, so first ≤ last.
		first, last := max(lo, 0), min(hi, in-1)
		clear(f)
		var sum float64
		for j := lo; j <= hi; j++ {
			v := lanczos3((float64(j) + 0.5 - centre) / stretch)
			if v == 0 {
				continue
			}
			k := min(max(j, first), last) - first
			f[k] += v
			sum += v
		}
		cnt := last - first + 1
		// Quantise, then give the rounding error to the largest weight.
		w := a.w[i*n : i*n+cnt]
		var total int32
		big := 0
		for k := range w {
			w[k] = int32(math.Round(f[k] / sum * (1 << weightBits)))
			total += w[k]
			if w[k] > w[big] {
				big = k
			}
		}
		w[big] += 1<<weightBits - total
		// Zero weights at either end cost a multiply each: drop them.
		s, e := 0, cnt
		for s < e-1 && w[s] == 0 {
			s++
		}
		for e > s+1 && w[e-1] == 0 {
			e--
		}
		copy(w, w[s:e])
		a.start[i], a.count[i] = first+s, e-s
	}
	return a
}

// maxCount is the most taps any output pixel uses.
func (a *axis) maxCount() int {
	m := 1
	for _, c := range a.count {
		m = max(m, c)
	}
	return m
}

// clamp8 rounds a weighted sum back to an 8-bit value.
func clamp8(v int32) byte {
	v = (v + 1<<(weightBits-1)) >> weightBits
	if uint32(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return byte(v)
}

// lanczosResize scales img to w×h with Lanczos3. Grey stays grey; any
// other picture becomes opaque RGBA (the output is always a JPEG, which
// has no alpha: transparent sources are flattened onto white before).
func lanczosResize(img image.Image, w, h int) image.Image {
	b := img.Bounds()
	if b.Empty() || w <= 0 || h <= 0 {
		return image.NewRGBA(image.Rect(0, 0, max(w, 0), max(h, 0)))
	}
	sw, sh := b.Dx(), b.Dy()
	// row returns source row y (0-based) with 4 bytes per pixel (RGBX),
	// or 1 for grey; buf is scratch space for layouts that need converting.
	var row func(y int, buf []byte) []byte
	gray := false
	switch p := img.(type) {
	case *image.Gray:
		gray = true
		row = func(y int, _ []byte) []byte {
			off := p.PixOffset(b.Min.X, b.Min.Y+y)
			return p.Pix[off : off+sw]
		}
	case *image.RGBA:
		row = func(y int, _ []byte) []byte {
			off := p.PixOffset(b.Min.X, b.Min.Y+y)
			return p.Pix[off : off+4*sw]
		}
	case *image.YCbCr:
		// Converted a row at a time: a full RGBA copy of a 24 MP decode
		// would add 96 MB.
		row = func(y int, buf []byte) []byte {
			ycbcrRow(p, b.Min.X, b.Min.Y+y, buf[:4*sw])
			return buf[:4*sw]
		}
	default:
		return lanczosResize(flatten(img), w, h)
	}
	hx, vy := newAxis(sw, w), newAxis(sh, h)
	if gray {
		return resizeGray(row, hx, vy, w, h)
	}
	var scratch []byte
	if _, ok := img.(*image.YCbCr); ok {
		scratch = make([]byte, 4*sw)
	}
	packed := make([]uint64, sw) // one source row, channels in lanes
	// ring holds horizontally filtered rows, channels in lanes; source row
	// y lives in slot y % len(ring). Output rows only move forward, so each
	// source row is filtered once.
	ring := make([][]uint64, vy.maxCount())
	for i := range ring {
		ring[i] = make([]uint64, w)
	}
	next := 0 // the next source row to filter
	acc := make([]uint64, w)
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		start, ws := vy.start[y], vy.taps(y)
		for ; next < start+len(ws); next++ {
			if next < start {
				continue // rows no output pixel needs
			}
			src := row(next, scratch)
			for x := range packed {
				packed[x] = spread(binary.LittleEndian.Uint32(src[4*x:]))
			}
			filterPacked(ring[next%len(ring)], packed, hx)
		}
		// Two rows per pass over the accumulator, for fewer loads and
		// stores of it.
		for j := range acc {
			acc[j] = biasAll
		}
		for k := 0; k < len(ws); k += 2 {
			r0 := ring[(start+k)%len(ring)]
			a := acc[:len(r0)]
			w0 := uint64(int64(ws[k]))
			if k+1 == len(ws) {
				for j, v := range r0 {
					a[j] += w0 * v
				}
				break
			}
			r1 := ring[(start+k+1)%len(ring)][:len(r0)]
			w1 := uint64(int64(ws[k+1]))
			for j, v := range r0 {
				a[j] += w0*v + w1*r1[j]
			}
		}
		d := out.Pix[y*out.Stride : y*out.Stride+4*w]
		for x, v := range acc {
			p := d[4*x : 4*x+4 : 4*x+4]
			p[0], p[1], p[2], p[3] = lane8(v), lane8(v>>laneBits), lane8(v>>(2*laneBits)), 255
		}
	}
	return out
}

// filterPacked filters one source row of packed pixels horizontally into
// dst, rounded back to 8 bits per channel and packed again. Multiplying by
// a negative weight wraps around in uint64, which is exact: only the final
// sum, whose lanes are in range, is read.
func filterPacked(dst, src []uint64, a *axis) {
	for i := range dst {
		ws := a.taps(i)
		p := src[a.start[i] : a.start[i]+len(ws)]
		s := uint64(biasAll)
		// Four taps per step: the products are independent, which
		// shortens the chain of dependent additions.
		for len(ws) >= 4 && len(p) >= 4 {
			w4, p4 := ws[:4:4], p[:4:4]
			s += p4[0]*uint64(int64(w4[0])) + p4[1]*uint64(int64(w4[1])) +
				p4[2]*uint64(int64(w4[2])) + p4[3]*uint64(int64(w4[3]))
			ws, p = ws[4:], p[4:]
		}
		for k, wk := range ws {
			s += p[k] * uint64(int64(wk))
		}
		dst[i] = uint64(lane8(s)) | uint64(lane8(s>>laneBits))<<laneBits | uint64(lane8(s>>(2*laneBits)))<<(2*laneBits)
	}
}

// resizeGray is the one-channel version of lanczosResize.
func resizeGray(row func(int, []byte) []byte, hx, vy *axis, w, h int) *image.Gray {
	ring := make([][]byte, vy.maxCount())
	for i := range ring {
		ring[i] = make([]byte, w)
	}
	next := 0
	acc := make([]int32, w)
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		start, ws := vy.start[y], vy.taps(y)
		for ; next < start+len(ws); next++ {
			if next >= start {
				filterGray(ring[next%len(ring)], row(next, nil), hx)
			}
		}
		clear(acc)
		for k, wk := range ws {
			r := ring[(start+k)%len(ring)]
			a := acc[:len(r)]
			for j, v := range r {
				a[j] += wk * int32(v)
			}
		}
		d := out.Pix[y*out.Stride : y*out.Stride+w]
		for j, v := range acc {
			d[j] = clamp8(v)
		}
	}
	return out
}

// filterGray filters one grey source row horizontally into dst.
func filterGray(dst, src []byte, a *axis) {
	for i := range a.start {
		ws := a.taps(i)
		p := src[a.start[i] : a.start[i]+len(ws)]
		var v int32
		for k, wk := range ws {
			v += wk * int32(p[k])
		}
		dst[i] = clamp8(v)
	}
}

// ycbcrRow converts row y of p, from column x0 on, to RGBX in dst.
func ycbcrRow(p *image.YCbCr, x0, y int, dst []byte) {
	for x := 0; x < len(dst)/4; x++ {
		yi, ci := p.YOffset(x0+x, y), p.COffset(x0+x, y)
		r, g, b := color.YCbCrToRGB(p.Y[yi], p.Cb[ci], p.Cr[ci])
		q := dst[4*x : 4*x+4 : 4*x+4]
		q[0], q[1], q[2], q[3] = r, g, b, 255
	}
}
