// Package kdtree lays points on the unit sphere out as an implicit k-d tree:
// the node of the slice [lo, hi) is its middle element, its left subtree is
// [lo, mid) and its right (mid, hi), split on axis depth mod 3. The
// generator stores cities in this order so the geocoder can search them
// straight after decoding, without building anything.
package kdtree

import "math"

// UnitVector is the point at lat, lng (degrees) on the unit sphere.
func UnitVector(lat, lng float64) [3]float64 {
	phi, lambda := lat*math.Pi/180, lng*math.Pi/180
	cp := math.Cos(phi)
	return [3]float64{cp * math.Cos(lambda), cp * math.Sin(lambda), math.Sin(phi)}
}

// Build reorders pts into tree order, calling swap(i, j) for each exchange
// so the caller can move its own records alongside (pts is already
// swapped when swap is called).
func Build(pts [][3]float64, swap func(i, j int)) {
	b := builder{pts, swap}
	b.build(0, len(pts), 0)
}

type builder struct {
	pts  [][3]float64
	swap func(i, j int)
}

func (b builder) exchange(i, j int) {
	b.pts[i], b.pts[j] = b.pts[j], b.pts[i]
	b.swap(i, j)
}

func (b builder) build(lo, hi, axis int) {
	for hi-lo > 1 {
		mid := int(uint(lo+hi) >> 1)
		b.selectNth(lo, hi, mid, axis)
		next := (axis + 1) % 3
		b.build(lo, mid, next)
		lo, axis = mid+1, next
	}
}

// selectNth reorders [lo, hi) so that element k holds the value a full sort
// on axis would put there, with no larger value before it and no smaller
// one after it (quickselect with a median-of-three pivot and a three-way
// partition, so runs of equal coordinates cannot make it quadratic).
func (b builder) selectNth(lo, hi, k, axis int) {
	for hi-lo > 1 {
		x, y, z := b.pts[lo][axis], b.pts[int(uint(lo+hi)>>1)][axis], b.pts[hi-1][axis]
		pivot := max(min(x, y), min(max(x, y), z))
		// [lo, lt) < pivot, [lt, i) == pivot, (gt, hi) > pivot.
		lt, i, gt := lo, lo, hi-1
		for i <= gt {
			v := b.pts[i][axis]
			switch {
			case v < pivot:
				b.exchange(lt, i)
				lt++
				i++
			case v > pivot:
				b.exchange(i, gt)
				gt--
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt
		case k > gt:
			lo = gt + 1
		default:
			return
		}
	}
}
