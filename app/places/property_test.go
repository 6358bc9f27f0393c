package places

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

type testPoint struct{ lat, lng, km float64 }

// testPoints spreads n points over the cases that break spatial indexes:
// anywhere on the globe (mostly sea), near cities (around the radius
// boundary), along the antimeridian and near the poles. A third use a
// larger radius so searches also reach across the antimeridian and poles,
// where no city lies within 25 km.
func testPoints(n int, seed uint64) []testPoint {
	g, err := Load()
	if err != nil {
		panic(err)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	pts := make([]testPoint, n)
	for i := range pts {
		var lat, lng float64
		switch i % 5 {
		case 0, 1: // uniform on the sphere
			lat = math.Asin(2*r.Float64()-1) / degToRad
			lng = 360*r.Float64() - 180
		case 2: // within about 40 km of a random city
			c := &g.cities.recs[r.IntN(len(g.cities.recs))]
			clat, clng := c.latLng()
			lat = math.Max(-90, math.Min(90, clat+0.7*(r.Float64()-0.5)))
			lng = clng + 0.7*(r.Float64()-0.5)/math.Max(0.05, math.Cos(clat*degToRad))
			lng = math.Mod(lng+540, 360) - 180
		case 3: // antimeridian
			lat = 180*r.Float64() - 90
			lng = 179 + 2*r.Float64()
			if lng > 180 {
				lng -= 360
			}
		case 4: // polar caps
			lat = 80 + 10*r.Float64()
			if r.IntN(2) == 0 {
				lat = -lat
			}
			lng = 360*r.Float64() - 180
		}
		km := float64(DefaultRadiusKm)
		if r.IntN(3) == 0 {
			km = []float64{100, 400}[r.IntN(2)]
			if i%5 == 4 {
				km = 1500 // reaches over the pole
			}
		}
		pts[i] = testPoint{lat, lng, km}
	}
	return pts
}

// bruteForce finds nearest cities the slow, obvious way: every city whose
// latitude alone does not already rule it out gets a haversine distance.
type bruteForce struct {
	g     *Geocoder
	byLat []int     // city indices sorted by latitude
	lats  []float64 // their latitudes, same order
}

func newBruteForce(g *Geocoder) *bruteForce {
	b := &bruteForce{g: g, byLat: make([]int, len(g.cities.recs))}
	for i := range b.byLat {
		b.byLat[i] = i
	}
	slices.SortFunc(b.byLat, func(i, j int) int { return cmp.Compare(g.cities.recs[i].lat, g.cities.recs[j].lat) })
	for _, i := range b.byLat {
		lat, _ := g.cities.recs[i].latLng()
		b.lats = append(b.lats, lat)
	}
	return b
}

// nearest returns the nearest city within km (the lowest index among
// equals), or -1.
func (b *bruteForce) nearest(lat, lng, km float64) int {
	best, bestD := -1, math.Inf(1)
	dlat := km / earthRadiusKm / degToRad * 1.000001
	lo, _ := slices.BinarySearch(b.lats, lat-dlat)
	for k := lo; k < len(b.lats) && b.lats[k] <= lat+dlat; k++ {
		i := b.byLat[k]
		clat, clng := b.g.cities.recs[i].latLng()
		if d := haversineKm(lat, lng, clat, clng); d < bestD || (d == bestD && i < best) {
			best, bestD = i, d
		}
	}
	if bestD > km {
		return -1
	}
	return best
}

// TestIndexMatchesBruteForce is the second half of acceptance 1: on 10,000
// fixed random points the k-d tree finds exactly the city (or the absence
// of one) a scan of every city finds.
func TestIndexMatchesBruteForce(t *testing.T) {
	g := load(t)
	pts := testPoints(10000, 2024)
	brute := newBruteForce(g)
	var found, empty, wrap, polar int
	for _, p := range pts {
		got, _ := g.nearestCity(p.lat, p.lng, p.km)
		want := brute.nearest(p.lat, p.lng, p.km)
		if got != want {
			t.Errorf("(%v, %v) within %v km: index says city %d, brute force %d", p.lat, p.lng, p.km, got, want)
			continue
		}
		if got < 0 {
			empty++
			continue
		}
		found++
		clat, clng := g.cities.recs[got].latLng()
		if math.Abs(clng-p.lng) > 180 {
			wrap++
		}
		if math.Abs(p.lat) > 80 && math.Abs(clat) > 60 && math.Abs(math.Remainder(clng-p.lng, 360)) > 90 {
			polar++ // the short way runs over the pole
		}
	}
	t.Logf("%d points: %d with a city, %d without, %d answered across the antimeridian, %d over a pole", len(pts), found, empty, wrap, polar)
	if found < 2000 || empty < 2000 || wrap < 10 || polar < 10 {
		t.Errorf("points exercise too little: %d found, %d empty, %d across the antimeridian, %d over a pole", found, empty, wrap, polar)
	}
}
