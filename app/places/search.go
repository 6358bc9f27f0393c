package places

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// City is a place of the dataset found by name.
type City struct {
	// ID names the city in this dataset (DatasetVersion): CityByID gives
	// it back. Another dataset numbers its cities differently.
	ID          int
	Name        string
	State       string
	Country     string
	CountryCode string
	Lat, Lng    float64
}

// MaxSearch is the most cities one Search returns.
const MaxSearch = 50

// nameIndex finds cities by the start of any word of their name. It is
// built on the first search (0.22 s and 4.5 MB of heap on a desktop
// core, for 248k words of 171k names), so a server whose
// users never pick a place by name never pays for it.
type nameIndex struct {
	once   sync.Once
	folded string   // every city's folded name, back to back
	ends   []uint32 // ends[i] is where city i's folded name ends in folded
	// words are the starts (into folded) of every word of every name,
	// sorted by the text from there on, each with its city.
	words []wordStart
}

type wordStart struct {
	at   uint32 // into folded
	city uint32
}

func (g *Geocoder) nameStart(i int) uint32 {
	if i == 0 {
		return 0
	}
	return g.byName.ends[i-1]
}

// buildNames folds every name and sorts the word starts.
func (g *Geocoder) buildNames() {
	ix := &g.byName
	var b strings.Builder
	ix.ends = make([]uint32, len(g.cities.recs))
	for i := range g.cities.recs {
		c := &g.cities.recs[i]
		start := b.Len()
		b.WriteString(Fold(g.names[c.nameStart:c.nameEnd]))
		ix.ends[i] = uint32(b.Len())
		word := true
		for j, r := range b.String()[start:] {
			if isWordRune(r) {
				if word {
					ix.words = append(ix.words, wordStart{uint32(start + j), uint32(i)})
				}
				word = false
			} else {
				word = true
			}
		}
	}
	ix.folded = b.String()
	slices.SortFunc(ix.words, func(a, b wordStart) int {
		return strings.Compare(ix.folded[a.at:ix.ends[a.city]], ix.folded[b.at:ix.ends[b.city]])
	})
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// Fold makes names comparable as people type them: lower case, without
// accents ("Évora" → "evora", "Łódź" → "lodz"), and letters that do not
// decompose spelled as they are typed without them ("ß" → "ss").
func Fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if t, ok := foldSpecial[r]; ok {
			b.WriteString(t)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var foldSpecial = map[rune]string{
	'ß': "ss", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'æ': "ae", 'œ': "oe", 'ı': "i", 'ŧ': "t", 'ħ': "h",
	'’': "'", 'ʻ': "'", 'ʼ': "'",
}

// Search finds up to limit cities (at most MaxSearch) whose name, or a
// word of it, starts with what was typed, ignoring case and accents:
// "lisb" finds Lisbon, "york" New York City. Text after a comma narrows
// by state, country or country code ("paris, us"). Exact names come
// first, then names that start with the text, then names with a word
// that does; shorter names first within each (the dataset has no
// populations to rank by).
func (g *Geocoder) Search(query string, limit int) []City {
	limit = min(max(limit, 0), MaxSearch)
	name, where, _ := strings.Cut(query, ",")
	q := strings.TrimSpace(Fold(name))
	where = strings.TrimSpace(Fold(where))
	if q == "" || limit == 0 || utf8.RuneCountInString(q) > 100 {
		return nil
	}
	g.byName.once.Do(g.buildNames)
	ix := &g.byName
	suffix := func(w wordStart) string { return ix.folded[w.at:ix.ends[w.city]] }
	lo, _ := slices.BinarySearchFunc(ix.words, q, func(w wordStart, q string) int { return strings.Compare(suffix(w), q) })
	type hit struct {
		city, rank, length int
	}
	best := map[int]hit{}
	for i := lo; i < len(ix.words) && strings.HasPrefix(suffix(ix.words[i]), q); i++ {
		w := ix.words[i]
		c := int(w.city)
		start, end := g.nameStart(c), ix.ends[c]
		rank := 2 // a later word starts with q
		if w.at == start {
			rank = 1 // the name starts with q
			if end-start == uint32(len(q)) {
				rank = 0 // the name is q
			}
		}
		if where != "" && !g.cityIn(c, where) {
			continue
		}
		if h, ok := best[c]; !ok || rank < h.rank {
			best[c] = hit{c, rank, int(end - start)}
		}
	}
	hits := make([]hit, 0, len(best))
	for _, h := range best {
		hits = append(hits, h)
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.length, b.length),
			strings.Compare(ix.folded[g.nameStart(a.city):ix.ends[a.city]], ix.folded[g.nameStart(b.city):ix.ends[b.city]]),
			cmp.Compare(g.countries[g.cities.recs[a.city].country].name, g.countries[g.cities.recs[b.city].country].name),
			cmp.Compare(a.city, b.city))
	})
	out := make([]City, 0, min(limit, len(hits)))
	for _, h := range hits[:min(limit, len(hits))] {
		c, _ := g.CityByID(h.city)
		out = append(out, c)
	}
	return out
}

// cityIn reports whether city i's state, country or country code starts
// with where (folded).
func (g *Geocoder) cityIn(i int, where string) bool {
	c := &g.cities.recs[i]
	cn := g.countries[c.country]
	for _, s := range []string{g.admin1[c.admin1], cn.name, cn.code} {
		if s != "" && strings.HasPrefix(Fold(s), where) {
			return true
		}
	}
	return false
}

// CityByID returns the city Search named id, false when this dataset has
// no such city.
func (g *Geocoder) CityByID(id int) (City, bool) {
	if id < 0 || id >= len(g.cities.recs) {
		return City{}, false
	}
	c := &g.cities.recs[id]
	cn := g.countries[c.country]
	lat, lng := c.latLng()
	return City{ID: id, Name: g.names[c.nameStart:c.nameEnd], State: g.admin1[c.admin1], Country: cn.name,
		CountryCode: cn.code, Lat: lat, Lng: lng}, true
}
