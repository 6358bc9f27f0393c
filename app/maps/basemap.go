package maps

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"

	"golang.org/x/image/vector"

	"pinhole/app/places"
)

// The offline base map is drawn here, on the server, rather than in the
// browser from vector data: the browser code stays a plain tile layer (the
// same one online tiles use), the tiles go through the same disk cache and
// HTTP caching as online ones, and an old phone only decodes small PNGs
// instead of filling half a million border vertices on every pan.

// TileSize is the edge of a tile in pixels.
const TileSize = 256

// baseVersion goes into the cache key of rendered tiles, so a change to
// the renderer or its colours replaces them instead of mixing old and new.
const baseVersion = "base3"

// palette is one style's colours.
type palette struct {
	sea, land, border color.NRGBA
}

var palettes = map[string]palette{
	"dark":  {sea: rgb(0x17, 0x1d, 0x26), land: rgb(0x2f, 0x33, 0x38), border: rgb(0x52, 0x59, 0x62)},
	"light": {sea: rgb(0xaa, 0xd3, 0xdf), land: rgb(0xf2, 0xef, 0xe9), border: rgb(0xb0, 0xa4, 0xb8)},
}

func rgb(r, g, b uint8) color.NRGBA { return color.NRGBA{r, g, b, 0xff} }

// colours is the tile palette: index land<<4 | line, for 16 levels of
// land coverage over sea and 16 of border line over that.
func (p palette) colours() color.Palette {
	mix := func(a, b color.NRGBA, t float64) color.NRGBA {
		m := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t + 0.5) }
		return color.NRGBA{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B), 0xff}
	}
	out := make(color.Palette, 256)
	for l := range 16 {
		ground := mix(p.sea, p.land, float64(l)/15)
		for b := range 16 {
			out[l<<4|b] = mix(ground, p.border, float64(b)/15)
		}
	}
	return out
}

// maxLat is where Web Mercator stops (the map is square).
const maxLat = 85.05112878

// mercX and mercY place a position on the world square [0,1)×[0,1),
// y growing southwards as in tile numbering.
func mercX(lng float64) float64 { return (lng + 180) / 360 }

func mercY(lat float64) float64 {
	lat = math.Max(-maxLat, math.Min(maxLat, lat))
	r := lat * math.Pi / 180
	return (1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2
}

type pt struct{ x, y float32 }

// renderBase draws tile z/x/y of the offline base map as a PNG.
func renderBase(g *places.Geocoder, style string, z, x, y int) ([]byte, error) {
	pal, ok := palettes[style]
	if !ok {
		return nil, fmt.Errorf("style %q: %w", style, ErrInvalid)
	}
	scale := float64(TileSize) * math.Exp2(float64(z))
	ox, oy := float64(x*TileSize), float64(y*TileSize)
	land := vector.NewRasterizer(TileSize, TileSize)
	lines := vector.NewRasterizer(TileSize, TileSize)
	// Lines get thinner at the lowest zooms, where borders crowd.
	half := float32(0.6)
	switch {
	case z <= 2:
		half = 0.35
	case z == 3:
		half = 0.45
	}
	const margin = 4
	var pts, clipped, tmp []pt
	for _, r := range g.Rings() {
		// Rings unwrapped past the antimeridian are drawn a second time one
		// turn west, so both halves of Chukotka and Fiji appear.
		for _, shift := range []float64{0, -360, 360} {
			if shift < 0 && r.MaxLng <= 180 || shift > 0 && r.MinLng >= -180 {
				continue
			}
			x0 := mercX(r.MinLng+shift)*scale - ox
			x1 := mercX(r.MaxLng+shift)*scale - ox
			y0 := mercY(r.MaxLat)*scale - oy
			y1 := mercY(r.MinLat)*scale - oy
			if x1 < -margin || x0 > TileSize+margin || y1 < -margin || y0 > TileSize+margin {
				continue
			}
			pts = projectRing(pts[:0], r, shift, scale, ox, oy)
			if len(pts) < 3 {
				continue
			}
			clipped, tmp = clipRect(pts, clipped[:0], tmp[:0], -margin, TileSize+margin)
			if len(clipped) >= 3 {
				land.MoveTo(clipped[0].x, clipped[0].y)
				for _, p := range clipped[1:] {
					land.LineTo(p.x, p.y)
				}
				land.ClosePath()
			}
			for i := 1; i < len(pts); i++ {
				strokeSegment(lines, pts[i-1], pts[i], half, margin)
			}
		}
	}
	// Land and line coverage go into two masks; each pixel becomes one of
	// 16×16 blends of sea, land and border. A paletted PNG is a quarter of
	// the pixels to compress, so tiles encode faster and come out smaller.
	r := image.Rect(0, 0, TileSize, TileSize)
	landA, lineA := image.NewAlpha(r), image.NewAlpha(r)
	land.Draw(landA, r, image.Opaque, image.Point{})
	lines.Draw(lineA, r, image.Opaque, image.Point{})
	img := image.NewPaletted(r, pal.colours())
	for i := range img.Pix {
		img.Pix[i] = landA.Pix[i]>>4<<4 | lineA.Pix[i]>>4
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode base tile: %w", err)
	}
	return buf.Bytes(), nil
}

// projectRing turns a ring into tile pixels, dropping points closer than
// a third of a pixel to the last one kept: at zoom 0 the whole world's
// half a million vertices shrink to a few thousand.
func projectRing(dst []pt, r places.Ring, shift, scale, ox, oy float64) []pt {
	n := r.Len()
	for i := range n {
		lat, lng := r.Point(i)
		p := pt{float32(mercX(lng+shift)*scale - ox), float32(mercY(lat)*scale - oy)}
		if k := len(dst); k > 0 && i != n-1 {
			dx, dy := p.x-dst[k-1].x, p.y-dst[k-1].y
			if dx*dx+dy*dy < 0.11 {
				continue
			}
		}
		dst = append(dst, p)
	}
	return dst
}

// clipRect clips a closed polygon to the square [lo,hi]² (Sutherland–
// Hodgman). The rasterizer would walk every row between far-away vertices
// otherwise; clipping keeps a zoom-12 tile of Russia as cheap as any.
func clipRect(in, out, tmp []pt, lo, hi float32) ([]pt, []pt) {
	type edge struct {
		inside func(p pt) bool
		cross  func(a, b pt) pt
	}
	atX := func(a, b pt, x float32) pt { return pt{x, a.y + (b.y-a.y)*(x-a.x)/(b.x-a.x)} }
	atY := func(a, b pt, y float32) pt { return pt{a.x + (b.x-a.x)*(y-a.y)/(b.y-a.y), y} }
	edges := [4]edge{
		{func(p pt) bool { return p.x >= lo }, func(a, b pt) pt { return atX(a, b, lo) }},
		{func(p pt) bool { return p.x <= hi }, func(a, b pt) pt { return atX(a, b, hi) }},
		{func(p pt) bool { return p.y >= lo }, func(a, b pt) pt { return atY(a, b, lo) }},
		{func(p pt) bool { return p.y <= hi }, func(a, b pt) pt { return atY(a, b, hi) }},
	}
	cur := append(tmp[:0], in...)
	for _, e := range edges {
		out = out[:0]
		for i := range cur {
			a, b := cur[(i+len(cur)-1)%len(cur)], cur[i]
			ain, bin := e.inside(a), e.inside(b)
			switch {
			case ain && bin:
				out = append(out, b)
			case ain && !bin:
				out = append(out, e.cross(a, b))
			case !ain && bin:
				out = append(out, e.cross(a, b), b)
			}
		}
		cur, out = out, cur
		if len(cur) == 0 {
			break
		}
	}
	return cur, out
}

// strokeSegment adds a line from a to b, half wide on each side, as a
// quad. Every quad winds the same way, so where they overlap the
// rasterizer's coverage adds up and clamps instead of cancelling.
func strokeSegment(z *vector.Rasterizer, a, b pt, half, margin float32) {
	a, b, ok := clipSegment(a, b, -margin, TileSize+margin)
	if !ok {
		return
	}
	dx, dy := b.x-a.x, b.y-a.y
	l := float32(math.Sqrt(float64(dx*dx + dy*dy)))
	if l == 0 {
		return
	}
	nx, ny := -dy/l*half, dx/l*half
	// Extend the ends by half the width so joints have no notches.
	ex, ey := dx/l*half, dy/l*half
	z.MoveTo(a.x+nx-ex, a.y+ny-ey)
	z.LineTo(b.x+nx+ex, b.y+ny+ey)
	z.LineTo(b.x-nx+ex, b.y-ny+ey)
	z.LineTo(a.x-nx-ex, a.y-ny-ey)
	z.ClosePath()
}

// clipSegment cuts the segment to the square [lo,hi]² (Liang–Barsky) and
// reports false when nothing of it is inside.
func clipSegment(a, b pt, lo, hi float32) (pt, pt, bool) {
	t0, t1 := float32(0), float32(1)
	dx, dy := b.x-a.x, b.y-a.y
	for _, c := range [4][2]float32{{-dx, a.x - lo}, {dx, hi - a.x}, {-dy, a.y - lo}, {dy, hi - a.y}} {
		p, q := c[0], c[1]
		if p == 0 {
			if q < 0 {
				return a, b, false
			}
			continue
		}
		t := q / p
		if p < 0 {
			t0 = max(t0, t)
		} else {
			t1 = min(t1, t)
		}
		if t0 > t1 {
			return a, b, false
		}
	}
	return pt{a.x + t0*dx, a.y + t0*dy}, pt{a.x + t1*dx, a.y + t1*dy}, true
}
