package db

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Memories are photos taken around today's date in earlier years: the
// timeline's "On this day", "N years ago" and "This week N years ago"
// cards, each a handful of a day's best photos for the story player.

// Kinds of memory card.
const (
	// MemoryOnThisDay mixes every earlier year's photos of this day; it
	// is made when at least two years have some.
	MemoryOnThisDay = "on_this_day"
	// MemoryYearsAgo is one year's photos of this day.
	MemoryYearsAgo = "years_ago"
	// MemoryWeekYearsAgo is one year's photos of the week around this day,
	// for a year whose day itself has too few.
	MemoryWeekYearsAgo = "week_years_ago"
)

// Bounds of the memories answer.
const (
	MemoryPhotos = 12 // photos per card
	MemoryCards  = 6  // cards
	// memoryWeekDays is how far either side of a day counts as its week.
	memoryWeekDays = 3
	// memoryDayCard is how many photos a day needs to get a card of its
	// own rather than its week's (unless the week has no more).
	memoryDayCard = 3
	// burstGap: photos from one camera this close together are one moment
	// (a burst, a bracket); a card shows one of them.
	burstGap = 5 * time.Second
	// minSpread is the least spacing the first pass keeps between picks.
	minSpread = time.Minute
)

// Memory is one card: the photos chosen for it in the order they were
// taken.
type Memory struct {
	// ID names the card for a date: "on-this-day", "day-2019", "week-2019".
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Title    string `json:"title"`
	YearsAgo int    `json:"years_ago"` // 0 for on_this_day
	// From and To are the first and last day (YYYY-MM-DD) of the photos
	// the card was chosen from.
	From  string `json:"from"`
	To    string `json:"to"`
	Count int    `json:"count"` // photos there were to choose from
	// CoverID is the best of the photos: the card's picture.
	CoverID int64   `json:"cover_id"`
	Photos  []Photo `json:"photos"`
}

// MemoryQuery asks for the memories of one day.
type MemoryQuery struct {
	// Date is the day memories are for: its year, month and day as they
	// read (the caller's "today" in its own time zone); photos are matched
	// by the wall-clock time they were taken.
	Date time.Time
	// Reader is who asks: memories never show what it may not see, and
	// never archived, missing or rejected (rating below 0) photos.
	Reader Reader
	Photos int // per card, 1–MemoryPhotos; 0 means MemoryPhotos
	Cards  int // 1–MemoryCards; 0 means MemoryCards
	// Usable, when set, says whether a chosen photo can be shown (the web
	// server leaves out photos without a preview); another is chosen in
	// its place.
	Usable func(*Photo) bool
}

// memoryCandidate is what choosing needs of a photo.
type memoryCandidate struct {
	id     int64
	at     time.Time // wall-clock time taken, read as UTC
	day    time.Time // its date at midnight
	score  int
	camera string
	tie    uint64 // orders equal scores, differently each day
}

// nearDuplicate says whether b repeats a picture like a, so a card shows
// only one of them. Until photos carry perceptual hashes it is sameMoment;
// a hash distance can replace it here without touching the pickers.
var nearDuplicate = sameMoment

// sameMoment: the same camera within burstGap.
func sameMoment(a, b *memoryCandidate) bool {
	return a.camera == b.camera && absDuration(a.at.Sub(b.at)) <= burstGap
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// anniversary is the day of year y that recalls month m, day d: a 29
// February falls on the 28th in years without one.
func anniversary(y int, m time.Month, d int) time.Time {
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return time.Date(y, m, min(d, last), 0, 0, 0, 0, time.UTC)
}

// memoryDayKeys are the "MM-DD" keys of every day that can be in the
// week around month m, day d in some year (leap years shift the days
// near the end of February).
func memoryDayKeys(m time.Month, d int) []string {
	set := map[string]bool{}
	for _, y := range []int{2023, 2024} { // a common year and a leap year
		a := anniversary(y, m, d)
		for k := -memoryWeekDays; k <= memoryWeekDays; k++ {
			set[a.AddDate(0, 0, k).Format("01-02")] = true
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Memories returns the memory cards of q.Date, best first: "On this day"
// (when two or more earlier years have photos that day), then one card
// per earlier year, the most recent first — its day's photos when the day
// has at least memoryDayCard of them (or all of its week's), else its
// week's. Each card holds its best photos: favourites, then higher
// ratings, then photos in albums or with a title, never two of one moment
// (nearDuplicate), spread across the time they span.
func (d *DB) Memories(ctx context.Context, q MemoryQuery) ([]Memory, error) {
	if q.Photos <= 0 || q.Photos > MemoryPhotos {
		q.Photos = MemoryPhotos
	}
	if q.Cards <= 0 || q.Cards > MemoryCards {
		q.Cards = MemoryCards
	}
	y0, m0, d0 := q.Date.Date()
	if y0 < 1 || y0 > 9999 {
		return nil, fmt.Errorf("memories: year %d out of range: %w", y0, ErrInvalid)
	}
	cands, err := d.memoryCandidates(ctx, q.Reader, y0, m0, d0)
	if err != nil {
		return nil, err
	}

	// Sort each photo into the year whose anniversary it is near.
	today := anniversary(y0, m0, d0)
	type year struct {
		y         int
		day, week []*memoryCandidate
	}
	years := map[int]*year{}
	for _, c := range cands {
		onDay := anniversary(y0, c.day.Month(), c.day.Day()).Equal(today)
		for _, y := range []int{c.day.Year() - 1, c.day.Year(), c.day.Year() + 1} {
			dist := absDuration(c.day.Sub(anniversary(y, m0, d0)))
			if dist > memoryWeekDays*24*time.Hour || y >= y0 {
				continue
			}
			yr := years[y]
			if yr == nil {
				yr = &year{y: y}
				years[y] = yr
			}
			yr.week = append(yr.week, c)
			if onDay && y == c.day.Year() {
				yr.day = append(yr.day, c)
			}
			break
		}
	}
	order := make([]*year, 0, len(years))
	for _, yr := range years {
		order = append(order, yr)
	}
	sort.Slice(order, func(i, j int) bool { return order[i].y > order[j].y })

	// plan is a card before its photos are loaded.
	type plan struct {
		m    Memory
		pool [][]*memoryCandidate // one group per year
	}
	var plans []plan
	var dayGroups [][]*memoryCandidate
	for _, yr := range order {
		if len(yr.day) > 0 {
			dayGroups = append(dayGroups, yr.day)
		}
	}
	if len(dayGroups) >= 2 {
		plans = append(plans, plan{Memory{ID: "on-this-day", Kind: MemoryOnThisDay, Title: "On this day"}, dayGroups})
	}
	for _, yr := range order {
		if len(plans) == q.Cards {
			break
		}
		n := y0 - yr.y
		ago := strconv.Itoa(n) + " years ago"
		if n == 1 {
			ago = "1 year ago"
		}
		if len(yr.day) >= min(memoryDayCard, len(yr.week)) {
			plans = append(plans, plan{Memory{ID: fmt.Sprintf("day-%d", yr.y), Kind: MemoryYearsAgo, Title: ago, YearsAgo: n},
				[][]*memoryCandidate{yr.day}})
		} else {
			plans = append(plans, plan{Memory{ID: fmt.Sprintf("week-%d", yr.y), Kind: MemoryWeekYearsAgo, Title: "This week " + ago, YearsAgo: n},
				[][]*memoryCandidate{yr.week}})
		}
	}

	// Choose, load, and choose again in place of photos that cannot be
	// shown, a few rounds at most.
	loaded := map[int64]Photo{}
	bad := map[int64]bool{}
	var picks [][]*memoryCandidate
	for round := 0; round < 4; round++ {
		picks = picks[:0]
		var want []int64
		for _, pl := range plans {
			pool := make([][]*memoryCandidate, len(pl.pool))
			for i, g := range pl.pool {
				pool[i] = slices.DeleteFunc(slices.Clone(g), func(c *memoryCandidate) bool { return bad[c.id] })
			}
			p := pickAcross(pool, q.Photos, nearDuplicate)
			picks = append(picks, p)
			for _, c := range p {
				if _, ok := loaded[c.id]; !ok {
					want = append(want, c.id)
				}
			}
		}
		if len(want) == 0 {
			break
		}
		ps, err := d.photosByID(ctx, want)
		if err != nil {
			return nil, err
		}
		fresh := false
		for _, p := range ps {
			if q.Usable != nil && !q.Usable(&p) {
				bad[p.ID] = true
				fresh = true
				continue
			}
			loaded[p.ID] = p
		}
		for _, id := range want { // gone since the candidates were read
			if _, ok := loaded[id]; !ok && !bad[id] {
				bad[id] = true
				fresh = true
			}
		}
		if !fresh {
			break
		}
	}

	out := []Memory{}
	for i, pl := range plans {
		m := pl.m
		var chosen []*memoryCandidate
		for _, c := range picks[i] {
			if _, ok := loaded[c.id]; ok && !bad[c.id] {
				chosen = append(chosen, c)
			}
		}
		if len(chosen) == 0 {
			continue
		}
		m.CoverID = chosen[0].id
		first, last := time.Time{}, time.Time{}
		for _, g := range pl.pool {
			m.Count += len(g)
			for _, c := range g {
				if first.IsZero() || c.day.Before(first) {
					first = c.day
				}
				if c.day.After(last) {
					last = c.day
				}
			}
		}
		m.From, m.To = first.Format("2006-01-02"), last.Format("2006-01-02")
		slices.SortFunc(chosen, func(a, b *memoryCandidate) int {
			if c := a.at.Compare(b.at); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		})
		m.Photos = make([]Photo, len(chosen))
		for j, c := range chosen {
			m.Photos[j] = loaded[c.id]
		}
		out = append(out, m)
	}
	return out, nil
}

// memoryCandidates reads every photo r may see that memories may show,
// taken in an earlier year within memoryWeekDays of month m0, day d0. The
// month-day condition is the expression of the photos_monthday index
// (migration 027), so this reads the index, not the library. The index is
// named: without statistics (the database is never ANALYZEd) the planner
// would rather take photos_timeline's two equalities and read every
// present photo.
func (d *DB) memoryCandidates(ctx context.Context, r Reader, y0 int, m0 time.Month, d0 int) ([]*memoryCandidate, error) {
	keys := memoryDayKeys(m0, d0)
	// The latest photo any earlier year's week can hold.
	bound := anniversary(y0-1, m0, d0).AddDate(0, 0, memoryWeekDays+1).Format("2006-01-02")
	args := make([]any, 0, len(keys)+1)
	for _, k := range keys {
		args = append(args, k)
	}
	args = append(args, bound)
	stmt := `SELECT p.id, p.taken_local, p.favorite, p.rating, p.make, p.model,
			EXISTS (SELECT 1 FROM album_photos ap WHERE ap.photo_id = p.id), p.title <> '' OR p.description <> ''
		FROM photos p INDEXED BY photos_monthday
		WHERE substr(p.taken_local, 6, 5) IN (` + strings.TrimSuffix(strings.Repeat("?,", len(keys)), ",") + `)
			AND p.archived = 0 AND p.missing = 0 AND p.rating >= 0 AND p.taken_local < ? AND ` + r.listCond()
	done, err := d.wait(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := d.sql.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("memories: %w", err)
	}
	defer rows.Close()
	seed := uint64(y0*10000 + int(m0)*100 + d0)
	var out []*memoryCandidate
	for rows.Next() {
		var c memoryCandidate
		var local, mk, model string
		var fav, inAlbum, named bool
		var rating int
		if err := rows.Scan(&c.id, &local, &fav, &rating, &mk, &model, &inAlbum, &named); err != nil {
			return nil, err
		}
		at, err := time.ParseInLocation(TimeLayout, local, time.UTC)
		if err != nil {
			continue // no usable date: nothing to remember it by
		}
		c.at = at
		c.day = time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
		c.camera = mk + "\x00" + model
		c.score = rating * 10
		if fav {
			c.score += 100
		}
		if inAlbum {
			c.score += 5
		}
		if named {
			c.score += 3
		}
		h := fnv.New64a()
		fmt.Fprintf(h, "%d/%d", seed, c.id)
		c.tie = h.Sum64()
		out = append(out, &c)
	}
	return out, rows.Err()
}

// photosByID loads photos by id, in no particular order.
func (d *DB) photosByID(ctx context.Context, ids []int64) ([]Photo, error) {
	js, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := d.sql.QueryContext(ctx, `SELECT `+photoColumns+` FROM photos p `+photoJoins+`
		WHERE p.id IN (SELECT value FROM json_each(?))`, string(js))
	if err != nil {
		return nil, fmt.Errorf("load photos: %w", err)
	}
	defer rows.Close()
	var out []Photo
	for rows.Next() {
		p, err := scanPhoto(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// pickBest chooses up to n of cands, best first: by score, never a near
// duplicate (near) of one already chosen, and spread over the time the
// candidates span — a first pass keeps every pick at least span/2n (and
// minSpread) from the others, a second fills the places left without
// that spacing. Favourites come first, so the best of them is always
// chosen and the others are only held back by a nearer, better pick.
func pickBest(cands []*memoryCandidate, n int, near func(a, b *memoryCandidate) bool) []*memoryCandidate {
	if len(cands) == 0 || n <= 0 {
		return nil
	}
	order := slices.Clone(cands)
	slices.SortFunc(order, func(a, b *memoryCandidate) int {
		switch {
		case a.score != b.score:
			return b.score - a.score
		case a.tie < b.tie:
			return -1
		case a.tie > b.tie:
			return 1
		}
		return cmp.Compare(a.id, b.id)
	})
	first, last := order[0].at, order[0].at
	for _, c := range order {
		if c.at.Before(first) {
			first = c.at
		}
		if c.at.After(last) {
			last = c.at
		}
	}
	gap := max(minSpread, last.Sub(first)/time.Duration(2*n))
	picked := make([]*memoryCandidate, 0, n)
	taken := make(map[*memoryCandidate]bool, n)
	for pass := 0; pass < 2 && len(picked) < n; pass++ {
		for _, c := range order {
			if len(picked) == n {
				break
			}
			if taken[c] {
				continue
			}
			ok := true
			for _, p := range picked {
				if near(c, p) || pass == 0 && absDuration(c.at.Sub(p.at)) < gap {
					ok = false
					break
				}
			}
			if ok {
				picked = append(picked, c)
				taken[c] = true
			}
		}
	}
	return picked
}

// pickAcross chooses up to n from several groups (years) in turns: every
// group's best, then every group's second best…, so no year crowds out
// the others. With one group it is pickBest.
func pickAcross(groups [][]*memoryCandidate, n int, near func(a, b *memoryCandidate) bool) []*memoryCandidate {
	per := make([][]*memoryCandidate, len(groups))
	for i, g := range groups {
		per[i] = pickBest(g, n, near)
	}
	var out []*memoryCandidate
	for r := 0; len(out) < n; r++ {
		more := false
		for _, p := range per {
			if r < len(p) && len(out) < n {
				out = append(out, p[r])
				more = true
			}
		}
		if !more {
			break
		}
	}
	return out
}
