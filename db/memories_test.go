package db

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// memLib is a small library whose photos' dates, cameras and flags a
// memories test sets one by one.
type memLib struct {
	t *testing.T
	d *DB
}

func newMemLib(t *testing.T) memLib {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return memLib{t, d}
}

// shot is one photo to add: when it was taken (wall clock) and how.
type shot struct {
	at                           string // "2006-01-02 15:04:05"
	camera                       string // model; "" is the default camera
	fav, private, archived, gone bool
	rating                       int
	title                        string
}

func (l memLib) add(s shot) int64 {
	l.t.Helper()
	cam := s.camera
	if cam == "" {
		cam = "X-T2"
	}
	res, err := l.d.sql.Exec(`INSERT INTO photos (uid, taken_at, taken_local, make, model, favorite, private, archived, missing,
		rating, title, added_at, updated_at) VALUES (?, ?, ?, 'FUJIFILM', ?, ?, ?, ?, ?, ?, ?, '2025-01-01 00:00:00', '2025-01-01 00:00:00')`,
		NewUID(), s.at, s.at, cam, boolInt(s.fav), boolInt(s.private), boolInt(s.archived), boolInt(s.gone), s.rating, s.title)
	if err != nil {
		l.t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

// at adds plain photos taken at these times and returns their ids.
func (l memLib) at(times ...string) []int64 {
	var ids []int64
	for _, t := range times {
		ids = append(ids, l.add(shot{at: t}))
	}
	return ids
}

func (l memLib) memories(date string, r Reader) []Memory {
	l.t.Helper()
	day, err := time.Parse("2006-01-02", date)
	if err != nil {
		l.t.Fatal(err)
	}
	ms, err := l.d.Memories(context.Background(), MemoryQuery{Date: day, Reader: r})
	if err != nil {
		l.t.Fatal(err)
	}
	return ms
}

// cards writes memories as "id:title[photo dates]" for comparisons.
func cards(ms []Memory) []string {
	var out []string
	for _, m := range ms {
		var days []string
		for _, p := range m.Photos {
			days = append(days, p.TakenLocal[:10])
		}
		out = append(out, fmt.Sprintf("%s:%s%v", m.ID, m.Title, days))
	}
	return out
}

func ids(m Memory) []int64 {
	var out []int64
	for _, p := range m.Photos {
		out = append(out, p.ID)
	}
	return out
}

func wantCards(t *testing.T, date string, got []Memory, want ...string) {
	t.Helper()
	if g := cards(got); !slices.Equal(g, want) {
		t.Errorf("memories of %s:\n got %q\nwant %q", date, g, want)
	}
}

// The cards of a day: "On this day" across the years that have photos on
// it, then a card per earlier year, newest first — the day's own when it
// has enough photos, else its week's. This year's photos and photos
// outside the week are never memories.
func TestMemoriesDates(t *testing.T) {
	l := newMemLib(t)
	l.at("2024-06-14 09:00:00", "2024-06-14 13:00:00", "2024-06-14 18:00:00") // 1 year ago, on the day
	l.at("2022-06-16 10:00:00", "2022-06-11 10:00:00")                        // 3 years ago, the week only
	l.at("2021-06-13 10:00:00", "2021-06-14 10:00:00", "2021-06-17 10:00:00") // one on the day: the week's card
	l.at("2019-06-14 08:00:00")                                               // on the day, alone: its own card
	l.at("2025-06-13 10:00:00", "2025-06-14 08:00:00")                        // this year: no memory
	l.at("2020-06-20 10:00:00", "2018-06-10 10:00:00", "2017-12-14 10:00:00") // outside the week
	wantCards(t, "2025-06-14", l.memories("2025-06-14", ownerReader),
		"on-this-day:On this day[2019-06-14 2021-06-14 2024-06-14 2024-06-14 2024-06-14]",
		"day-2024:1 year ago[2024-06-14 2024-06-14 2024-06-14]",
		"week-2022:This week 3 years ago[2022-06-11 2022-06-16]",
		"week-2021:This week 4 years ago[2021-06-13 2021-06-14 2021-06-17]",
		"day-2019:6 years ago[2019-06-14]")
	ms := l.memories("2025-06-14", ownerReader)
	if m := ms[2]; m.From != "2022-06-11" || m.To != "2022-06-16" || m.Count != 2 || m.YearsAgo != 3 || m.Kind != MemoryWeekYearsAgo {
		t.Errorf("week card: %+v", m)
	}
	if m := ms[0]; m.Kind != MemoryOnThisDay || m.From != "2019-06-14" || m.To != "2024-06-14" || m.Count != 5 {
		t.Errorf("on this day: %+v", m)
	}
	// A day with nothing in earlier years has no memories.
	if ms := l.memories("2025-03-03", ownerReader); len(ms) != 0 {
		t.Errorf("3 March: %q, want none", cards(ms))
	}
}

// Weeks that cross New Year belong to the year whose date they surround:
// on 1 January, 30 December 2023 is "this week 1 year ago"; on 31
// December, 2 January 2025 is too (and 30 December 2024 of the year
// before is not this year's).
func TestMemoriesAcrossTheYearsEnd(t *testing.T) {
	l := newMemLib(t)
	l.at("2023-12-30 10:00:00", "2024-01-03 10:00:00") // around 1 Jan 2024
	l.at("2022-01-01 10:00:00", "2022-01-01 12:00:00", "2022-01-01 14:00:00")
	l.at("2024-12-30 10:00:00") // around 1 Jan 2025: this year's, on 1 Jan 2025
	wantCards(t, "2025-01-01", l.memories("2025-01-01", ownerReader),
		"week-2024:This week 1 year ago[2023-12-30 2024-01-03]",
		"day-2022:3 years ago[2022-01-01 2022-01-01 2022-01-01]")
	l.at("2025-01-02 10:00:00")
	wantCards(t, "2025-12-31", l.memories("2025-12-31", ownerReader),
		"week-2024:This week 1 year ago[2024-12-30 2025-01-02]",
		"week-2023:This week 2 years ago[2023-12-30 2024-01-03]",
		"week-2021:This week 4 years ago[2022-01-01 2022-01-01 2022-01-01]")
}

// 29 February: in a leap year it recalls earlier 29 Februaries (and the
// 28ths of the years between as their week); in other years its photos
// come back on the 28th.
func TestMemoriesOnTheTwentyNinthOfFebruary(t *testing.T) {
	l := newMemLib(t)
	l.at("2024-02-29 10:00:00")
	l.at("2023-02-28 10:00:00")
	wantCards(t, "2028-02-29", l.memories("2028-02-29", ownerReader),
		"day-2024:4 years ago[2024-02-29]",
		"week-2023:This week 5 years ago[2023-02-28]")
	wantCards(t, "2027-02-28", l.memories("2027-02-28", ownerReader),
		"on-this-day:On this day[2023-02-28 2024-02-29]",
		"day-2024:3 years ago[2024-02-29]",
		"day-2023:4 years ago[2023-02-28]")
	// On a leap year's 28th, 29 February is the next day: its week.
	wantCards(t, "2028-02-28", l.memories("2028-02-28", ownerReader),
		"week-2024:This week 4 years ago[2024-02-29]",
		"day-2023:5 years ago[2023-02-28]")
	// 1 March of a common year: 29 February 2024 was the day before 1 March 2024.
	wantCards(t, "2027-03-01", l.memories("2027-03-01", ownerReader),
		"week-2024:This week 3 years ago[2024-02-29]",
		"week-2023:This week 4 years ago[2023-02-28]")
}

// Memories show only what the reader may see: never archived, missing or
// rejected photos, private ones only to the owner, and — for any reader —
// the reader's own condition (a visitor's album here; trash when
// db/reader.go hides it), since the query applies Reader.photoCond.
func TestMemoriesVisibility(t *testing.T) {
	l := newMemLib(t)
	pub := l.add(shot{at: "2024-06-14 09:00:00"})
	priv := l.add(shot{at: "2024-06-14 11:00:00", private: true, fav: true})
	l.add(shot{at: "2024-06-14 13:00:00", archived: true, fav: true})
	l.add(shot{at: "2024-06-14 15:00:00", gone: true, fav: true})
	l.add(shot{at: "2024-06-14 17:00:00", rating: -1})
	other := l.add(shot{at: "2024-06-14 19:00:00"})
	trashed := l.add(shot{at: "2024-06-14 20:00:00", fav: true})
	if _, err := l.d.TrashPhotos(context.Background(), []int64{trashed}); err != nil { // in the Trash: no memory for anyone
		t.Fatal(err)
	}
	get := func(r Reader) []int64 {
		ms := l.memories("2025-06-14", r)
		if len(ms) != 1 {
			t.Fatalf("%+v: %q, want one card", r, cards(ms))
		}
		return ids(ms[0])
	}
	if got := get(ownerReader); !slices.Equal(got, []int64{pub, priv, other}) {
		t.Errorf("owner sees %v, want %v (no archived, missing, rejected or trashed photo)", got, []int64{pub, priv, other})
	}
	if got := get(Reader{Kind: Viewer}); !slices.Equal(got, []int64{pub, other}) {
		t.Errorf("viewer sees %v, want %v (no private photo)", got, []int64{pub, other})
	}
	if got := get(Reader{}); !slices.Equal(got, []int64{pub, other}) {
		t.Errorf("the zero reader sees %v, want %v", got, []int64{pub, other})
	}
	a, err := l.d.CreateAlbum(context.Background(), "Summer", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.d.AddToAlbum(context.Background(), a.ID, []int64{other, priv}); err != nil {
		t.Fatal(err)
	}
	if got := get(VisitorOf(a.ID)); !slices.Equal(got, []int64{other}) {
		t.Errorf("a visitor of the album sees %v, want only %d: the reader's own condition is not applied", got, other)
	}
}

// A card's photos are its best: favourites, then ratings, then photos in
// an album or with a title; the best is the cover; photos come in the
// order they were taken.
func TestMemoriesBestFirst(t *testing.T) {
	l := newMemLib(t)
	var plain []int64
	for h := 6; h < 22; h++ {
		plain = append(plain, l.add(shot{at: fmt.Sprintf("2020-06-14 %02d:00:00", h)}))
	}
	fav := l.add(shot{at: "2020-06-14 12:30:00", fav: true})
	five := l.add(shot{at: "2020-06-14 07:30:00", rating: 5})
	three := l.add(shot{at: "2020-06-14 20:30:00", rating: 3})
	named := l.add(shot{at: "2020-06-14 16:30:00", title: "The lake"})
	ms, err := l.d.Memories(context.Background(), MemoryQuery{Date: time.Date(2025, 6, 14, 0, 0, 0, 0, time.UTC), Reader: ownerReader, Photos: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 {
		t.Fatalf("%q", cards(ms))
	}
	m := ms[0]
	if want := []int64{five, fav, named, three}; !slices.Equal(ids(m), want) {
		t.Errorf("picked %v, want the rated, favourite and titled photos %v in time order", ids(m), want)
	}
	if m.CoverID != fav {
		t.Errorf("cover %d, want the favourite %d", m.CoverID, fav)
	}
	if m.Count != len(plain)+4 {
		t.Errorf("count %d, want %d", m.Count, len(plain)+4)
	}
}

// A burst (one camera, seconds apart) gives a card one photo, the best of
// it; another camera at the same moment is another picture.
func TestMemoriesNoNearRepeats(t *testing.T) {
	l := newMemLib(t)
	var burst []int64
	for s := 0; s < 10; s++ { // two a second for five seconds
		burst = append(burst, l.add(shot{at: fmt.Sprintf("2023-06-14 10:00:%02d", s/2), rating: 1}))
	}
	best := l.add(shot{at: "2023-06-14 10:00:02", rating: 4})
	phone := l.add(shot{at: "2023-06-14 10:00:03", camera: "Pixel 7"})
	ms := l.memories("2025-06-14", ownerReader)
	if len(ms) != 1 {
		t.Fatalf("%q", cards(ms))
	}
	got := ids(ms[0])
	fromBurst := 0
	for _, id := range got {
		if slices.Contains(burst, id) || id == best {
			fromBurst++
		}
	}
	if fromBurst != 1 || !slices.Contains(got, best) || !slices.Contains(got, phone) {
		t.Errorf("picked %v: want one photo of the burst (the best, %d) and the other camera's %d", got, best, phone)
	}
	// Seconds apart: 5 s is one moment, 20 s two.
	if !sameMoment(&memoryCandidate{camera: "a", at: time.Unix(0, 0)}, &memoryCandidate{camera: "a", at: time.Unix(5, 0)}) ||
		sameMoment(&memoryCandidate{camera: "a", at: time.Unix(0, 0)}, &memoryCandidate{camera: "a", at: time.Unix(20, 0)}) {
		t.Error("sameMoment: 5 s apart should be one moment, 20 s apart two")
	}
}

// A day with a flurry of photos in a few minutes and a few spread over
// the rest of it: the card spreads over the day instead of filling up
// from the flurry.
func TestMemoriesSpreadAcrossTheDay(t *testing.T) {
	l := newMemLib(t)
	var flurry []int64
	for i := 0; i < 30; i++ { // 10:00:00–10:04:50, 10 s apart: no bursts, one scene
		flurry = append(flurry, l.add(shot{at: fmt.Sprintf("2022-06-14 10:%02d:%02d", i/6, i%6*10)}))
	}
	for h := 7; h <= 21; h += 2 { // 8 photos, 07:30–21:30
		l.add(shot{at: fmt.Sprintf("2022-06-14 %02d:30:00", h)})
	}
	ms, err := l.d.Memories(context.Background(), MemoryQuery{Date: time.Date(2025, 6, 14, 0, 0, 0, 0, time.UTC), Reader: ownerReader, Photos: 6})
	if err != nil {
		t.Fatal(err)
	}
	m := ms[0]
	n := 0
	for _, id := range ids(m) {
		if slices.Contains(flurry, id) {
			n++
		}
	}
	first, _ := time.Parse(TimeLayout, m.Photos[0].TakenLocal)
	last, _ := time.Parse(TimeLayout, m.Photos[len(m.Photos)-1].TakenLocal)
	if len(m.Photos) != 6 || n > 1 || last.Sub(first) < 5*time.Hour {
		t.Errorf("picked %d photos, %d from the five-minute flurry, spanning %v: %q; want 6, at most 1, over 5 h",
			len(m.Photos), n, last.Sub(first), cards(ms))
	}
}

// At most MemoryCards cards of at most MemoryPhotos photos; a photo the
// caller cannot show is replaced by another.
func TestMemoriesBoundsAndUnusablePhotos(t *testing.T) {
	l := newMemLib(t)
	for y := 2005; y < 2025; y++ {
		for i := 0; i < 30; i++ {
			l.add(shot{at: fmt.Sprintf("%d-06-14 %02d:%02d:00", y, 6+i/2, i%2*30)})
		}
	}
	ms := l.memories("2025-06-14", ownerReader)
	if len(ms) != MemoryCards {
		t.Errorf("%d cards, want %d", len(ms), MemoryCards)
	}
	for _, m := range ms {
		if len(m.Photos) != MemoryPhotos {
			t.Errorf("%s: %d photos, want %d", m.ID, len(m.Photos), MemoryPhotos)
		}
	}
	if ms[0].ID != "on-this-day" || ms[1].ID != "day-2024" || ms[5].ID != "day-2020" {
		t.Errorf("cards %q", cards(ms))
	}
	// Every year gets a turn in "On this day" (12 photos, 20 years).
	years := map[string]bool{}
	for _, p := range ms[0].Photos {
		years[p.TakenLocal[:4]] = true
	}
	if len(years) != MemoryPhotos {
		t.Errorf("on this day spans %d years, want %d", len(years), MemoryPhotos)
	}

	refused := map[int64]bool{}
	for _, p := range ms[1].Photos[:5] {
		refused[p.ID] = true
	}
	day := time.Date(2025, 6, 14, 0, 0, 0, 0, time.UTC)
	again, err := l.d.Memories(context.Background(), MemoryQuery{Date: day, Reader: ownerReader,
		Usable: func(p *Photo) bool { return !refused[p.ID] }})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range again {
		for _, p := range m.Photos {
			if refused[p.ID] {
				t.Errorf("%s shows photo %d, which the caller cannot show", m.ID, p.ID)
			}
		}
		if len(m.Photos) != MemoryPhotos {
			t.Errorf("%s: %d photos after replacing the unusable ones, want %d", m.ID, len(m.Photos), MemoryPhotos)
		}
	}
}

// The candidates are read through the month-day index (migration 027),
// one range per day, not by scanning every photo (or the whole index).
func TestMemoriesUseTheMonthDayIndex(t *testing.T) {
	l := newMemLib(t)
	for _, r := range []Reader{ownerReader, {Kind: Viewer}} {
		keys := memoryDayKeys(time.June, 14)
		stmt := `EXPLAIN QUERY PLAN SELECT p.id FROM photos p INDEXED BY photos_monthday WHERE substr(p.taken_local, 6, 5) IN (` +
			strings.TrimSuffix(strings.Repeat("?,", len(keys)), ",") + `) AND p.archived = 0 AND p.missing = 0 AND p.rating >= 0 AND p.taken_local < ? AND ` + r.photoCond()
		args := []any{}
		for _, k := range keys {
			args = append(args, k)
		}
		args = append(args, "2025-01-01")
		rows, err := l.d.sql.Query(stmt, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			rows.Scan(&id, &parent, &notused, &detail)
			plan = append(plan, detail)
		}
		rows.Close()
		// SEARCH: a range of the index per day, not a SCAN of all of it
		// (which INDEXED BY would allow when the expression differs).
		if !strings.Contains(strings.Join(plan, "; "), "SEARCH p USING INDEX photos_monthday") {
			t.Errorf("%+v: the plan does not search photos_monthday: %q", r, plan)
		}
	}
	// And the real query is the one this mirrors: it finds photos.
	l.at("2024-06-14 10:00:00")
	if ms := l.memories("2025-06-14", ownerReader); len(ms) != 1 {
		t.Errorf("%q", cards(ms))
	}
}

// BenchmarkMemories: a day's memories of a generated 100k-photo library
// (25 years, about 270 photos a day), as the owner and as a viewer.
func BenchmarkMemories(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "pinhole.db")
	d, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	if err := d.InsertSynthetic(ctx, 100_000, 1); err != nil {
		b.Fatal(err)
	}
	if err := d.Close(); err != nil {
		b.Fatal(err)
	}
	if d, err = Open(ctx, path); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	for _, r := range []Reader{ownerReader, {Kind: Viewer}} {
		name := "owner"
		if r.Kind == Viewer {
			name = "viewer"
		}
		b.Run(name, func(b *testing.B) {
			day := time.Date(2025, 6, 14, 0, 0, 0, 0, time.UTC)
			var n int
			for b.Loop() {
				ms, err := d.Memories(ctx, MemoryQuery{Date: day, Reader: r})
				if err != nil {
					b.Fatal(err)
				}
				n = len(ms)
				day = day.AddDate(0, 0, 1) // another day each time: no warm answer
			}
			b.ReportMetric(float64(n), "cards")
		})
	}
}
