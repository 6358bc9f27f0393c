package places

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"pinhole/app/corpus"
)

func load(tb testing.TB) *Geocoder {
	tb.Helper()
	g, err := Load()
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return g
}

func TestLookupEdgeCases(t *testing.T) {
	g := load(t)
	type want struct {
		ok            bool
		city, state   string
		country, code string
	}
	none := want{}
	tests := []struct {
		name     string
		lat, lng float64
		km       float64 // 0 means Lookup's default
		want     want    // city "*": any city, the nearest one itself does not matter
	}{
		{"no fix written as 0,0", 0, 0, 0, none},
		{"NaN latitude", math.NaN(), 10, 0, none},
		{"NaN longitude", 10, math.NaN(), 0, none},
		{"infinite latitude", math.Inf(1), 10, 0, none},
		{"infinite longitude", 10, math.Inf(-1), 0, none},
		{"latitude past the pole", 90.0001, 0, 0, none},
		{"longitude past 180", 10, 180.0001, 0, none},
		{"corrupt EXIF latitude", 213.640008888889, 103.48, 0, none},
		{"middle of the Atlantic", 30, -40, 0, none},
		{"South Pacific", -40, -130, 0, none},
		{"north pole", 90, 0, 0, none},
		{"central Sahara, no town near", 22, 13, 0, want{ok: true, country: "Niger", code: "NE"}},
		{"Australian outback", -26.5, 127, 0, want{ok: true, country: "Australia", code: "AU"}},
		{"Sheffield", 53.3828, -1.4566, 0, want{true, "Sheffield", "England", "United Kingdom", "GB"}},
		{"Longyearbyen, Svalbard", 78.2232, 15.6267, 0, want{true, "Longyearbyen", "Svalbard", "Svalbard and Jan Mayen", "SJ"}},
		{"Nordaustlandet, no town near", 79.8, 22.5, 0, want{ok: true, country: "Svalbard and Jan Mayen", code: "SJ"}},
		{"Nadi, Fiji", -17.7733, 177.3658, 0, want{true, "Nadi", "Western", "Fiji", "FJ"}},
		{"Kiritimati, Kiribati east of 180", 1.9849, -157.4750, 0, want{true, "London Village", "Line Islands", "Kiribati", "KI"}},
		{"Tarawa, Kiribati west of 180", 1.3278, 172.9770, 0, want{true, "Tarawa", "Gilbert Islands", "Kiribati", "KI"}},
		{"French Guiana interior is GF as GeoNames says", 3.5, -53, 0, want{ok: true, country: "French Guiana", code: "GF"}},
		{"Antarctic interior", -85, 120, 0, want{ok: true, country: "Antarctica", code: "AQ"}},
		{"south of Natural Earth's last Antarctic vertex", -89.9, -45, 0, want{ok: true, country: "Antarctica", code: "AQ"}},
		{"over the pole to Svalbard", 89.9, -170, 1500, want{true, "Longyearbyen", "Svalbard", "Svalbard and Jan Mayen", "SJ"}},
		{"across the antimeridian to Fiji", -16.5, -179.9, 150, want{true, "*", "Northern", "Fiji", "FJ"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Place
			var ok bool
			if tt.km == 0 {
				p, ok = g.Lookup(tt.lat, tt.lng)
			} else {
				p, ok = g.LookupRadius(tt.lat, tt.lng, tt.km)
			}
			if ok != tt.want.ok {
				t.Fatalf("Lookup(%v, %v) ok = %v (%+v), want %v", tt.lat, tt.lng, ok, p, tt.want.ok)
			}
			if !ok {
				if p != (Place{}) {
					t.Errorf("no place, but got %+v", p)
				}
				return
			}
			if p.Country != tt.want.country || p.CountryCode != tt.want.code || p.Source != SourceOffline {
				t.Errorf("Lookup(%v, %v) = %+v, want %+v", tt.lat, tt.lng, p, tt.want)
			}
			switch {
			case tt.want.city == "*":
				if p.City == "" || p.State != tt.want.state {
					t.Errorf("Lookup(%v, %v) = %+v, want a city in %s", tt.lat, tt.lng, p, tt.want.state)
				}
			case p.City != tt.want.city || p.State != tt.want.state:
				t.Errorf("Lookup(%v, %v) = %+v, want %+v", tt.lat, tt.lng, p, tt.want)
			}
			if p.City == "" && (p.State != "" || p.DistanceKm != 0) {
				t.Errorf("country-only answer carries city details: %+v", p)
			}
			limit := tt.km
			if limit == 0 {
				limit = DefaultRadiusKm
			}
			if p.City != "" && (p.DistanceKm < 0 || p.DistanceKm > limit) {
				t.Errorf("distance %v km outside the %v km radius", p.DistanceKm, limit)
			}
		})
	}
}

func TestLookupBordersAcrossAntimeridian(t *testing.T) {
	g := load(t)
	// A radius of 0 asks the borders alone; both sides of 180° must be in
	// the same country.
	for _, tt := range []struct {
		lat, lng float64
		code     string
	}{
		{67, 179.9, "RU"}, {67, -179.9, "RU"}, {67, -175, "RU"}, // Chukotka
		{-16.52, 179.99, "FJ"}, {-16.52, -179.99, "FJ"}, // Vanua Levu, Fiji
	} {
		p, ok := g.LookupRadius(tt.lat, tt.lng, 0)
		if !ok || p.CountryCode != tt.code || p.City != "" {
			t.Errorf("LookupRadius(%v, %v, 0) = %+v, %v; want country %s only", tt.lat, tt.lng, p, ok, tt.code)
		}
	}
}

// revgeoRow is one line of the corpus's photo_revgeo_expected.tsv.
type revgeoRow struct {
	file              string
	lat, lng          float64
	invalid           bool
	city, state, code string
	distKm            float64
}

func readRevgeo(t *testing.T) []revgeoRow {
	t.Helper()
	f, err := os.Open(corpus.Path(t, "photo_revgeo_expected.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []revgeoRow
	sc := bufio.NewScanner(f)
	for line := 0; sc.Scan(); line++ {
		cols := strings.Split(sc.Text(), "\t")
		if line == 0 {
			if len(cols) < 4 || cols[1] != "lat" || cols[2] != "lon" || cols[3] != "nearest_cities.json" {
				t.Fatalf("unexpected header %q", cols)
			}
			continue
		}
		if len(cols) < 4 {
			t.Fatalf("line %d: %d columns", line+1, len(cols))
		}
		r := revgeoRow{file: cols[0]}
		if r.lat, err = strconv.ParseFloat(cols[1], 64); err != nil {
			t.Fatalf("line %d: %v", line+1, err)
		}
		if r.lng, err = strconv.ParseFloat(cols[2], 64); err != nil {
			t.Fatalf("line %d: %v", line+1, err)
		}
		want := cols[3]
		if want == "INVALID COORDS" {
			r.invalid = true
			rows = append(rows, r)
			continue
		}
		// "Sheffield, England, GB (0.6 km)"
		place, dist, ok := strings.Cut(want, " (")
		if !ok || !strings.HasSuffix(dist, " km)") {
			t.Fatalf("line %d: cannot parse %q", line+1, want)
		}
		if r.distKm, err = strconv.ParseFloat(strings.TrimSuffix(dist, " km)"), 64); err != nil {
			t.Fatalf("line %d: %v", line+1, err)
		}
		i := strings.LastIndex(place, ", ")
		j := strings.LastIndex(place[:i], ", ")
		r.city, r.state, r.code = place[:j], place[j+2:i], place[i+2:]
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestCorpusPlaces is acceptance 1: every geotagged corpus file resolves to
// the cities.json place the corpus expects. Rows whose nearest city is
// farther than the 25 km radius (Iceland's interior) get the country from
// the borders instead, and the 0,0 and invalid rows get nothing.
func TestCorpusPlaces(t *testing.T) {
	g := load(t)
	rows := readRevgeo(t)
	var cities, countries, nothing int
	for _, r := range rows {
		p, ok := g.Lookup(r.lat, r.lng)
		switch {
		case r.invalid || (r.lat == 0 && r.lng == 0):
			nothing++
			if ok {
				t.Errorf("%s (%v, %v): got %+v, want no place", r.file, r.lat, r.lng, p)
			}
		case r.distKm > DefaultRadiusKm:
			countries++
			if !ok || p.City != "" || p.CountryCode != r.code {
				t.Errorf("%s (%v, %v): got %+v %v, want country %s only (nearest city %s is %.1f km away)",
					r.file, r.lat, r.lng, p, ok, r.code, r.city, r.distKm)
			}
		default:
			cities++
			if !ok || p.City != r.city || p.State != r.state || p.CountryCode != r.code {
				t.Errorf("%s (%v, %v): got %+v %v, want %s, %s, %s", r.file, r.lat, r.lng, p, ok, r.city, r.state, r.code)
			} else if math.Abs(p.DistanceKm-r.distKm) > 0.051 {
				t.Errorf("%s: distance %.3f km, corpus says %.1f km", r.file, p.DistanceKm, r.distKm)
			}
		}
	}
	t.Logf("%d rows: %d cities, %d country only, %d no place", len(rows), cities, countries, nothing)
	if cities < 40 || countries < 1 || nothing < 3 {
		t.Errorf("corpus exercised too little: %d cities, %d countries, %d none", cities, countries, nothing)
	}
}

// TestSourcesDescribeBlob checks that places.sources.txt was written with
// the blob that ships, so its versions and checksums can be trusted.
func TestSourcesDescribeBlob(t *testing.T) {
	g := load(t)
	b, err := os.ReadFile("places.sources.txt")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(blob)
	text := string(b)
	for _, want := range []string{
		"dataset " + g.DatasetVersion() + "\n",
		"sha256 " + hex.EncodeToString(sum[:]) + "\n",
		"package cities.json ", "package world-atlas ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("places.sources.txt lacks %q", want)
		}
	}
	if !strings.HasPrefix(g.DatasetVersion(), "cities.json@") {
		t.Errorf("DatasetVersion() = %q", g.DatasetVersion())
	}
}

func TestLookupConcurrent(t *testing.T) {
	g := load(t)
	pts := testPoints(2000, 7)
	want := make([]Place, len(pts))
	for i, p := range pts {
		want[i], _ = g.LookupRadius(p.lat, p.lng, p.km)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(pts); i += 2 {
				if got, _ := g.LookupRadius(pts[i].lat, pts[i].lng, pts[i].km); got != want[i] {
					t.Errorf("concurrent lookup %d: %+v, alone %+v", i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestLoadIsShared(t *testing.T) {
	a, b := load(t), load(t)
	if a != b {
		t.Error("Load decoded the dataset twice")
	}
}

func TestDecodeRejectsCorruptBlob(t *testing.T) {
	if _, err := decode([]byte("not a blob")); err == nil {
		t.Error("decode accepted garbage")
	}
	// A truncated blob must fail cleanly, not panic.
	if _, err := decode(blob[:len(blob)/2]); err == nil {
		t.Error("decode accepted a truncated blob")
	}
}
