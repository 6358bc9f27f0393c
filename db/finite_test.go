package db

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"testing"
)

// TestNonFiniteNumbersRefused: NaN and ±Inf pass range checks (every
// comparison with NaN is false), so the queries check them by name; they
// must come back as ErrInvalid, not as an SQL error from a "NaN" written
// into the statement.
func TestNonFiniteNumbersRefused(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, 200, 1); err != nil {
		t.Fatal(err)
	}
	nan, inf := math.NaN(), math.Inf(1)
	boxes := []BBox{{nan, 0, 10, 10}, {0, nan, 10, 10}, {0, 0, inf, 10}, {0, 0, 10, -inf}, {nan, nan, nan, nan}}
	for _, b := range boxes {
		if _, err := d.GeoClusters(ctx, PhotoQuery{BBox: &b}, GeoGrid{Zoom: 3}); !errors.Is(err, ErrInvalid) {
			t.Errorf("GeoClusters bbox %v: %v, want ErrInvalid", b, err)
		}
		if _, err := d.SearchPhotos(ctx, PhotoQuery{BBox: &b}); !errors.Is(err, ErrInvalid) {
			t.Errorf("SearchPhotos bbox %v: %v, want ErrInvalid", b, err)
		}
	}
	for _, c := range []Circle{{nan, 0, 1}, {0, inf, 1}, {0, 0, nan}, {0, 0, inf}} {
		if _, err := d.SearchPhotos(ctx, PhotoQuery{Near: &c}); !errors.Is(err, ErrInvalid) {
			t.Errorf("SearchPhotos near %v: %v, want ErrInvalid", c, err)
		}
		if _, err := d.MonthCounts(ctx, PhotoQuery{Near: &c}); !errors.Is(err, ErrInvalid) {
			t.Errorf("MonthCounts near %v: %v, want ErrInvalid", c, err)
		}
	}
	// Finite boxes still cluster, at every zoom (the grid's edges are
	// bound parameters now).
	for z := 0; z <= 22; z += 2 {
		b := BBox{-180, -85, 180, 85}
		if _, err := d.GeoClusters(ctx, PhotoQuery{BBox: &b}, GeoGrid{Zoom: z}); err != nil {
			t.Errorf("zoom %d: %v", z, err)
		}
	}
}
