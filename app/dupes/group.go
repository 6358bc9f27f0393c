package dupes

import (
	"cmp"
	"slices"
	"time"

	"pinhole/db"
)

// Threshold is the largest sum of the pHash and dHash distances (0–128)
// at which two pictures count as near-identical. Chosen on the measurement
// set of measure_test.go (corpus and demo pictures with resized,
// recompressed, cropped and brightened copies, and burst frames as
// negatives): at 26 every pair above was a true duplicate while 95% of
// the copies were found; at 30 the first distinct pictures joined.
const Threshold = 26

// BurstThreshold is the looser distance for photos of one camera taken at
// most BurstGap apart: frames of a burst differ by what moved. On the
// measurement set's bursts (someone running across, the camera following)
// frames of one burst lay 23-56 apart, most under 48; random pictures
// lie about 64 apart, and 3% of the set's distinct pairs lie within 48,
// which the camera and time conditions keep apart.
const (
	BurstThreshold = 48
	BurstGap       = 5 * time.Second
)

// Near reports whether two pictures' hashes are near-identical.
func Near(a, b Hashes) bool { return a.Sum(b) <= Threshold }

// Group is a set of near-identical photos, the suggested keeper first.
type Group struct {
	Kind   string      `json:"kind"` // "duplicates", or "burst" when frames of one camera join it
	Photos []db.Hashed `json:"-"`
}

// GroupPhotos groups photos whose hashes are near (or, taken by one camera
// seconds apart, burst-near), joining groups through shared members,
// except across a dismissed pair. Each group's photos are ordered best
// first (Keeper's order); groups are ordered largest first, then by their
// keeper's id.
func GroupPhotos(photos []db.Hashed, dismissed [][2]int64) []Group {
	n := len(photos)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	no := make(map[[2]int64]bool, len(dismissed))
	for _, p := range dismissed {
		no[p] = true
	}
	burst := make([]bool, n)
	hs := make([]Hashes, n)
	times := make([]time.Time, n)
	for i, p := range photos {
		hs[i] = Hashes{P: p.P, D: p.D}
		times[i], _ = time.Parse(db.TimeLayout, p.TakenAt)
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			d := hs[i].Sum(hs[j])
			if d > BurstThreshold {
				continue
			}
			a, b := photos[i], photos[j]
			isBurst := false
			if d > Threshold {
				gap := times[i].Sub(times[j]).Abs()
				if a.Model == "" || a.Model != b.Model || a.Make != b.Make || times[i].IsZero() || gap > BurstGap {
					continue
				}
				isBurst = true
			}
			if no[[2]int64{min(a.ID, b.ID), max(a.ID, b.ID)}] {
				continue
			}
			ri, rj := find(i), find(j)
			if ri != rj {
				parent[ri] = rj
			}
			if isBurst {
				burst[i], burst[j] = true, true
			}
		}
	}
	members := map[int][]int{}
	for i := 0; i < n; i++ {
		r := find(i)
		members[r] = append(members[r], i)
	}
	var out []Group
	for _, m := range members {
		if len(m) < 2 {
			continue
		}
		g := Group{Kind: "duplicates"}
		for _, i := range m {
			g.Photos = append(g.Photos, photos[i])
			if burst[i] {
				g.Kind = "burst"
			}
		}
		slices.SortFunc(g.Photos, better)
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b Group) int {
		return cmp.Or(cmp.Compare(len(b.Photos), len(a.Photos)), cmp.Compare(a.Photos[0].ID, b.Photos[0].ID))
	})
	return out
}

// better orders the photos of a group best first: the most pixels, then
// the least compressed (bytes per pixel), then the one with the most of
// what a person added (a place, edits, a heart, albums), then the oldest.
func better(a, b db.Hashed) int {
	pix := func(h db.Hashed) int64 { return int64(h.Width) * int64(h.Height) }
	bpp := func(h db.Hashed) float64 {
		if pix(h) == 0 {
			return 0
		}
		return float64(h.Bytes) / float64(pix(h))
	}
	extras := func(h db.Hashed) int {
		n := min(h.Albums, 3)
		for _, on := range []bool{h.Lat != nil, h.Edited, h.Favorite} {
			if on {
				n++
			}
		}
		return n
	}
	// Pixel counts within 1% are the same size (a re-save may lose a row).
	pa, pb := pix(a), pix(b)
	if pa*100 > pb*101 || pb*100 > pa*101 {
		return cmp.Compare(pb, pa)
	}
	// Bytes per pixel within 5% are the same compression.
	ba, bb := bpp(a), bpp(b)
	if ba > bb*1.05 || bb > ba*1.05 {
		return cmp.Compare(bb, ba)
	}
	return cmp.Or(cmp.Compare(extras(b), extras(a)), cmp.Compare(a.ID, b.ID))
}
