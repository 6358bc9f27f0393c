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
// so the memory beyond the source and the output is a few rows.

// weightBits is the fixed-point precision of the filter weights: 14 bits
// keep the rounding error far below one 8-bit level while a sum of 8-bit
// pixels times weights, negative lobes included, stays inside an int32.
const weightBits = 14

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
	ch := 3 // intermediate channels: R, G, B
	if gray {
		ch = 1
	}
	var scratch []byte
	if _, ok := img.(*image.YCbCr); ok {
		scratch = make([]byte, 4*sw)
	}
	// ring holds horizontally filtered rows; source row y lives in slot
	// y % len(ring). Output rows only move forward, so each source row is
	// filtered once.
	ring := make([][]byte, vy.maxCount())
	for i := range ring {
		ring[i] = make([]byte, ch*w)
	}
	next := 0 // the next source row to filter
	acc := make([]int32, ch*w)
	var dst []byte
	var stride int
	var out image.Image
	if gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		dst, stride, out = g.Pix, g.Stride, g
	} else {
		c := image.NewRGBA(image.Rect(0, 0, w, h))
		dst, stride, out = c.Pix, c.Stride, c
	}
	for y := 0; y < h; y++ {
		start, ws := vy.start[y], vy.taps(y)
		for ; next < start+len(ws); next++ {
			if next < start {
				continue // rows no output pixel needs
			}
			src := row(next, scratch)
			if gray {
				filterGray(ring[next%len(ring)], src, hx)
			} else {
				filterRGBX(ring[next%len(ring)], src, hx)
			}
		}
		// Two rows per pass over the accumulator, for fewer loads and
		// stores of it; the first pass sets it instead of clearing it.
		for k := 0; k < len(ws); k += 2 {
			r0 := ring[(start+k)%len(ring)]
			a := acc[:len(r0)]
			w0 := ws[k]
			switch {
			case k+1 == len(ws) && k == 0:
				for j, v := range r0 {
					a[j] = w0 * int32(v)
				}
			case k+1 == len(ws):
				for j, v := range r0 {
					a[j] += w0 * int32(v)
				}
			default:
				r1 := ring[(start+k+1)%len(ring)][:len(r0)]
				w1 := ws[k+1]
				if k == 0 {
					for j, v := range r0 {
						a[j] = w0*int32(v) + w1*int32(r1[j])
					}
				} else {
					for j, v := range r0 {
						a[j] += w0*int32(v) + w1*int32(r1[j])
					}
				}
			}
		}
		d := dst[y*stride:]
		if gray {
			d = d[:w]
			for j, v := range acc {
				d[j] = clamp8(v)
			}
			continue
		}
		d = d[:4*w]
		for x := 0; x < w; x++ {
			a := acc[3*x : 3*x+3 : 3*x+3]
			p := d[4*x : 4*x+4 : 4*x+4]
			p[0], p[1], p[2], p[3] = clamp8(a[0]), clamp8(a[1]), clamp8(a[2]), 255
		}
	}
	return out
}

// filterRGBX filters one source row of 4-byte pixels horizontally into dst,
// 3 bytes per pixel; the fourth source byte (alpha or padding) is ignored.
//
// This is the hottest loop of a thumbnail render, so red and blue share one
// int64: red in the low 32 bits, blue in the high 32. A weighted sum stays
// well inside ±2^31 in each half, so two multiplies do three channels'
// work and the halves separate exactly afterwards.
func filterRGBX(dst, src []byte, a *axis) {
	for i := range a.start {
		ws := a.taps(i)
		p := src[4*a.start[i] : 4*(a.start[i]+len(ws))]
		var rb, g int64
		// Two taps per step: the two products are independent, which
		// halves the chain of dependent additions.
		for len(ws) >= 2 && len(p) >= 8 {
			v0, v1 := binary.LittleEndian.Uint32(p), binary.LittleEndian.Uint32(p[4:])
			w0, w1 := int64(ws[0]), int64(ws[1])
			rb += int64(uint64(v0&0xff)|uint64(v0&0xff0000)<<16)*w0 + int64(uint64(v1&0xff)|uint64(v1&0xff0000)<<16)*w1
			g += int64(v0>>8&0xff)*w0 + int64(v1>>8&0xff)*w1
			ws, p = ws[2:], p[8:]
		}
		if len(ws) == 1 {
			v := binary.LittleEndian.Uint32(p)
			w := int64(ws[0])
			rb += int64(uint64(v&0xff)|uint64(v&0xff0000)<<16) * w
			g += int64(v>>8&0xff) * w
		}
		r := int32(rb) // the low half, sign included
		b := int32((rb - int64(r)) >> 32)
		o := dst[3*i : 3*i+3 : 3*i+3]
		o[0], o[1], o[2] = clamp8(r), clamp8(int32(g)), clamp8(b)
	}
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
