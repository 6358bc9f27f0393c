package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// A search that finds nothing is often one slip of the keyboard away from
// one that does ("berln"). Suggest offers the nearest spelling from the
// library's own vocabulary: the words of titles, keywords, places, camera
// names and lenses of the photos the caller may see. The vocabulary is
// built with a few GROUP BY queries and kept until the library changes, so
// a suggestion costs a scan of the words of about the typed length.

// vocabMaxAge bounds how long a vocabulary is trusted without a change
// seen through this DB: another process (pinhole index) may write too.
const vocabMaxAge = 10 * time.Minute

// vocabMaxWords caps the vocabulary; a library of unique titles would
// otherwise keep growing it.
const vocabMaxWords = 300_000

// vocabWord is one distinct word, folded for matching.
type vocabWord struct {
	key     string // lower case, without diacritics (as FTS5 compares)
	display string // its most used spelling, e.g. "Berlin"
	n       int    // photos it describes, to rank equally near words
	runes   int
}

type vocabulary struct {
	gen   uint64
	built time.Time
	words []vocabWord // sorted by key
	// byLen lists word indexes by rune length, so a word is compared only
	// with words it could be one or two edits from.
	byLen map[int][]int32
}

// vocabCache holds one vocabulary per audience: with private photos
// (users, admins) and without (viewers), each of everything (admins) or
// of the library without private spaces (everyone else).
type vocabCache struct {
	mu  sync.Mutex
	of  [4]*vocabulary
	gen uint64 // bumped by every write transaction; see DB.tx
}

// changed marks the vocabulary stale: the library was written.
func (c *vocabCache) changed() {
	c.mu.Lock()
	c.gen++
	c.mu.Unlock()
}

// Suggestion is Suggest's answer: Text is what to search for instead, ""
// when nothing near enough would find photos.
type Suggestion struct {
	Text string `json:"suggestion"`
}

// Suggest proposes a spelling of q.Text that finds photos under q's other
// filters, when one to two letters away (one for words of up to five
// letters). Words already found in the vocabulary are kept as typed.
func (d *DB) Suggest(ctx context.Context, q PhotoQuery) (Suggestion, error) {
	if q.Reader.Kind == Visitor {
		// A share's page has no search box; a vocabulary of its own
		// album is not worth a cache slot.
		return Suggestion{}, nil
	}
	v, err := d.vocabulary(ctx, q.Reader)
	if err != nil {
		return Suggestion{}, err
	}
	text, ok := v.suggest(q.Text)
	if !ok {
		return Suggestion{}, nil
	}
	// The words exist one by one; make sure they find something together
	// and with the other filters, or the offer would lead nowhere.
	q.Text, q.Sort, q.Cursor = text, "", ""
	parts, err := q.filters()
	if err != nil {
		return Suggestion{}, err
	}
	done, err := d.wait(ctx)
	if err != nil {
		return Suggestion{}, err
	}
	defer done()
	var one int
	err = d.sql.QueryRowContext(ctx, `SELECT 1 FROM `+parts.sql()+` LIMIT 1`, parts.args...).Scan(&one)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Suggestion{}, nil
		}
		return Suggestion{}, fmt.Errorf("check suggestion: %w", err)
	}
	return Suggestion{Text: text}, nil
}

// vocabulary returns the current vocabulary for the audience, building it
// when the library changed since it was last built.
func (d *DB) vocabulary(ctx context.Context, r Reader) (*vocabulary, error) {
	c := &d.vocab
	c.mu.Lock()
	defer c.mu.Unlock()
	i := 0
	if !r.SeesPrivate() {
		i = 1
	}
	if !r.SeesAllSpaces() {
		// A slot serves many users: it holds the library's words alone,
		// never a word of someone's private space (db/spaces.go).
		i += 2
		r = Reader{Kind: r.Kind}
	}
	if v := c.of[i]; v != nil && v.gen == c.gen && d.now().Sub(v.built) < vocabMaxAge {
		return v, nil
	}
	gen := c.gen
	c.mu.Unlock()
	v, err := d.buildVocabulary(ctx, r)
	c.mu.Lock()
	if err != nil {
		return nil, err
	}
	v.gen = gen // a write during the build leaves it stale, as it should
	c.of[i] = v
	return v, nil
}

func (d *DB) buildVocabulary(ctx context.Context, r Reader) (*vocabulary, error) {
	vis := visible(r)
	// Each query lists distinct texts with the number of photos they
	// describe; a row's columns are all words of the same photos.
	queries := []string{
		`SELECT title, count(*) FROM photos p WHERE title <> '' AND ` + vis + ` GROUP BY title`,
		`SELECT k.name, count(*) FROM photo_keywords pk JOIN keywords k ON k.id = pk.keyword_id
			JOIN photos p ON p.id = pk.photo_id WHERE ` + vis + ` GROUP BY k.name`,
		`SELECT city || ' ' || state || ' ' || country, count(*) FROM photos p
			WHERE (city <> '' OR state <> '' OR country <> '') AND ` + vis + ` GROUP BY city, state, country`,
		`SELECT make || ' ' || model, count(*) FROM photos p WHERE (make <> '' OR model <> '') AND ` + vis + ` GROUP BY make, model`,
		`SELECT lens, count(*) FROM photos p WHERE lens <> '' AND ` + vis + ` GROUP BY lens`,
	}
	type entry struct {
		n        int
		spelling map[string]int
	}
	words := map[string]*entry{}
	add := func(text string, n int) {
		for _, w := range splitWords(text) {
			k := foldWord(w)
			if k == "" {
				continue
			}
			e := words[k]
			if e == nil {
				if len(words) >= vocabMaxWords {
					continue
				}
				e = &entry{spelling: map[string]int{}}
				words[k] = e
			}
			e.n += n
			e.spelling[w] += n
		}
	}
	done, err := d.wait(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	for _, q := range queries {
		rows, err := d.sql.QueryContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("read search vocabulary: %w", err)
		}
		for rows.Next() {
			var s string
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read search vocabulary: %w", err)
			}
			add(s, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read search vocabulary: %w", err)
		}
	}
	v := &vocabulary{built: d.now(), words: make([]vocabWord, 0, len(words)), byLen: map[int][]int32{}}
	for k, e := range words {
		best, bn := "", -1
		for s, n := range e.spelling {
			if n > bn || n == bn && s < best {
				best, bn = s, n
			}
		}
		v.words = append(v.words, vocabWord{key: k, display: best, n: e.n, runes: len([]rune(k))})
	}
	sort.Slice(v.words, func(i, j int) bool { return v.words[i].key < v.words[j].key })
	for i, w := range v.words {
		v.byLen[w.runes] = append(v.byLen[w.runes], int32(i))
	}
	return v, nil
}

// suggest rewrites text word by word: a word that starts a vocabulary word
// stays as typed (the search matches prefixes), another is replaced by the
// nearest vocabulary word. It reports false when no word changed or one
// has nothing near it.
func (v *vocabulary) suggest(text string) (string, bool) {
	typed := splitWords(text)
	if len(typed) == 0 || len(typed) > 16 {
		return "", false
	}
	out := make([]string, len(typed))
	changed := false
	for i, w := range typed {
		k := foldWord(w)
		if v.hasPrefix(k) {
			out[i] = w
			continue
		}
		near, ok := v.nearest(k)
		if !ok {
			return "", false
		}
		out[i], changed = near, true
	}
	if !changed {
		return "", false
	}
	return strings.Join(out, " "), true
}

// hasPrefix reports whether some vocabulary word starts with k.
func (v *vocabulary) hasPrefix(k string) bool {
	i := sort.Search(len(v.words), func(i int) bool { return v.words[i].key >= k })
	return i < len(v.words) && strings.HasPrefix(v.words[i].key, k)
}

// nearest finds the vocabulary word fewest edits from k (at most one for
// words of up to five letters, two for longer ones; shorter than three
// letters is too little to guess from), the more used of equally near ones.
func (v *vocabulary) nearest(k string) (string, bool) {
	a := []rune(k)
	if len(a) < 3 {
		return "", false
	}
	limit := 1
	if len(a) > 5 {
		limit = 2
	}
	best, bestD, bestN := "", limit+1, -1
	for l := len(a) - limit; l <= len(a)+limit; l++ {
		for _, i := range v.byLen[l] {
			w := &v.words[i]
			d := editDistance(a, []rune(w.key), limit)
			if d < bestD || d == bestD && w.n > bestN {
				best, bestD, bestN = w.display, d, w.n
			}
		}
	}
	return best, bestD <= limit
}

// editDistance is the optimal string alignment distance between a and b
// (insertions, deletions, substitutions and swaps of neighbours, each
// one edit), or limit+1 as soon as it must exceed limit.
func editDistance(a, b []rune, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			c := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				c = min(c, prev2[j-2]+1)
			}
			cur[j] = c
			rowMin = min(rowMin, c)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}

// splitWords splits text as the full-text index does: runs of letters and
// digits.
func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// foldWord lower-cases a word and strips its diacritics ("Döbling" →
// "dobling"), as the index's unicode61 tokenizer with remove_diacritics
// does, so "dobling" is a prefix match and no typo.
func foldWord(w string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
