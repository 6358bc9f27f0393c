package maps

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
	"golang.org/x/text/unicode/norm"

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
const baseVersion = "base4"

// palette is one style's colours: sea, land and borders, and the town
// dots and names drawn from TownZoom on, over a halo of land colour.
type palette struct {
	sea, land, border color.NRGBA
	town, label       color.NRGBA
}

var palettes = map[string]palette{
	"dark": {sea: rgb(0x17, 0x1d, 0x26), land: rgb(0x2f, 0x33, 0x38), border: rgb(0x52, 0x59, 0x62),
		town: rgb(0x80, 0x87, 0x91), label: rgb(0xa9, 0xad, 0xb5)},
	"light": {sea: rgb(0xaa, 0xd3, 0xdf), land: rgb(0xf2, 0xef, 0xe9), border: rgb(0xb0, 0xa4, 0xb8),
		town: rgb(0x8e, 0x88, 0x80), label: rgb(0x5b, 0x5e, 0x66)},
}

func rgb(r, g, b uint8) color.NRGBA { return color.NRGBA{r, g, b, 0xff} }

// Palette indexes: land*lineLevels + line for 16 levels of land coverage
// over sea and lineLevels of border over that, then the town colours.
const (
	lineLevels = 15
	idxHalo    = 16 * lineLevels
	idxTown    = idxHalo + 1
	idxLabel   = idxHalo + 2
)

// colours is the tile palette (see the indexes above).
func (p palette) colours() color.Palette {
	mix := func(a, b color.NRGBA, t float64) color.NRGBA {
		m := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t + 0.5) }
		return color.NRGBA{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B), 0xff}
	}
	out := make(color.Palette, idxLabel+1)
	for l := range 16 {
		ground := mix(p.sea, p.land, float64(l)/15)
		for b := range lineLevels {
			out[l*lineLevels+b] = mix(ground, p.border, float64(b)/(lineLevels-1))
		}
	}
	out[idxHalo], out[idxTown], out[idxLabel] = p.land, p.town, p.label
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
		img.Pix[i] = landA.Pix[i]>>4*lineLevels + uint8(int(lineA.Pix[i])*(lineLevels-1)/255)
	}
	if z >= TownZoom {
		drawTowns(img, g, z, ox, oy, scale)
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

// TownZoom is the first zoom at which the offline base map marks towns:
// deeper, the 1:10m borders leave a tile one flat colour, and the towns of
// the embedded GeoNames dataset are what still tells places apart.
const TownZoom = 8

// labelZoom is the first zoom with town names; above it they crowd.
const labelZoom = 10

// drawTowns marks the dataset's towns on a tile as dots, and from
// labelZoom on names them where a name fits: right of its dot, else left,
// never over another name and never across the tile's edge (a name cut
// in two tiles would need both to agree on every other name around it).
func drawTowns(img *image.Paletted, g *places.Geocoder, z int, ox, oy, scale float64) {
	const dotR = 2
	// Towns just outside the tile still put part of their dot on it.
	m := float64(dotR+1) / scale
	lng0, lng1 := ox/scale*360-180, (ox+TileSize)/scale*360-180
	lat1, lat0 := latOfY(oy/scale), latOfY((oy+TileSize)/scale)
	type town struct {
		name string
		x, y int
	}
	var towns []town
	g.Towns(lat0-m*360, lng0-m*360, lat1+m*360, lng1+m*360, func(name string, lat, lng float64) {
		x := int(math.Floor(mercX(lng)*scale - ox))
		y := int(math.Floor(mercY(lat)*scale - oy))
		towns = append(towns, town{name, x, y})
	})
	set := func(x, y int, idx uint8) {
		if x >= 0 && y >= 0 && x < TileSize && y < TileSize {
			img.Pix[y*img.Stride+x] = idx
		}
	}
	for _, t := range towns {
		for dy := -dotR; dy <= dotR; dy++ {
			for dx := -dotR; dx <= dotR; dx++ {
				if dx*dx+dy*dy <= dotR*dotR+1 {
					set(t.x+dx, t.y+dy, idxTown)
				}
			}
		}
	}
	if z < labelZoom {
		return
	}
	face := basicfont.Face7x13
	mask := image.NewAlpha(image.Rect(0, 0, TileSize, TileSize))
	var taken []image.Rectangle
	free := func(r image.Rectangle) bool {
		if !r.In(image.Rect(1, 1, TileSize-1, TileSize-1)) {
			return false
		}
		for _, o := range taken {
			if r.Overlaps(o) {
				return false
			}
		}
		return true
	}
	for _, t := range towns {
		name := asciiName(t.name)
		if name == "" {
			continue
		}
		w := font.MeasureString(face, name).Ceil()
		// The box holds the name and a one-pixel halo round it.
		var at image.Rectangle
		for _, x := range []int{t.x + dotR + 3, t.x - dotR - 3 - w} {
			r := image.Rect(x-1, t.y-7, x+w+1, t.y+6)
			if free(r) {
				at = r
				break
			}
		}
		if at.Empty() {
			continue
		}
		taken = append(taken, at.Inset(-2))
		d := font.Drawer{Dst: mask, Src: image.Opaque, Face: face, Dot: fixed.P(at.Min.X+1, t.y+4)}
		d.DrawString(name)
	}
	// Names over a halo of land colour stay readable across borders.
	for y := 0; y < TileSize; y++ {
		for x := 0; x < TileSize; x++ {
			if mask.Pix[y*mask.Stride+x] == 0 {
				continue
			}
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if xx, yy := x+dx, y+dy; xx >= 0 && yy >= 0 && xx < TileSize && yy < TileSize && mask.Pix[yy*mask.Stride+xx] == 0 {
						img.Pix[yy*img.Stride+xx] = idxHalo
					}
				}
			}
		}
	}
	for i, a := range mask.Pix {
		if a != 0 {
			img.Pix[i] = idxLabel
		}
	}
}

// latOfY is mercY's inverse.
func latOfY(y float64) float64 { return math.Atan(math.Sinh(math.Pi*(1-2*y))) * 180 / math.Pi }

// asciiName spells a place name in the base map's font, which has ASCII
// only: accents dropped ("Döbling" → "Dobling"), a few letters spelled out;
// a name that still has other letters is left unnamed.
func asciiName(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r < 0x7f && r >= 0x20:
			b.WriteRune(r)
		default:
			if sub, ok := spelled[r]; ok {
				b.WriteString(sub)
			} else {
				return ""
			}
		}
	}
	return b.String()
}

var spelled = map[rune]string{'ß': "ss", 'ł': "l", 'Ł': "L", 'ø': "o", 'Ø': "O", 'æ': "ae", 'Æ': "AE", 'đ': "d", 'Đ': "D", 'ı': "i", 'œ': "oe", 'þ': "th", 'ð': "d", '\u2019': "'", '‘': "'"}
