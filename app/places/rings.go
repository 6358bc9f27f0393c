package places

import (
	"math"
	"sync"
)

// Ring is one closed outline of a country's land from the embedded Natural
// Earth borders, for drawing maps. The first and last points are equal.
// Rings that cross the antimeridian are unwrapped, so longitudes may run up
// to one turn past 180° east; a map draws such a ring a second time shifted
// 360° west.
type Ring struct {
	CountryCode string
	// Bounds in degrees, so a map tile can skip rings outside it cheaply.
	MinLat, MinLng, MaxLat, MaxLng float64

	b          *borders
	start, end int // vertices [start, end) in b
}

// Len is the number of points, the closing one included.
func (r Ring) Len() int { return r.end - r.start }

// Point returns the i-th point in degrees.
func (r Ring) Point(i int) (lat, lng float64) {
	v := r.start + i
	return r.b.ty + float64(r.b.ys[v])*r.b.sy, r.b.tx + float64(r.b.xs[v])*r.b.sx
}

// ringCache holds each Geocoder's rings; the split into rings is computed
// once, on the first map tile drawn, so geocoding alone never pays for it.
var ringCache sync.Map // *Geocoder → []Ring

// Rings lists every country outline. The slice is shared: do not modify it.
func (g *Geocoder) Rings() []Ring {
	if rs, ok := ringCache.Load(g); ok {
		return rs.([]Ring)
	}
	rs, _ := ringCache.LoadOrStore(g, g.splitRings())
	return rs.([]Ring)
}

// splitRings recovers ring boundaries: the borders keep only each
// country's first vertex, and every ring closes on its own first point.
func (g *Geocoder) splitRings() []Ring {
	b := &g.borders
	var out []Ring
	for c := 0; c+1 < len(b.countryStart); c++ {
		code := ""
		if c < len(g.countries) {
			code = g.countries[c].code
		}
		end := int(b.countryStart[c+1])
		for s := int(b.countryStart[c]); s < end; {
			e := s + 1
			for e < end && (b.xs[e] != b.xs[s] || b.ys[e] != b.ys[s]) {
				e++
			}
			if e >= end { // unclosed tail: cannot happen in a blob that decoded
				break
			}
			r := Ring{CountryCode: code, b: b, start: s, end: e + 1,
				MinLat: math.Inf(1), MinLng: math.Inf(1), MaxLat: math.Inf(-1), MaxLng: math.Inf(-1)}
			for i := range r.Len() {
				lat, lng := r.Point(i)
				r.MinLat, r.MaxLat = min(r.MinLat, lat), max(r.MaxLat, lat)
				r.MinLng, r.MaxLng = min(r.MinLng, lng), max(r.MaxLng, lng)
			}
			out = append(out, r)
			s = e + 1
		}
	}
	return out
}
