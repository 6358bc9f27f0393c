package places

import (
	"fmt"
	"math"
	"math/bits"
	"sort"
)

// maxCountries is what the fixed-size parity sets in borders.country hold.
const maxCountries = 8 * 64

// bandHeight is the height of a latitude band in quantised units (about
// 0.03° for the 10m borders). Most of a band's edges are the ones crossing
// its latitude anywhere in the world, so thinner bands gain little; 16 was
// the fastest of 8–64 for 0.8 MB more heap than 64.
const bandHeight = 16

// borders answers "which country is this point in" by even-odd ray casting
// against Natural Earth rings. A ray runs east from the point; only edges
// that cross the point's latitude can count, so edges are filed by latitude
// band and a query reads one band.
type borders struct {
	sx, sy, tx, ty float64
	turn           float64 // 360° in quantised x

	xs, ys       []int32  // every ring's vertices; rings are closed and contiguous
	countryStart []uint32 // first vertex of each country's rings; len = countries+1

	minY      int32
	bandStart []uint32 // len = bands+1
	bandEdges []uint32 // edge i runs from vertex i to vertex i+1
}

func (b *borders) decode(r *reader, nCountries int) error {
	if nCountries > maxCountries {
		return fmt.Errorf("places blob: %w: %d countries", errCorrupt, nCountries)
	}
	b.sx, b.sy, b.tx, b.ty = r.float64(), r.float64(), r.float64(), r.float64()
	if r.err != nil || !(b.sx > 0) || !(b.sy > 0) {
		return fmt.Errorf("places blob borders: %w", errCorrupt)
	}
	b.turn = math.Round(360 / b.sx)
	nr := r.count()
	ringCountry := make([]int, nr)
	ringLen := make([]int, nr)
	total := 0
	for i := range nr {
		ringCountry[i], ringLen[i] = r.count(), r.count()
		if ringCountry[i] >= nCountries || ringLen[i] < 4 || (i > 0 && ringCountry[i] < ringCountry[i-1]) {
			return fmt.Errorf("places blob ring %d: %w", i, errCorrupt)
		}
		total += ringLen[i]
	}
	if total > maxCount {
		return fmt.Errorf("places blob borders: %w", errCorrupt)
	}
	b.xs, b.ys = make([]int32, total), make([]int32, total)
	b.countryStart = make([]uint32, nCountries+1)
	var x, y int64
	v := 0
	edges := 0
	b.minY = math.MaxInt32
	maxY := int32(math.MinInt32)
	for i := range nr {
		start := v
		for range ringLen[i] {
			x += r.varint()
			y += r.varint()
			if x < math.MinInt32 || x > math.MaxInt32 || y < math.MinInt32 || y > math.MaxInt32 {
				return fmt.Errorf("places blob ring %d: %w", i, errCorrupt)
			}
			b.xs[v], b.ys[v] = int32(x), int32(y)
			b.minY = min(b.minY, int32(y))
			maxY = max(maxY, int32(y))
			v++
		}
		if r.err != nil {
			return fmt.Errorf("places blob ring %d: %w", i, r.err)
		}
		if b.xs[start] != b.xs[v-1] || b.ys[start] != b.ys[v-1] {
			return fmt.Errorf("places blob ring %d: %w: not closed", i, errCorrupt)
		}
		edges += ringLen[i] - 1
	}
	// countryStart[c] is the first vertex of country c (rings are sorted by
	// country); countries without rings get an empty range.
	v = 0
	c := 0
	for i := range nr {
		for c <= ringCountry[i] {
			b.countryStart[c] = uint32(v)
			c++
		}
		v += ringLen[i]
	}
	for ; c <= nCountries; c++ {
		b.countryStart[c] = uint32(v)
	}
	if nr == 0 {
		b.bandStart = []uint32{0}
		return nil
	}

	// File every non-horizontal edge under each band it spans: count, then
	// prefix sums, then fill.
	bands := int((maxY-b.minY)/bandHeight) + 1
	b.bandStart = make([]uint32, bands+1)
	forEachEdge := func(fn func(e int, lo, hi int)) {
		v := 0
		for i := range nr {
			for e := v; e < v+ringLen[i]-1; e++ {
				y1, y2 := b.ys[e], b.ys[e+1]
				if y1 == y2 {
					continue // never crosses a latitude under the half-open rule
				}
				fn(e, int((min(y1, y2)-b.minY)/bandHeight), int((max(y1, y2)-b.minY)/bandHeight))
			}
			v += ringLen[i]
		}
	}
	forEachEdge(func(_ int, lo, hi int) {
		for k := lo; k <= hi; k++ {
			b.bandStart[k+1]++
		}
	})
	for k := 1; k <= bands; k++ {
		b.bandStart[k] += b.bandStart[k-1]
	}
	b.bandEdges = make([]uint32, b.bandStart[bands])
	fill := make([]uint32, bands)
	copy(fill, b.bandStart[:bands])
	forEachEdge(func(e int, lo, hi int) {
		for k := lo; k <= hi; k++ {
			b.bandEdges[fill[k]] = uint32(e)
			fill[k]++
		}
	})
	return nil
}

// country returns the index of the country containing the point, or -1 at
// sea. Rings may reach one turn past 180° east (they were unwrapped across
// the antimeridian), so the point is tried both as it is and one turn east.
func (b *borders) country(lat, lng float64) int {
	px := (lng - b.tx) / b.sx
	py := (lat - b.ty) / b.sy
	band := math.Floor((py - float64(b.minY)) / bandHeight)
	if !(band >= 0) || band >= float64(len(b.bandStart)-1) {
		return -1
	}
	k := int(band)
	px2 := px + b.turn
	var in, in2 [maxCountries / 64]uint64
	for _, e := range b.bandEdges[b.bandStart[k]:b.bandStart[k+1]] {
		y1, y2 := float64(b.ys[e]), float64(b.ys[e+1])
		if (y1 > py) == (y2 > py) {
			continue
		}
		x1, x2 := float64(b.xs[e]), float64(b.xs[e+1])
		x := x1 + (py-y1)*(x2-x1)/(y2-y1)
		if x <= px {
			continue
		}
		c := b.countryOf(e)
		in[c>>6] ^= 1 << (c & 63)
		if x > px2 {
			in2[c>>6] ^= 1 << (c & 63)
		}
	}
	for i := range in {
		if w := in[i] | in2[i]; w != 0 {
			return i*64 + bits.TrailingZeros64(w)
		}
	}
	return -1
}

// countryOf finds the country whose rings hold vertex e.
func (b *borders) countryOf(e uint32) int {
	// The last country whose range starts at or before e.
	return sort.Search(len(b.countryStart), func(i int) bool { return b.countryStart[i] > e }) - 1
}
