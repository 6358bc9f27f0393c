package app

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"pinhole/app/places"
)

// placeFields is the JSON view of a resolved place, named as `pinhole
// inspect` and `pinhole places lookup` print it.
func placeFields(pl places.Place) map[string]any {
	return map[string]any{
		"City": pl.City, "State": pl.State, "Country": pl.Country, "CountryCode": pl.CountryCode,
		"Source": pl.Source, "DistanceKm": math.Round(pl.DistanceKm*100) / 100,
	}
}

// runPlaces is `pinhole places lookup LAT,LNG…` and `pinhole places update`.
func runPlaces(ctx context.Context, e *env) error {
	if len(e.args) == 0 {
		return errUsage
	}
	switch e.args[0] {
	case "lookup":
		return placesLookup(ctx, e, e.args[1:])
	case "update":
		// Beside a server, both would ask the online geocoder, breaking
		// its one-request-a-second promise.
		lock, err := lockOwner(e.cfg.Data, "places update")
		if err != nil {
			return fmt.Errorf("%w; stop it first", err)
		}
		defer lock.release()
		a, err := Open(ctx, e.cfg, e.log)
		if err != nil {
			return err
		}
		defer a.Close()
		if _, err := a.DB.ResetPlaces(ctx, places.SourceOffline, "none"); err != nil {
			return err
		}
		n, err := a.Places.resolveAll(ctx)
		if err != nil {
			return err
		}
		if err := a.Places.checkDataset(ctx); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "resolved places of %d photos\n", n)
		return nil
	}
	return errUsage
}

func placesLookup(ctx context.Context, e *env, points []string) error {
	if len(points) == 0 {
		return errUsage
	}
	r := offlineResolver{radiusKm: e.cfg.GeocoderRadiusKm}
	out := make([]map[string]any, 0, len(points))
	for _, p := range points {
		m := map[string]any{"Input": p}
		lat, lng, err := parseLatLng(p)
		if err != nil {
			m["Error"] = err.Error()
		} else if pl, ok := r.Resolve(ctx, lat, lng); ok {
			for k, v := range placeFields(pl) {
				m[k] = v
			}
		} else {
			m["Source"] = "none"
		}
		out = append(out, m)
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// parseLatLng reads "LAT,LNG" in decimal degrees.
func parseLatLng(s string) (float64, float64, error) {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return 0, 0, fmt.Errorf("%q: want LAT,LNG in decimal degrees", s)
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lng, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%q: want LAT,LNG in decimal degrees", s)
	}
	return lat, lng, nil
}
