package places

import (
	"math"

	"pinhole/app/places/internal/kdtree"
)

// earthRadiusKm is the mean Earth radius used for every distance.
const earthRadiusKm = 6371.0

const degToRad = math.Pi / 180

// cityRecord is one GeoNames city as stored in memory.
type cityRecord struct {
	lat, lng           int32  // 1e-5 degrees
	nameStart, nameEnd uint32 // into Geocoder.names
	country            uint16 // into Geocoder.countries
	admin1             uint16 // into Geocoder.admin1; 0 = unknown
}

func (c *cityRecord) latLng() (float64, float64) {
	return float64(c.lat) * 1e-5, float64(c.lng) * 1e-5
}

// cityIndex is an implicit k-d tree over the cities' positions as unit
// vectors in 3-D. Straight-line (chord) distance between unit vectors grows
// strictly with great-circle distance, so the nearest point by chord is the
// nearest on the globe, and nothing special happens at the antimeridian or
// the poles: there is no longitude seam in 3-D.
//
// The tree is implicit (see internal/kdtree): the generator stored the
// cities in tree order, so nothing is built at load.
type cityIndex struct {
	recs []cityRecord // in tree order
	pts  [][3]float64 // unit vectors, same order
}

// newCityIndex takes cities already in tree order (the generator wrote
// them so; see internal/kdtree).
func newCityIndex(recs []cityRecord) cityIndex {
	t := cityIndex{recs: recs, pts: make([][3]float64, len(recs))}
	for i := range recs {
		t.pts[i] = kdtree.UnitVector(recs[i].latLng())
	}
	return t
}

// chord2 is the squared straight-line distance between unit vectors.
func chord2(a, b *[3]float64) float64 {
	dx, dy, dz := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return dx*dx + dy*dy + dz*dz
}

// radiusChord2 converts a great-circle radius to a squared chord, widened by
// a hair so a city exactly on the radius is not lost to rounding; the final
// decision uses the haversine distance.
func radiusChord2(km float64) float64 {
	theta := km / earthRadiusKm
	if theta >= math.Pi {
		return 4.0000001
	}
	c := 2 * math.Sin(theta/2)
	return c*c*(1+1e-9) + 1e-15
}

// pruneSlack is far above float64 rounding on unit vectors (1e-16) and far
// below any distance that matters (1e-12 in squared chord is 6 m).
const pruneSlack = 1e-12

// nearest returns the index of the nearest city to q within the squared
// chord maxD2, or -1. Equally near cities resolve to the lowest index so the
// answer never depends on the order the tree is walked in.
func (t *cityIndex) nearest(q *[3]float64, maxD2 float64) int {
	best, bestD := -1, maxD2
	t.search(0, len(t.pts), 0, q, &best, &bestD)
	return best
}

func (t *cityIndex) search(lo, hi, axis int, q *[3]float64, best *int, bestD *float64) {
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		p := &t.pts[mid]
		if d := chord2(p, q); d < *bestD || (d == *bestD && mid < *best) {
			*best, *bestD = mid, d
		}
		diff := q[axis] - p[axis]
		next := axis + 1
		if next == 3 {
			next = 0
		}
		// Walk the side q is on first; the other side can only hold a
		// point as near as the splitting plane, diff away. The slack covers
		// the last-bit differences a CPU with fused multiply-add may see
		// between the generator's coordinates and these.
		if diff < 0 {
			t.search(lo, mid, next, q, best, bestD)
			if diff*diff > *bestD+pruneSlack {
				return
			}
			lo = mid + 1
		} else {
			t.search(mid+1, hi, next, q, best, bestD)
			if diff*diff > *bestD+pruneSlack {
				return
			}
			hi = mid
		}
		axis = next
	}
}

// haversineKm is the great-circle distance between two points in degrees.
func haversineKm(lat1, lng1, lat2, lng2 float64) float64 {
	p1, p2 := lat1*degToRad, lat2*degToRad
	sp := math.Sin((p2 - p1) / 2)
	sl := math.Sin((lng2 - lng1) * degToRad / 2)
	a := sp*sp + math.Cos(p1)*math.Cos(p2)*sl*sl
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}
