package places

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Évora": "evora", "Łódź": "lodz", "São Paulo": "sao paulo", "Straße": "strasse",
		"Tromsø": "tromso", "İzmir": "izmir", "Reykjavík": "reykjavik", "Ærøskøbing": "aeroskobing"} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// Searching by name finds cities however they are typed, best matches
// first, and stays within its limit.
func TestSearchByName(t *testing.T) {
	g := load(t)
	names := func(cs []City) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Name+", "+c.CountryCode)
		}
		return out
	}
	cases := []struct {
		q     string
		first string // the first result, "Name, CC"
		all   func(c City) bool
	}{
		{"Lisbon", "Lisbon, PT", nil},
		{"lisbo", "Lisbon, PT", nil},
		{"LISBON", "Lisbon, PT", nil},
		{"evora", "Évora, PT", nil},
		{"Évora", "Évora, PT", nil},
		{"lodz", "Łódź, PL", nil},
		{"sao paulo", "São Paulo, BR", nil},
		{"reykjav", "Reykjavík, IS", nil},
		{"paris, us", "Paris, US", func(c City) bool { return c.CountryCode == "US" && strings.Contains(" "+Fold(c.Name), " paris") }},
		{"paris, texas", "Paris, US", nil},
		// Four Yorks share the best rank; ties go by country name.
		{"york", "York, AU", func(c City) bool { return strings.Contains(" "+Fold(c.Name), " york") }},
	}
	for _, c := range cases {
		got := g.Search(c.q, 10)
		if len(got) == 0 || len(got) > 10 {
			t.Errorf("%q: %d results", c.q, len(got))
			continue
		}
		if c.first != "" && names(got)[0] != c.first {
			t.Errorf("%q: first %q, want %q (all: %v)", c.q, names(got)[0], c.first, names(got))
		}
		for _, city := range got {
			if c.all != nil && !c.all(city) {
				t.Errorf("%q: %s, %s does not belong", c.q, city.Name, city.CountryCode)
			}
			back, ok := g.CityByID(city.ID)
			if !ok || back != city {
				t.Errorf("%q: CityByID(%d) = %+v, want %+v", c.q, city.ID, back, city)
			}
			if p, ok := g.Lookup(city.Lat, city.Lng); !ok || p.CountryCode != city.CountryCode {
				t.Errorf("%q: %s lies in %q by reverse lookup", c.q, city.Name, p.CountryCode)
			}
		}
	}
	// New York City is found by a later word of its name, after the
	// names that start with it.
	if got := fmt.Sprint(names(g.Search("york", 50))); !strings.Contains(got, "York, GB") || !strings.Contains(got, "New York City, US") ||
		strings.Index(got, "Yorkton") > strings.Index(got, "New York City") {
		t.Errorf("york: %s, want York, GB and then New York City among them", got)
	}
	for _, q := range []string{"", "  ", ",", "zzzzqqq", strings.Repeat("a", 101)} {
		if got := g.Search(q, 10); len(got) != 0 {
			t.Errorf("%q: %v, want nothing", q, names(got))
		}
	}
	if n := len(g.Search("s", 1000)); n != MaxSearch {
		t.Errorf("a limit of 1000 gave %d results, want at most %d", n, MaxSearch)
	}
	if _, ok := g.CityByID(-1); ok {
		t.Error("CityByID(-1) found a city")
	}
	if _, ok := g.CityByID(len(g.cities.recs)); ok {
		t.Error("CityByID past the end found a city")
	}
	// A search costs little once the index exists, even for a common start.
	start := time.Now()
	for i := 0; i < 20; i++ {
		g.Search("san", 10)
	}
	if d := time.Since(start) / 20; d > 100*time.Millisecond {
		t.Errorf("a search for \"san\" took %v", d)
	}
}
