package places

import "math"

// Towns calls fn with the name and position (degrees) of every place of
// the dataset inside the box, always in the same order, so the offline
// base map can mark and name towns where it would otherwise be one flat
// colour. A box whose minLng is above its maxLng crosses the antimeridian.
func (g *Geocoder) Towns(minLat, minLng, maxLat, maxLng float64, fn func(name string, lat, lng float64)) {
	// Records keep 1e-5 degrees as integers: compare those.
	lo := func(v float64) int32 { return int32(math.Floor(v * 1e5)) }
	hi := func(v float64) int32 { return int32(math.Ceil(v * 1e5)) }
	s, n := lo(minLat), hi(maxLat)
	w, e := lo(minLng), hi(maxLng)
	wrap := minLng > maxLng
	for i := range g.cities.recs {
		c := &g.cities.recs[i]
		if c.lat < s || c.lat > n {
			continue
		}
		if wrap && c.lng < w && c.lng > e || !wrap && (c.lng < w || c.lng > e) {
			continue
		}
		lat, lng := c.latLng()
		fn(g.names[c.nameStart:c.nameEnd], lat, lng)
	}
}
