package db

import (
	"context"
	"path/filepath"
	"testing"
)

// TestSuggest: a search one or two letters off a word of the library is
// offered the word; words that already match stay as typed; garbage and
// words of photos the caller may not see get no offer; an edit shows up
// in the next suggestion.
func TestSuggest(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, 600, 3); err != nil {
		t.Fatal(err)
	}
	edit := func(id int64, e PhotoEdit) {
		t.Helper()
		if err := d.EditPhoto(ctx, id, e); err != nil {
			t.Fatal(err)
		}
	}
	str := func(s string) *string { return &s }
	yes := true
	edit(1, PhotoEdit{Keywords: &[]string{"Grandmother", "Döbling"}})
	edit(2, PhotoEdit{Title: str("Zanzibar"), Private: &yes})

	for _, c := range []struct {
		typed       string
		hidePrivate bool
		want        string
	}{
		{"berln", false, "Berlin"},
		{"lisbn", false, "Lisbon"},
		{"Lisbno", false, "Lisbon"},          // two letters swapped: one edit
		{"barcelonna", false, "Barcelona"},   // one letter too many
		{"grandmoter", false, "Grandmother"}, // keywords
		{"dobling", false, ""},               // diacritics are not typos: the search finds it as typed
		{"canon eos", false, ""},             // exact words stay: nothing to offer
		{"canon eso", false, "canon EOS"},    // … and only the wrong one changes
		{"fujiflim", false, "FUJIFILM"},      // camera makes
		{"qxzjvw", false, ""},                // garbage
		{"xy", false, ""},                    // too short to guess from
		{"zanzibr", false, "Zanzibar"},       // a private photo's title, for its owner …
		{"zanzibr", true, ""},                // … but never for a viewer
	} {
		q := PhotoQuery{Text: c.typed, Reader: readerHiding(c.hidePrivate)}
		got, err := d.Suggest(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != c.want {
			t.Errorf("Suggest(%q, hidePrivate=%v) = %q, want %q", c.typed, c.hidePrivate, got.Text, c.want)
		}
		// Every offer finds photos.
		if got.Text != "" {
			q.Text = got.Text
			p, err := d.SearchPhotos(ctx, q)
			if err != nil || len(p.Photos) == 0 {
				t.Errorf("the offer %q finds nothing (%v)", got.Text, err)
			}
		}
	}

	// The vocabulary follows the library: a new title is offered at once.
	if got, _ := d.Suggest(ctx, PhotoQuery{Text: "reykjavk"}); got.Text != "" {
		t.Fatalf("offered %q before any photo mentions Reykjavik", got.Text)
	}
	edit(3, PhotoEdit{Title: str("Reykjavik harbour")})
	if got, _ := d.Suggest(ctx, PhotoQuery{Text: "reykjavk"}); got.Text != "Reykjavik" {
		t.Errorf("after the edit: %q, want Reykjavik", got.Text)
	}
	// An offer must find photos under the other filters too.
	if got, _ := d.Suggest(ctx, PhotoQuery{Text: "reykjavk", Type: "video"}); got.Text != "" && d.mustCount(t, PhotoQuery{Text: got.Text, Type: "video"}) == 0 {
		t.Errorf("offered %q for videos, which finds none", got.Text)
	}
}

func (d *DB) mustCount(t *testing.T, q PhotoQuery) int {
	t.Helper()
	ms, err := d.MonthCounts(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		n += m.Count
	}
	return n
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"berln", "berlin", 2, 1},
		{"lisbno", "lisbon", 2, 1},
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 1, 2}, // stops at limit+1
		{"", "abc", 5, 3},
		{"same", "same", 1, 0},
	} {
		if got := editDistance([]rune(c.a), []rune(c.b), c.limit); got != c.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", c.a, c.b, c.limit, got, c.want)
		}
	}
}

// BenchmarkSuggest: a 100k-photo library. "build" is the first suggestion
// after a change (the vocabulary is read again), "cached" every later one.
func BenchmarkSuggest(b *testing.B) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(b.TempDir(), "s.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, 100_000, 5); err != nil {
		b.Fatal(err)
	}
	for _, stale := range []bool{true, false} {
		name := map[bool]string{true: "build", false: "cached"}[stale]
		b.Run(name, func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				if stale {
					d.vocab.changed()
				}
				if s, err := d.Suggest(ctx, PhotoQuery{Text: "berln"}); err != nil || s.Text != "Berlin" {
					b.Fatal(s, err)
				}
			}
			// CPU time too: on a shared machine wall time measures the neighbours.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
