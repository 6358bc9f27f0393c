package demo

import (
	"math"
	"path"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDemoLibraryHasVariety checks what a first-start user sees: a decade of
// photos from many cameras, on a map of several countries, in folders named
// the ways people name them.
func TestDemoLibraryHasVariety(t *testing.T) {
	plan := Plan(DefaultOptions())
	if len(plan) != DefaultOptions().Count {
		t.Fatalf("%d photos, want %d", len(plan), DefaultOptions().Count)
	}
	models, cities, countries := map[string]bool{}, map[string]bool{}, map[string]bool{}
	years := map[int]bool{}
	var noGPS, captions, sideways, upright, square, offsets int
	names := map[string]bool{}
	for _, p := range plan {
		e := p.Exif
		models[e.Model] = true
		years[e.Taken.Year()] = true
		if e.WithOffset {
			offsets++
		}
		if e.GPS == nil {
			noGPS++
		} else {
			cities[p.City] = true
			countries[p.Country] = true
			// Within a few km of the city centre, so a reverse geocoder
			// names that city.
			for _, pl := range places {
				if pl.city == p.City {
					if d := km(e.GPS.Lat, e.GPS.Lng, pl.lat, pl.lng); d > 3 {
						t.Errorf("%s: %.1f km from %s", p.Path, d, p.City)
					}
				}
			}
		}
		if p.XMP != nil {
			captions++
		}
		w, h := p.DisplaySize()
		switch {
		case e.Orientation == 6 || e.Orientation == 8:
			sideways++
		case w == h:
			square++
		case h > w:
			upright++
		}
		// The folder starts with the year the photo was taken.
		if y := strings.SplitN(p.Path, "/", 2)[0]; y != strconv.Itoa(e.Taken.Year()) {
			t.Errorf("%s taken in %d", p.Path, e.Taken.Year())
		}
		// No two files in a folder share a base name: that would make the
		// indexer stack unrelated photos.
		base := strings.ToLower(strings.TrimSuffix(p.Path, path.Ext(p.Path)))
		if names[base] {
			t.Errorf("%s: another file in its folder has the same base name", p.Path)
		}
		names[base] = true
		if e.Taken.Hour() < 7 || e.Taken.Hour() > 21 {
			t.Errorf("%s taken at %v, outside daylight hours", p.Path, e.Taken)
		}
	}
	first, last := 3000, 0
	for y := range years {
		first, last = min(first, y), max(last, y)
	}
	checks := []struct {
		what string
		ok   bool
		got  any
	}{
		{"years reach back to 2010", first <= 2010, first},
		{"years span a decade", last-first >= 10, last - first},
		{"6–10 camera models", len(models) >= 6 && len(models) <= 10, len(models)},
		{"geotagged in 8+ cities", len(cities) >= 8, len(cities)},
		{"in 6+ countries", len(countries) >= 6, len(countries)},
		{"some without GPS", noGPS >= 5 && noGPS < len(plan)/2, noGPS},
		{"a few with a title", captions >= 5 && captions < len(plan)/3, captions},
		{"some stored sideways", sideways >= 3, sideways},
		{"some stored upright in portrait", upright >= 2, upright},
		{"a few square", square >= 2, square},
		{"some with offsets, some without", offsets > 0 && offsets < len(plan), offsets},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: got %v", c.what, c.got)
		}
	}
}

func km(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371
	rad := math.Pi / 180
	dlat, dlng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlng/2)*math.Sin(dlng/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

func TestPlanIsPure(t *testing.T) {
	if !reflect.DeepEqual(Plan(DefaultOptions()), Plan(DefaultOptions())) {
		t.Error("two plans with the same options differ")
	}
}

func TestZonesFollowDaylightSaving(t *testing.T) {
	city := func(name string) *place {
		for i := range places {
			if places[i].city == name {
				return &places[i]
			}
		}
		t.Fatalf("no place %s", name)
		return nil
	}
	cases := []struct {
		city string
		date string
		want string
	}{
		{"Berlin", "2019-07-14", "+02:00"},
		{"Berlin", "2019-01-14", "+01:00"},
		{"Berlin", "2019-03-30", "+01:00"}, // day before the switch
		{"Berlin", "2019-03-31", "+02:00"},
		{"Berlin", "2019-10-27", "+01:00"},
		{"Lisbon", "2015-08-01", "+01:00"},
		{"New York", "2020-03-07", "-05:00"},
		{"New York", "2020-03-08", "-04:00"},
		{"New York", "2020-11-01", "-05:00"},
		{"Vancouver", "2013-05-22", "-07:00"},
		{"Sydney", "2012-01-10", "+11:00"},
		{"Sydney", "2012-07-10", "+10:00"},
		{"Sydney", "2012-10-07", "+11:00"},
		{"Reykjavik", "2016-07-01", "+00:00"},
		{"Kyoto", "2016-07-01", "+09:00"},
		{"Cape Town", "2016-01-01", "+02:00"},
		{"Buenos Aires", "2016-01-01", "-03:00"},
	}
	for _, c := range cases {
		d, err := time.Parse(time.DateOnly, c.date)
		if err != nil {
			t.Fatal(err)
		}
		loc := city(c.city).zone(d.Year(), d.Month(), d.Day())
		if got := time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc).Format("-07:00"); got != c.want {
			t.Errorf("%s on %s: %s, want %s", c.city, c.date, got, c.want)
		}
	}
}
