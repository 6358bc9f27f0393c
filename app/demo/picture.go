package demo

import (
	"image"
	"math"
	"math/rand/v2"
)

// The pictures are landscapes built from a few layers — sky, far mountains,
// hills, a skyline, water — with a sun, some trees, a coarse texture and
// per-pixel grain. The grain matters: without it a JPEG of a gradient is a
// tenth of a real photo's size, and size is what benchmarks measure.

// ycc is a colour in JPEG's YCbCr space. Floats keep blends linear, and
// blending in YCbCr is the same as in RGB because the transform is linear.
type ycc struct{ y, cb, cr float32 }

func fromRGB(r, g, b float64) ycc {
	r, g, b = r*255, g*255, b*255
	return ycc{
		y:  float32(0.299*r + 0.587*g + 0.114*b),
		cb: float32(128 - 0.168736*r - 0.331264*g + 0.5*b),
		cr: float32(128 + 0.5*r - 0.418688*g - 0.081312*b),
	}
}

// hsv builds a colour from hue in degrees and saturation and value in 0–1.
func hsv(h, s, v float64) ycc {
	h = math.Mod(h, 360)
	if h < 0 {
		h += 360
	}
	s, v = clamp01(s), clamp01(v)
	c := v * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := v - c
	var r, g, b float64
	switch {
	case h < 60:
		r, g, b = c, x, 0
	case h < 120:
		r, g, b = x, c, 0
	case h < 180:
		r, g, b = 0, c, x
	case h < 240:
		r, g, b = 0, x, c
	case h < 300:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	return fromRGB(r+m, g+m, b+m)
}

func clamp01(v float64) float64 { return min(max(v, 0), 1) }

func mix(a, b ycc, t float32) ycc {
	return ycc{a.y + (b.y-a.y)*t, a.cb + (b.cb-a.cb)*t, a.cr + (b.cr-a.cr)*t}
}

// scale darkens or brightens a colour, moving chroma toward grey with it.
func (c ycc) scale(f float32) ycc {
	return ycc{c.y * f, 128 + (c.cb-128)*f, 128 + (c.cr-128)*f}
}

// scene is everything needed to render one picture.
type scene struct {
	w, h           int
	horizon        float32
	skyTop, skyLow ycc
	skyGrain       float32
	sun            *sun
	layers         []layer // back to front
	trees          []tree
	skyTexture     float32 // cloudiness: coarse blotch amplitude in the sky
	lit            bool    // evening: some windows are lit
	clouds         float32 // opacity of clouds; 0 for a clear sky
	cloudLevel     float32 // threshold of the coarse field where clouds start
	cloudColor     ycc
	coarse         grid // blotches the size of bushes and fields
	fine           *fineNoise
	seed           uint64
}

// grid is a random field sampled bilinearly: cheap smooth texture.
type grid struct {
	v    []float32
	w    int
	cell float32
}

func newGrid(rng *rand.Rand, w, h int, cell float32) grid {
	g := grid{w: int(float32(w)/cell) + 2, cell: cell}
	// Two spare cells cover the bilinear reach past the last pixel.
	g.v = make([]float32, g.w*(int(float32(h)/cell)+2))
	for i := range g.v {
		g.v[i] = rng.Float32()*2 - 1
	}
	return g
}

// fineNoise is a grid like grid, but with cells of a few pixels: stored
// whole it would take 15 MB for a 24 MP picture, so its rows are made from a
// hash as the renderer reaches them.
type fineNoise struct {
	seed   uint64
	cell   float32
	w      int
	row    int // grid row held in r0; r1 holds row+1
	r0, r1 []float32
}

func newFineNoise(seed uint64, w int, cell float32) *fineNoise {
	n := &fineNoise{seed: seed, cell: cell, w: int(float32(w)/cell) + 2, row: -2}
	n.r0, n.r1 = make([]float32, n.w), make([]float32, n.w)
	return n
}

func (n *fineNoise) rows(y float32) (r0, r1 []float32, fy float32) {
	f := y / n.cell
	i := int(f)
	switch i {
	case n.row:
	case n.row + 1:
		n.r0, n.r1 = n.r1, n.r0
		n.fill(n.r1, i+1)
	default:
		n.fill(n.r0, i)
		n.fill(n.r1, i+1)
	}
	n.row = i
	return n.r0, n.r1, f - float32(i)
}

func (n *fineNoise) fill(r []float32, i int) {
	base := n.seed ^ uint64(i)*0x9E3779B97F4A7C15
	for j := range r {
		// splitmix64's finaliser: a good hash in a few instructions.
		z := base + uint64(j)*0xBF58476D1CE4E5B9
		z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
		z = (z ^ z>>27) * 0x94D049BB133111EB
		z ^= z >> 31
		r[j] = float32(int32(uint32(z))) / (1 << 31)
	}
}

// columns precomputes each pixel column's cell and fraction, with x
// stretched by sx (water ripples are long and thin).
func columns(w int, cell, sx float32) (idx []int, frac []float32) {
	idx, frac = make([]int, w), make([]float32, w)
	for x := range w {
		f := float32(x) * sx / cell
		idx[x] = int(f)
		frac[x] = f - float32(int(f))
	}
	return idx, frac
}

// rows returns the two grid rows around pixel row y and the fraction between.
func (g *grid) rows(y float32) (r0, r1 []float32, fy float32) {
	f := y / g.cell
	i := int(f)
	return g.v[i*g.w:], g.v[(i+1)*g.w:], f - float32(i)
}

// smooth eases a bilinear fraction so the field has no visible cell corners.
func smooth(f float32) float32 { return f * f * (3 - 2*f) }

func sample(r0, r1 []float32, i int, fx, fy float32) float32 {
	a := r0[i] + (r0[i+1]-r0[i])*fx
	b := r1[i] + (r1[i+1]-r1[i])*fx
	return a + (b-a)*fy
}

type sun struct {
	x, y, r float32
	glow    float32 // radius of the halo
	color   ycc
}

type layer struct {
	top       []float32 // ridge height per column (y of the first covered row)
	tone      []float32 // per-column luma shift: a building's own shade
	far, near ycc       // colour at the ridge and at the bottom of the frame
	grain     float32   // per-pixel noise amplitude in luma levels
	texture   float32   // coarse blotch amplitude in luma levels
	detail    float32   // fine texture amplitude in luma levels
	water     bool      // reflects the sky instead of using far/near

	window []int32 // skyline only: window column id per column, or -1
	floor  float32 // skyline only: storey height in pixels
}

type tree struct {
	x, y, r  float32 // canopy centre and radius
	trunkW   float32
	groundY  float32 // trunk runs from the canopy down to here
	canopy   ycc
	trunkCol ycc
}

// render draws sc into a 4:2:0 YCbCr image, the form image/jpeg encodes
// fastest and that needs 1.5 bytes per pixel instead of RGBA's 4.
func render(sc *scene) *image.YCbCr {
	w, h := sc.w, sc.h
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	rowC := make([]ycc, w)
	rowG := make([]float32, w)
	noise := sc.seed | 1

	r := &row{sc: sc}
	r.coarseX, r.coarseFX = columns(w, sc.coarse.cell, 1)
	r.fineX, r.fineFX = columns(w, sc.fine.cell, 1)
	r.waveX, r.waveFX = columns(w, sc.fine.cell, 0.2)
	r.cloudX, r.cloudFX = columns(w, sc.coarse.cell, 0.2)
	for i, f := range r.cloudFX {
		r.cloudFX[i] = smooth(f)
	}

	for y := range h {
		r.at(float32(y))
		for x := range w {
			// The front-most layer that covers the pixel whole hides all
			// behind it; layers in front of it that cover only part of
			// the pixel (their ridge line) are blended over it.
			k := len(sc.layers) - 1
			for ; k >= 0; k-- {
				if r.y >= sc.layers[k].top[x] {
					break
				}
			}
			var c ycc
			g := sc.skyGrain
			if k < 0 {
				c = r.sky(x)
			} else {
				c = r.layer(k, x)
				g = sc.layers[k].grain
			}
			for i := k + 1; i < len(sc.layers); i++ {
				if cover := r.y + 1 - sc.layers[i].top[x]; cover > 0 {
					c = mix(c, r.layer(i, x), cover)
					g = sc.layers[i].grain
				}
			}
			rowC[x] = c
			rowG[x] = g
		}

		for i := range sc.trees {
			sc.trees[i].over(rowC, rowG, r.y)
		}

		// Luma with grain for every pixel; chroma once per 2×2 block, as
		// the camera's own 4:2:0 JPEG would keep it.
		yrow := img.Y[y*img.YStride : y*img.YStride+w]
		for x := range w {
			noise ^= noise << 13
			noise ^= noise >> 7
			noise ^= noise << 17
			n := float32(int32(uint32(noise))) / (1 << 31)
			yrow[x] = clampByte(rowC[x].y + n*rowG[x])
		}
		if y%2 == 0 {
			co := (y / 2) * img.CStride
			for x := 0; x < w; x += 2 {
				c := rowC[x]
				img.Cb[co+x/2] = clampByte(c.cb)
				img.Cr[co+x/2] = clampByte(c.cr)
			}
		}
	}
	return img
}

// row holds what render needs for the pixels of one row.
type row struct {
	sc *scene
	y  float32

	skyC, mirrorC ycc     // sky at this row, and at its mirror image in water
	mirrorY       float32 // row mirrored in the horizon; negative if off-frame
	sunNear       bool    // the sun's halo reaches this row
	mirrorSunNear bool

	coarse0, coarse1 []float32
	coarseFY         float32
	cloudFY          float32 // coarseFY eased, so clouds come out round
	cloudFade        float32 // cloud opacity at this row
	fine0, fine1     []float32
	fineFY           float32

	coarseX, fineX, waveX, cloudX     []int
	coarseFX, fineFX, waveFX, cloudFX []float32
}

func (r *row) at(y float32) {
	sc := r.sc
	r.y = y
	r.skyC = sc.skyAt(y)
	r.mirrorY = 2*sc.horizon - y
	r.mirrorC = r.skyC
	if r.mirrorY >= 0 {
		r.mirrorC = sc.skyAt(r.mirrorY)
	}
	if s := sc.sun; s != nil {
		r.sunNear = s.reaches(y)
		r.mirrorSunNear = r.mirrorY >= 0 && s.reaches(r.mirrorY)
	}
	r.coarse0, r.coarse1, r.coarseFY = sc.coarse.rows(y)
	r.cloudFY = smooth(r.coarseFY)
	// Clouds thin out toward the horizon, as they look from the ground.
	r.cloudFade = sc.clouds * float32(math.Sqrt(float64(max(1-y/sc.horizon, 0))))
	r.fine0, r.fine1, r.fineFY = sc.fine.rows(y)
}

func (r *row) sky(x int) ycc {
	sc := r.sc
	c := r.skyC
	if sc.skyTexture != 0 {
		c.y += sc.skyTexture * sample(r.coarse0, r.coarse1, r.coarseX[x], r.coarseFX[x], r.coarseFY)
	}
	if sc.clouds != 0 {
		// Clouds where the stretched field rises over a threshold, with a
		// soft edge and some texture inside.
		v := sample(r.coarse0, r.coarse1, r.cloudX[x], r.cloudFX[x], r.cloudFY)
		if a := (v - sc.cloudLevel) * 2.5; a > 0 {
			cl := sc.cloudColor
			cl.y += 10 * sample(r.fine0, r.fine1, r.fineX[x], r.fineFX[x], r.fineFY)
			c = mix(c, cl, r.cloudFade*min(a, 1))
		}
	}
	if r.sunNear {
		c = sc.sun.over(c, float32(x), r.y)
	}
	return c
}

// layer is the colour of layer i at column x of this row.
func (r *row) layer(i, x int) ycc {
	sc := r.sc
	l := &sc.layers[i]
	top := l.top[x]
	t := max((r.y-top)/(float32(sc.h)-top), 0)
	var c ycc
	if l.water {
		// The sky mirrored in the horizon, darker and bluer toward the
		// viewer.
		m := r.mirrorC
		if r.mirrorSunNear {
			m = sc.sun.over(m, float32(x), r.mirrorY)
		}
		c = mix(m.scale(0.85), l.near, 0.25+0.55*t)
	} else {
		c = mix(l.far, l.near, t)
	}
	if l.tone != nil {
		c.y += l.tone[x]
	}
	if l.window != nil {
		if dy, on := l.windowAt(x, r.y, sc.lit); on {
			c.y += dy
			if dy > 0 {
				c.cb -= 20 // warm light
				c.cr += 12
			}
		}
	}
	if l.texture != 0 {
		c.y += l.texture * sample(r.coarse0, r.coarse1, r.coarseX[x], r.coarseFX[x], r.coarseFY)
	}
	if l.detail != 0 {
		var d float32
		if l.water {
			d = l.detail * t * sample(r.fine0, r.fine1, r.waveX[x], r.waveFX[x], r.fineFY)
		} else {
			d = l.detail * sample(r.fine0, r.fine1, r.fineX[x], r.fineFX[x], r.fineFY)
		}
		// Leaves and stones differ a little in hue too.
		c.y += d
		c.cb += 0.3 * d
		c.cr -= 0.2 * d
	}
	return c
}

func clampByte(v float32) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v + 0.5)
}

// skyAt is the sky's colour at row y: a gradient that brightens quickly near
// the horizon, as a real sky does.
func (sc *scene) skyAt(y float32) ycc {
	t := y / sc.horizon
	if t > 1 {
		t = 1
	}
	return mix(sc.skyTop, sc.skyLow, t*t*(0.3+0.7*t)+0.3*t*(1-t))
}

// haloReach is how far, in halo radii, the halo visibly changes the sky:
// beyond it the blend moves a pixel by less than a quarter of a level.
const haloReach = 4

// reaches reports whether the halo touches row y.
func (s *sun) reaches(y float32) bool {
	d := y - s.y
	return d*d < haloReach*haloReach*s.glow*s.glow
}

// over blends the sun's disc and halo onto c at pixel (x, y).
func (s *sun) over(c ycc, x, y float32) ycc {
	dx, dy := x-s.x, y-s.y
	d2 := dx*dx + dy*dy
	if d2 > haloReach*haloReach*s.glow*s.glow {
		return c
	}
	halo := 1 / (1 + d2/(s.glow*s.glow))
	c = mix(c, s.color, 0.55*halo*halo)
	if r := s.r; d2 < (r+1.5)*(r+1.5) {
		edge := (r + 1.5 - float32(math.Sqrt(float64(d2)))) / 1.5
		c = mix(c, s.color, min(edge, 1))
	}
	return c
}

// over draws the tree's canopy and trunk on the part of row y it covers.
func (t *tree) over(row []ycc, grain []float32, y float32) {
	w := len(row)
	if y >= t.y && y < t.groundY {
		x0, x1 := max(int(t.x-t.trunkW/2), 0), min(int(t.x+t.trunkW/2)+1, w)
		for x := x0; x < x1; x++ {
			row[x] = t.trunkCol
			grain[x] = 10
		}
	}
	if dy := y - t.y; dy > -t.r-1 && dy < t.r+1 {
		half := float32(math.Sqrt(float64(max(t.r*t.r-dy*dy, 0))))
		x0, x1 := max(int(t.x-half-1), 0), min(int(t.x+half+2), w)
		for x := x0; x < x1; x++ {
			dx := float32(x) - t.x
			d := float32(math.Sqrt(float64(dx*dx + dy*dy)))
			if a := t.r + 1 - d; a > 0 {
				// Lighter on the upper left, where the light comes from.
				shade := 1 + 0.25*(-dx-dy)/t.r
				row[x] = mix(row[x], t.canopy.scale(shade), min(a, 1))
				grain[x] = 18
			}
		}
	}
}

// Skies by time of day: colours at the zenith and at the horizon.
type skyKind int

const (
	skyDay skyKind = iota
	skyGolden
	skyDusk
	skyOvercast
	skyMorning
)

// Ridge shapes of the far layers.
type profile int

const (
	rolling profile = iota
	peaks
	plateau
)

// look is how a place's pictures tend to look.
type look struct {
	landHue  float64 // hue of vegetation or rock, degrees
	landSat  float64
	farShape profile
	city     float64 // share of pictures with a skyline
	coast    float64 // share with water in front
}

// newScene lays out a picture of w×h pixels under sky, in a style set by
// lk; everything else follows from seed.
func newScene(seed uint64, lk look, sky skyKind, w, h int) *scene {
	rng := rand.New(rand.NewPCG(seed, 0x5069_6e68_6f6c_6521))
	fw, fh := float32(w), float32(h)
	sc := &scene{w: w, h: h, seed: rng.Uint64(), skyGrain: 3 + rng.Float32()*2}
	sc.horizon = fh * (0.42 + 0.22*rng.Float32())

	jit := func(v, by float64) float64 { return v + (rng.Float64()*2-1)*by }
	dim := 1.0 // how much the land is lit
	switch sky {
	case skyDay:
		sc.skyTop = hsv(jit(212, 8), jit(0.55, 0.1), jit(0.82, 0.06))
		sc.skyLow = hsv(jit(200, 10), jit(0.18, 0.06), 0.97)
	case skyGolden:
		sc.skyTop = hsv(jit(215, 10), jit(0.45, 0.1), jit(0.72, 0.06))
		sc.skyLow = hsv(jit(32, 8), jit(0.55, 0.1), 1)
		dim = 0.8
	case skyDusk:
		sc.lit = true
		sc.skyTop = hsv(jit(235, 12), jit(0.35, 0.08), jit(0.68, 0.05))
		sc.skyLow = hsv(jit(345, 12), jit(0.3, 0.08), 0.95)
		dim = 0.7
	case skyOvercast:
		sc.skyTop = hsv(jit(210, 10), jit(0.06, 0.03), jit(0.78, 0.05))
		sc.skyLow = hsv(jit(210, 10), jit(0.04, 0.02), 0.9)
		dim = 0.85
	case skyMorning:
		sc.skyTop = hsv(jit(200, 8), jit(0.32, 0.08), jit(0.88, 0.04))
		sc.skyLow = hsv(jit(50, 10), jit(0.15, 0.05), 0.98)
	}
	sc.skyTexture = 3 + 4*rng.Float32()
	if sky != skyOvercast && rng.IntN(3) > 0 {
		sc.clouds = 0.5 + 0.45*rng.Float32()
		sc.cloudLevel = 0.1 + 0.4*rng.Float32()
		sc.cloudColor = mix(sc.skyLow, hsv(0, 0, 1), 0.7)
	}
	if sky != skyOvercast {
		s := &sun{r: min(fw, fh) * (0.025 + 0.03*rng.Float32())}
		s.x = fw * (0.1 + 0.8*rng.Float32())
		switch sky {
		case skyGolden, skyDusk:
			s.y = sc.horizon - fh*(0.04+0.12*rng.Float32())
			s.color = hsv(jit(35, 8), 0.45, 1)
		default:
			s.y = sc.horizon * (0.15 + 0.4*rng.Float32())
			s.color = hsv(50, 0.08, 1)
		}
		s.glow = s.r * (4 + 4*rng.Float32())
		sc.sun = s
	}

	hue := jit(lk.landHue, 12)
	land := func(sat, val float64) ycc {
		return hsv(jit(hue, 6), jit(sat*lk.landSat, 0.08), val*dim)
	}
	// Atmospheric perspective: the farther a layer, the more it takes the
	// colour of the sky at the horizon.
	faded := func(c ycc, by float32) ycc { return mix(c, sc.skyLow.scale(0.92), by) }

	farTop := make([]float32, w)
	amp := fh * (0.08 + 0.18*rng.Float32())
	shapeRidge(rng, farTop, lk.farShape, sc.horizon, amp)
	farC := land(0.45, 0.55)
	sc.layers = append(sc.layers, layer{
		top: farTop, far: faded(farC, 0.6), near: faded(farC, 0.45),
		grain: 9, texture: 5, detail: 14,
	})

	r := rng.Float64()
	switch {
	case r < lk.city:
		sc.layers = append(sc.layers, skyline(rng, w, sc.horizon+fh*0.02, fh*(0.1+0.2*rng.Float32()), dim, faded))
		if rng.Float64() < lk.coast {
			sc.layers = append(sc.layers, sea(rng, w, sc.horizon+fh*0.03, dim))
		} else {
			sc.layers = append(sc.layers, ground(rng, w, fh*(0.82+0.08*rng.Float32()), fh*0.02, hsv(jit(30, 10), 0.12, 0.4*dim), 26, 8))
		}
	case r < lk.city+lk.coast:
		sc.layers = append(sc.layers, sea(rng, w, sc.horizon, dim))
		if rng.IntN(2) == 0 {
			// Rocks or a beach in a lower corner.
			sc.layers = append(sc.layers, ground(rng, w, fh*(0.8+0.12*rng.Float32()), fh*0.12, hsv(jit(38, 10), 0.35, 0.55*dim), 26, 12))
		}
	default:
		midTop := make([]float32, w)
		shapeRidge(rng, midTop, rolling, sc.horizon+fh*0.06, fh*(0.05+0.08*rng.Float32()))
		midC := land(0.55, 0.5)
		sc.layers = append(sc.layers, layer{top: midTop, far: faded(midC, 0.3), near: faded(midC, 0.15), grain: 18, texture: 8, detail: 30})
		near := ground(rng, w, fh*(0.7+0.12*rng.Float32()), fh*(0.04+0.06*rng.Float32()), land(0.65, 0.42), 26, 14)
		sc.layers = append(sc.layers, near)
		for range rng.IntN(5) {
			sc.trees = append(sc.trees, newTree(rng, near.top, fh, land(0.7, 0.3)))
		}
	}

	sc.coarse = newGrid(rng, w, h, max(fw/40, 4))
	sc.fine = newFineNoise(rng.Uint64(), w, 1.6)
	return sc
}

// shapeRidge fills top with a ridge line around base rising up to amp.
func shapeRidge(rng *rand.Rand, top []float32, p profile, base, amp float32) {
	w := float32(len(top))
	f1, f2, f3 := (1+2*rng.Float32())*2*math.Pi/w, (4+5*rng.Float32())*2*math.Pi/w, (15+20*rng.Float32())*2*math.Pi/w
	p1, p2, p3 := 6*rng.Float32(), 6*rng.Float32(), 6*rng.Float32()
	sin := func(v float32) float32 { return float32(math.Sin(float64(v))) }
	var peakX, peakH, peakS []float32
	if p == peaks || p == plateau {
		for range 2 + rng.IntN(3) {
			peakX = append(peakX, w*rng.Float32())
			peakH = append(peakH, 0.5+0.5*rng.Float32())
			peakS = append(peakS, (1.5+3*rng.Float32())/w)
		}
	}
	level := 0.55 + 0.2*rng.Float32()
	for x := range top {
		fx := float32(x)
		rough := 0.6*sin(f1*fx+p1) + 0.3*sin(f2*fx+p2) + 0.1*sin(f3*fx+p3)
		var v float32
		switch p {
		case rolling:
			v = 0.5 + 0.5*rough
		case peaks, plateau:
			for i := range peakX {
				d := fx - peakX[i]
				if d < 0 {
					d = -d
				}
				v = max(v, peakH[i]-d*peakS[i])
			}
			if p == plateau {
				v = min(v*1.6, level)
			}
			v += 0.04 * rough
		}
		top[x] = base - amp*v
	}
}

// skyline is a row of buildings, each with its own height and shade.
func skyline(rng *rand.Rand, w int, base, amp float32, dim float64, faded func(ycc, float32) ycc) layer {
	l := layer{top: make([]float32, w), tone: make([]float32, w), grain: 16, texture: 4, detail: 18}
	c := hsv(20+30*rng.Float64(), 0.12+0.15*rng.Float64(), (0.55+0.2*rng.Float64())*dim)
	l.far, l.near = faded(c, 0.25), c.scale(0.8)
	// Windows: rows of floors, columns at a pitch a little wider than a
	// window. Their edges are most of what a city picture's JPEG spends.
	l.floor = max(amp*(0.05+0.04*rng.Float32()), 4)
	l.window = make([]int32, w)
	pitch := max(int(l.floor*(0.9+0.5*rng.Float32())), 3)
	id := int32(0)
	for x := 0; x < w; {
		bw := max(int(float32(w)*(0.015+0.05*rng.Float32())), 2)
		bh := amp * (0.2 + 0.8*rng.Float32()*rng.Float32())
		tone := (rng.Float32()*2 - 1) * 18
		margin := bw / 8
		for i := x; i < min(x+bw, w); i++ {
			l.top[i] = base - bh
			l.tone[i] = tone
			l.window[i] = -1
			if in := i - x - margin; in >= 0 && i < x+bw-margin && in%pitch < pitch*3/5 {
				l.window[i] = id + int32(in/pitch)
			}
		}
		id += int32(bw/pitch + 1)
		x += bw
	}
	return l
}

// windowAt is the luma change a window makes at (x, y) on a skyline, and
// whether it is lit (in the evening, some are).
func (l *layer) windowAt(x int, y float32, lit bool) (dy float32, on bool) {
	id := l.window[x]
	if id < 0 {
		return 0, false
	}
	in := y - l.top[x] - l.floor*0.6
	if in < 0 {
		return 0, false
	}
	floor := int(in / l.floor)
	if in-float32(floor)*l.floor > l.floor*0.55 {
		return 0, false
	}
	if lit && (uint32(id)*2654435761^uint32(floor)*40503)>>29 < 3 {
		return 60, true
	}
	return -30, true
}

// sea is a flat water surface from row top to the bottom of the frame.
func sea(rng *rand.Rand, w int, top float32, dim float64) layer {
	l := layer{top: make([]float32, w), water: true, grain: 12, detail: 34}
	for x := range l.top {
		l.top[x] = top
	}
	l.near = hsv(190+30*rng.Float64(), 0.5, 0.35*dim)
	return l
}

// ground is the nearest land, a low rolling band at the bottom.
func ground(rng *rand.Rand, w int, base, amp float32, c ycc, grain, texture float32) layer {
	l := layer{top: make([]float32, w), far: c, near: c.scale(0.75), grain: grain, texture: texture, detail: 34}
	shapeRidge(rng, l.top, rolling, base, amp)
	return l
}

func newTree(rng *rand.Rand, ridge []float32, fh float32, c ycc) tree {
	x := rng.IntN(len(ridge))
	r := fh * (0.04 + 0.06*rng.Float32())
	trunk := r * (0.6 + 0.8*rng.Float32())
	gy := ridge[x] + fh*0.01
	return tree{
		x: float32(x), y: gy - trunk - r*0.6, r: r,
		trunkW: max(r*0.18, 2), groundY: gy,
		canopy: c, trunkCol: hsv(25, 0.4, 0.22),
	}
}

// rotate returns the pixels of img as a camera held sideways stores them, so
// that applying EXIF orientation o (6 or 8) shows img upright again.
// Orientation 6 means the stored 0th row is the picture's right side and the
// 0th column its top; 8 means the 0th row is the left side and the 0th
// column the bottom.
func rotate(img *image.YCbCr, o int) *image.YCbCr {
	dw, dh := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewYCbCr(image.Rect(0, 0, dh, dw), image.YCbCrSubsampleRatio420)
	plane := func(dst []byte, dstStride int, src []byte, srcStride, sw, sh int) {
		// Stored size is sh×sw; (sx, sy) in the stored plane.
		for sy := range sw {
			row := dst[sy*dstStride:]
			for sx := range sh {
				var px, py int
				if o == 6 {
					px, py = sw-1-sy, sx
				} else {
					px, py = sy, sh-1-sx
				}
				row[sx] = src[py*srcStride+px]
			}
		}
	}
	plane(out.Y, out.YStride, img.Y, img.YStride, dw, dh)
	cw, ch := (dw+1)/2, (dh+1)/2
	plane(out.Cb, out.CStride, img.Cb, img.CStride, cw, ch)
	plane(out.Cr, out.CStride, img.Cr, img.CStride, cw, ch)
	return out
}
