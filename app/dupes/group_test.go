package dupes

import (
	"math/rand/v2"
	"slices"
	"testing"

	"pinhole/db"
)

// hashed is a photo whose pHash is p and dHash d.
func hashed(id int64, p, d uint64, w, h int, bytes int64, model, taken string) db.Hashed {
	x := db.Hashed{P: p, D: d, Bytes: bytes}
	x.ID, x.Width, x.Height, x.Model, x.Make, x.TakenAt = id, w, h, model, "Pinhole", taken
	return x
}

// flip returns h with its lowest n bits flipped: n bits of distance.
func flip(h uint64, n int) uint64 { return h ^ (1<<n - 1) }

func ids(g Group) []int64 {
	var out []int64
	for _, p := range g.Photos {
		out = append(out, p.ID)
	}
	return out
}

// Groups join near pictures (through shared members too), bursts join at
// a larger distance only for one camera seconds apart, dismissed pairs
// stay apart, and the keeper is the most pixels, then the least
// compressed, then the one a person added to.
func TestGroupPhotos(t *testing.T) {
	// Each group has a dHash of its own, at least 32 bits from the others';
	// the pHashes differ within a group.
	const base = 0
	const g1, other, burst1, burst2, dismissed = 0, ^uint64(0), 0x0000_0000_FFFF_FFFF, 0xFFFF_FFFF_0000_0000, 0x5555_5555_5555_5555
	fav := hashed(5, flip(base, 4), g1, 4000, 3000, 3_000_000, "", "2024-01-01 10:00:00")
	fav.Favorite = true
	photos := []db.Hashed{
		hashed(1, base, g1, 4000, 3000, 3_000_000, "", "2024-01-01 10:00:00"),           // the original
		hashed(2, flip(base, 10), g1, 2000, 1500, 600_000, "", "2024-01-01 10:00:00"),   // smaller copy
		hashed(3, flip(base, 20), g1, 4000, 3000, 1_000_000, "", "2024-01-01 10:00:00"), // recompressed, 20 from 1
		fav, // same size and compression, a heart
		hashed(10, base, other, 4000, 3000, 3_000_000, "", "2024-01-01 10:00:00"),                 // another picture
		hashed(20, base, burst1, 4000, 3000, 3_000_000, "Cam X", "2024-05-01 12:00:00"),           // burst frame 1
		hashed(21, flip(base, 31), burst1, 4000, 3000, 3_000_000, "Cam X", "2024-05-01 12:00:02"), // 31 apart, 2 s later
		hashed(30, base, burst2, 4000, 3000, 3_000_000, "Cam X", "2024-05-01 12:00:00"),           // 31 apart but
		hashed(31, flip(base, 31), burst2, 4000, 3000, 3_000_000, "Cam X", "2024-05-01 12:01:00"), // a minute later
		hashed(40, base, dismissed, 4000, 3000, 3_000_000, "", ""),
		hashed(41, flip(base, 2), dismissed, 4000, 3000, 3_000_000, "", ""), // near, but dismissed
	}
	gs := GroupPhotos(photos, [][2]int64{{40, 41}})
	if len(gs) != 2 {
		t.Fatalf("%d groups, want 2: %v", len(gs), gs)
	}
	// 5 before 1: the same pixels and bytes per pixel, and a heart; 3 has
	// as many pixels but fewer bytes per pixel; 2 is smaller.
	if got := ids(gs[0]); !slices.Equal(got, []int64{5, 1, 3, 2}) || gs[0].Kind != "duplicates" {
		t.Errorf("first group %v (%s), want [5 1 3 2] duplicates", got, gs[0].Kind)
	}
	if got := ids(gs[1]); !slices.Equal(got, []int64{20, 21}) || gs[1].Kind != "burst" {
		t.Errorf("second group %v (%s), want the burst [20 21]", got, gs[1].Kind)
	}
}

// BenchmarkGroupPhotos groups 20k photos of random hashes: every pair is
// compared (go test -bench GroupPhotos -benchtime 1x ./app/dupes/).
func BenchmarkGroupPhotos(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	photos := make([]db.Hashed, 20000)
	for i := range photos {
		photos[i] = hashed(int64(i+1), rng.Uint64(), rng.Uint64(), 4000, 3000, 3_000_000, "", "2024-01-01 10:00:00")
	}
	b.ResetTimer()
	for range b.N {
		GroupPhotos(photos, nil)
	}
}
