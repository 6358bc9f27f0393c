package places

import (
	"runtime"
	"testing"
)

// benchPoints are photo-like positions: half near a city, the rest spread
// over the globe, the antimeridian and the poles (testPoints' mix), all
// with the default radius.
func benchPoints() []testPoint {
	pts := testPoints(1<<14, 99)
	for i := range pts {
		pts[i].km = DefaultRadiusKm
	}
	return pts
}

// BenchmarkLookup is acceptance 2's throughput; run with -cpu 1 for the
// one-core figure.
func BenchmarkLookup(b *testing.B) {
	g := load(b)
	pts := benchPoints()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		p := pts[i&(len(pts)-1)]
		g.Lookup(p.lat, p.lng)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// BenchmarkLookupNearCity is the common case of a photo taken in a town.
func BenchmarkLookupNearCity(b *testing.B) {
	g := load(b)
	var pts []testPoint
	for i, p := range benchPoints() {
		if i%5 == 2 {
			pts = append(pts, p)
		}
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		p := pts[i%len(pts)]
		g.Lookup(p.lat, p.lng)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// BenchmarkLoad decodes the embedded dataset afresh each time (Load itself
// decodes once and caches).
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := decode(blob); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLoadHeap is acceptance 2's memory bound: the decoded dataset must fit
// in 30 MB of heap, since Pinhole runs on 512 MB boards.
func TestLoadHeap(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	g, err := decode(blob)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	t.Logf("heap after load: %.1f MiB (blob %.2f MiB, %d cities, %d border vertices)",
		heap, float64(len(blob))/(1<<20), len(g.cities.recs), len(g.borders.xs))
	if heap > 30 {
		t.Errorf("decoded dataset holds %.1f MiB of heap, want at most 30", heap)
	}
	runtime.KeepAlive(g)
}
