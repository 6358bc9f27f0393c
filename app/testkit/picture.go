package testkit

import (
	"image"
	"math"
	"runtime"
	"sync"
)

// Picture paints a deterministic photo-like w×h picture from seed: smooth
// gradients, soft shapes and sensor-like noise, so that it compresses and
// resizes like a real photograph (flat synthetic images would make speed
// and quality measurements meaningless). Different seeds give different
// pictures. Rows are painted in parallel.
func Picture(w, h int, seed uint64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	type blob struct{ x, y, r, cr, cg, cb float64 }
	rng := seed*0x9E3779B97F4A7C15 + 1
	next := func() float64 {
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return float64(rng%1_000_000) / 1_000_000
	}
	blobs := make([]blob, 24)
	for i := range blobs {
		blobs[i] = blob{next() * float64(w), next() * float64(h), (0.03 + 0.15*next()) * float64(min(w, h)),
			next()*200 - 100, next()*200 - 100, next()*200 - 100}
	}
	fx, fy, ph := 2+next()*4, 1+next()*3, next()*6
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			for y := k; y < h; y += workers {
				v := float64(y) / float64(h)
				row := img.Pix[y*img.Stride:]
				for x := 0; x < w; x++ {
					u := float64(x) / float64(w)
					// Sky-to-ground gradient with slow waves.
					r := 90 + 110*v + 30*math.Sin(fx*u+ph)
					g := 120 + 60*math.Sin(fy*v*3+u) + 20*math.Cos(5*u)
					b := 200 - 120*v + 25*math.Sin(fx*v+ph)
					for _, bl := range blobs {
						dx, dy := float64(x)-bl.x, float64(y)-bl.y
						d2 := (dx*dx + dy*dy) / (bl.r * bl.r)
						if d2 < 1 {
							f := 1 - d2
							r += bl.cr * f
							g += bl.cg * f
							b += bl.cb * f
						}
					}
					// Texture at several scales with a photo's falling
					// spectrum (foliage, fabric), plus sensor grain.
					t := 22*valueNoise(x, y, 64, seed) + 12*valueNoise(x, y, 16, seed+1) + 6*valueNoise(x, y, 4, seed+2)
					n := float64(mix(uint64(x)<<32|uint64(y), seed)%7) - 3 // base-ISO grain
					row[x*4+0] = clamp(r + n + t)
					row[x*4+1] = clamp(g + n*0.8 + t)
					row[x*4+2] = clamp(b + n*0.9 - t*0.5)
					row[x*4+3] = 255
				}
			}
		}(k)
	}
	wg.Wait()
	return img
}

func clamp(v float64) uint8 {
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return uint8(v)
}

// mix is the splitmix64 finalizer: a well-spread hash of v and seed.
func mix(v, seed uint64) uint64 {
	z := v + seed*0x9E3779B97F4A7C15 + 0x9E3779B97F4A7C15
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// valueNoise is smooth noise in [-1, 1] with features about cell pixels
// across: random values on a lattice, blended with a smoothstep.
func valueNoise(x, y, cell int, seed uint64) float64 {
	gx, gy := x/cell, y/cell
	fx := float64(x%cell) / float64(cell)
	fy := float64(y%cell) / float64(cell)
	fx, fy = fx*fx*(3-2*fx), fy*fy*(3-2*fy)
	at := func(i, j int) float64 {
		return float64(mix(uint64(i)<<32|uint64(uint32(j)), seed)%2001)/1000 - 1
	}
	top := at(gx, gy)*(1-fx) + at(gx+1, gy)*fx
	bot := at(gx, gy+1)*(1-fx) + at(gx+1, gy+1)*fx
	return top*(1-fy) + bot*fy
}

// Noise is a w×h picture of uniform random pixels from seed: it does not
// compress, so a JPEG of it is as large as its pixel count makes it (about
// 0.75 byte per pixel at quality 85), for tests that need a file of a
// given size.
func Noise(w, h int, seed uint64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		v := mix(uint64(i), seed)
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = byte(v), byte(v>>8), byte(v>>16), 255
	}
	return img
}
