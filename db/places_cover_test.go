package db

import (
	"context"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"
)

// placesByHand computes what Places should answer straight from every
// photo row: counts of the visible photos per place and, as cover, the
// newest favourite (taken time, then id), else the newest photo.
func placesByHand(t *testing.T, d *DB, country, state string, hidePrivate bool) []PlaceCount {
	t.Helper()
	rows, err := d.sql.Query(`SELECT p.id, p.taken_at, p.favorite, p.private, p.archived, p.missing,
		p.country_code, p.country, p.state, p.city, f.hash FROM photos p JOIN files f ON f.id = p.primary_file_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type best struct {
		fav   bool
		taken string
		id    int64
	}
	counts := map[PlaceCount]int{}
	covers := map[PlaceCount]best{}
	hashes := map[PlaceCount]string{}
	for rows.Next() {
		var id int64
		var taken, cc, ctry, st, city, hash string
		var fav, priv, arch, miss bool
		if err := rows.Scan(&id, &taken, &fav, &priv, &arch, &miss, &cc, &ctry, &st, &city, &hash); err != nil {
			t.Fatal(err)
		}
		if cc == "" || arch || miss || (priv && hidePrivate) {
			continue
		}
		k := PlaceCount{CountryCode: cc, Country: ctry}
		switch {
		case country == "":
		case state == "":
			if cc != country || st == "" {
				continue
			}
			k.State = st
		default:
			if cc != country || st != state || city == "" {
				continue
			}
			k.State, k.City = st, city
		}
		counts[k]++
		b, seen := covers[k]
		newer := taken > b.taken || (taken == b.taken && id > b.id)
		if !seen || (fav && !b.fav) || (fav == b.fav && newer) {
			covers[k], hashes[k] = best{fav, taken, id}, hash
		}
	}
	out := []PlaceCount{}
	for k, n := range counts {
		k.Count, k.CoverHash = n, hashes[k]
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Country+"\x00"+a.State+"\x00"+a.City < b.Country+"\x00"+b.State+"\x00"+b.City
	})
	return out
}

// TestPlacesCovers checks every level of a generated library, as an
// admin and as a viewer, against placesByHand, before and after
// favourites, private, archived and missing photos are shuffled so that
// the newest photos of some places are hidden or out-ranked.
func TestPlacesCovers(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.InsertSynthetic(ctx, 3000, 11); err != nil {
		t.Fatal(err)
	}
	check := func(stage string) {
		t.Helper()
		for _, lv := range [][2]string{{"", ""}, {"PT", ""}, {"US", ""}, {"ES", "Catalonia"}, {"US", "New York"}} {
			for _, hide := range []bool{false, true} {
				_, got, err := d.Places(ctx, lv[0], lv[1], readerHiding(hide))
				if err != nil {
					t.Fatal(err)
				}
				want := placesByHand(t, d, lv[0], lv[1], hide)
				if len(want) == 0 {
					t.Fatalf("%s %v: the generated library has no such place", stage, lv)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: places %v hidePrivate=%v\n got %+v\nwant %+v", stage, lv, hide, got, want)
				}
			}
		}
	}
	check("generated")

	// Per place, the newest favourite goes private, the newest photo
	// archived, the next missing; every third place loses all favourites,
	// so its cover falls back to the newest photo.
	rows, err := d.sql.Query(`SELECT DISTINCT country_code, state, city FROM photos WHERE country_code <> '' ORDER BY 1, 2, 3`)
	if err != nil {
		t.Fatal(err)
	}
	var places [][3]string
	for rows.Next() {
		var p [3]string
		rows.Scan(&p[0], &p[1], &p[2])
		places = append(places, p)
	}
	rows.Close()
	for i, p := range places {
		in := `country_code = ? AND state = ? AND city = ?`
		stmts := []string{
			`UPDATE photos SET private = 1 WHERE id = (SELECT id FROM photos WHERE ` + in + ` AND favorite = 1 ORDER BY taken_at DESC, id DESC LIMIT 1)`,
			`UPDATE photos SET archived = 1 WHERE id = (SELECT id FROM photos WHERE ` + in + ` ORDER BY taken_at DESC, id DESC LIMIT 1)`,
			`UPDATE photos SET missing = 1 WHERE id = (SELECT id FROM photos WHERE ` + in + ` AND archived = 0 ORDER BY taken_at DESC, id DESC LIMIT 1)`,
		}
		if i%3 == 0 {
			stmts = append(stmts, `UPDATE photos SET favorite = 0 WHERE `+in)
		}
		for _, q := range stmts {
			if _, err := d.sql.Exec(q, p[0], p[1], p[2]); err != nil {
				t.Fatal(err)
			}
		}
	}
	check("shuffled")

	// Two photos taken in the same second: the later id is the newer one,
	// as on the timeline.
	var a, b int64
	if err := d.sql.QueryRow(`SELECT min(id), max(id) FROM photos WHERE city = 'Porto' AND archived = 0 AND missing = 0 AND private = 0`).Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{a, b} {
		if err := d.EditPhoto(ctx, id, PhotoEdit{Favorite: ptrTo(true), SetTaken: true, TakenLocal: "2199-01-01 00:00:00"}); err != nil {
			t.Fatal(err)
		}
	}
	_, got, err := d.Places(ctx, "PT", "Porto", Reader{})
	if err != nil {
		t.Fatal(err)
	}
	var hb string
	d.sql.QueryRow(`SELECT f.hash FROM photos p JOIN files f ON f.id = p.primary_file_id WHERE p.id = ?`, b).Scan(&hb)
	if len(got) != 1 || got[0].CoverHash != hb {
		t.Errorf("Porto %+v, want the cover of photo %d (%s)", got, b, hb)
	}
	check("same second")
}

func ptrTo[T any](v T) *T { return &v }

// BenchmarkPlaces lists the three place levels of a generated 100k-photo
// library (InsertSynthetic places ~60% of them in 12 cities), as an admin
// and as a viewer. The library is generated once per run of the
// benchmark (about 20 s) in a folder removed afterwards.
func BenchmarkPlaces(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "pinhole.db")
	d, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := d.InsertSynthetic(ctx, 100_000, 1); err != nil {
		b.Fatal(err)
	}
	b.Logf("100k photos generated in %v", time.Since(start).Round(time.Millisecond))
	// Reopen, as a server does, so reads come from the database file and
	// not from the generator's one big write-ahead log.
	if err := d.Close(); err != nil {
		b.Fatal(err)
	}
	if d, err = Open(ctx, path); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	for _, v := range []struct{ name, country, state string }{
		{"country", "", ""}, {"state", "US", ""}, {"city", "US", "California"},
	} {
		for _, hide := range []bool{false, true} {
			name := v.name + "/admin"
			if hide {
				name = v.name + "/viewer"
			}
			b.Run(name, func(b *testing.B) {
				var n int
				cpu0 := cpuTime()
				for b.Loop() {
					_, list, err := d.Places(ctx, v.country, v.state, readerHiding(hide))
					if err != nil {
						b.Fatal(err)
					}
					n = len(list)
				}
				b.ReportMetric(float64(n), "places")
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			})
		}
	}
}
