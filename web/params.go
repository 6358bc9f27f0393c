package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"pinhole/db"
)

// Numeric request parameters are parsed here, one way for every route:
// a value that is not a number, is NaN or ±Inf, overflows, or lies
// outside its range is a 400 whose sentence names the parameter and the
// range. Nothing else reaches the database, and there only as a bound
// parameter.

// intParam parses a whole number from lo to hi.
func intParam(name, s string, lo, hi int64) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, rangeError(name, "a whole number", float64(lo), float64(hi))
	}
	return n, nil
}

// floatParam parses a finite number from lo to hi.
func floatParam(name, s string, lo, hi float64) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < lo || f > hi {
		return 0, rangeError(name, "a number", lo, hi)
	}
	return f, nil
}

func rangeError(name, what string, lo, hi float64) error {
	span := "from " + strconv.FormatFloat(lo, 'f', -1, 64) + " to " + strconv.FormatFloat(hi, 'f', -1, 64)
	if hi == math.MaxInt64 {
		span = "of at least " + strconv.FormatFloat(lo, 'f', -1, 64)
	}
	return fmt.Errorf("parameter %s: want %s %s: %w", name, what, span, db.ErrInvalid)
}

// Ranges of the numeric parameters, shared by the routes that take them.
const (
	maxLimit  = 500   // photos per page
	maxRadius = 20000 // km: half the Earth's circumference
	maxZoom   = 22    // map zoom of the clusters
)
