package db

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// PhotoQuery selects photos for lists, search and counts. Zero values mean
// "no filter"; by default archived and missing photos are left out, and
// photos in the Trash always are (db/trash.go lists those).
type PhotoQuery struct {
	Text           string // words, matched as prefixes in the full-text index
	After, Before  string // TimeLayout (or a prefix such as "2019-07-01"), on taken_at
	Year, Month    int
	Make, Model    string
	Lens           string
	Country        string // country code
	State, City    string
	Near           *Circle
	BBox           *BBox
	Favorite       *bool
	Private        *bool
	Archived       *bool
	Missing        *bool
	Type           string // photo, video, raw, live
	MinRating      int    // at least this many stars (1–5); 0 is no filter
	Album          int64
	Person         int64   // photos with this person's face
	PersonName     string  // photos with the face of the person of this name (case aside)
	Folder         *string // photos directly in this folder ("" is the root)
	Sort           string  // taken (default), added, title, position (needs Album), rating (then taken)
	Reverse        bool    // flip the sort's natural direction
	Limit          int     // 1–500, default 100
	Cursor         string
	Reader         Reader // who asks: the zero Reader sees no private photo
	ExcludeMissing bool   // internal: set by the defaults
}

// Circle is "within RadiusKm of a point".
type Circle struct{ Lat, Lng, RadiusKm float64 }

// BBox is a longitude/latitude box.
type BBox struct{ MinLng, MinLat, MaxLng, MaxLat float64 }

// PhotoPage is one page of a photo list; Next is the cursor of the next
// page, "" at the end.
type PhotoPage struct {
	Photos []Photo `json:"photos"`
	Next   string  `json:"next"`
}

// MonthCount is the number of photos taken in one month.
type MonthCount struct {
	Year  int `json:"year"`
	Month int `json:"month"`
	Count int `json:"count"`
}

type cursor struct {
	Sort string `json:"s"`
	Key  any    `json:"k"`
	ID   int64  `json:"i"`
}

var mediaTypes = map[string]string{"photo": "image", "image": "image", "video": "video", "raw": "raw", "live": "live"}

// ftsQuery turns what a person typed into an FTS5 query: every word must
// match as a prefix. Quoting each word keeps FTS5 syntax (AND, NEAR, *,
// column filters) from being injected.
func ftsQuery(text string) string {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range words {
		words[i] = `"` + w + `"*`
	}
	if len(words) > 16 {
		words = words[:16]
	}
	return strings.Join(words, " ")
}

type queryParts struct {
	from  string
	where []string
	args  []any
}

func (q *queryParts) add(cond string, args ...any) {
	q.where = append(q.where, cond)
	q.args = append(q.args, args...)
}

func (q *queryParts) sql() string {
	s := q.from
	if len(q.where) > 0 {
		s += " WHERE " + strings.Join(q.where, " AND ")
	}
	return s
}

// filters builds FROM and WHERE for q (without cursor and order).
func (q *PhotoQuery) filters() (*queryParts, error) { return q.filtersWith(false) }

// filtersWith is filters with a choice of plan for text searches. With
// textOrder the full-text index drives the query (alias s) and hands back
// matches in timeline order (see searchKey), so a page of a word that
// matches thousands of photos reads about a page of rows.
func (q *PhotoQuery) filtersWith(textOrder bool) (*queryParts, error) {
	p := &queryParts{from: "photos p"}
	if q.Sort == "position" {
		if q.Album == 0 {
			return nil, fmt.Errorf("sort by position needs an album: %w", ErrInvalid)
		}
		p.from += " JOIN album_photos ap ON ap.photo_id = p.id AND ap.album_id = ?"
		p.args = append(p.args, q.Album)
	} else if q.Album != 0 {
		p.add("p.id IN (SELECT photo_id FROM album_photos WHERE album_id = ?)", q.Album)
	}
	if q.Person != 0 {
		p.add("p.id IN (SELECT photo_id FROM faces WHERE person_id = ?)", q.Person)
	}
	if q.PersonName != "" {
		p.add("p.id IN (SELECT fc.photo_id FROM faces fc JOIN people pe ON pe.id = fc.person_id WHERE pe.name = ? COLLATE NOCASE)", q.PersonName)
	}
	if q.Text != "" {
		fq := ftsQuery(q.Text)
		if fq == "" {
			return nil, fmt.Errorf("search text has no words: %w", ErrInvalid)
		}
		if textOrder {
			p.from = fmt.Sprintf("photos_fts s CROSS JOIN photos p ON p.id = (s.rowid & %d)", searchIDMask)
			p.add("photos_fts MATCH ?", fq)
		} else {
			p.add(fmt.Sprintf("p.id IN (SELECT rowid & %d FROM photos_fts WHERE photos_fts MATCH ?)", searchIDMask), fq)
		}
	}
	if q.After != "" {
		p.add("p.taken_at >= ?", q.After)
	}
	if q.Before != "" {
		p.add("p.taken_at < ?", q.Before)
	}
	if q.Year != 0 {
		if q.Year < 1 || q.Year > 9999 || q.Month < 0 || q.Month > 12 {
			return nil, fmt.Errorf("year or month out of range: %w", ErrInvalid)
		}
		from, to := fmt.Sprintf("%04d", q.Year), fmt.Sprintf("%04d", q.Year+1)
		if q.Month != 0 {
			from = fmt.Sprintf("%04d-%02d", q.Year, q.Month)
			to = fmt.Sprintf("%04d-%02d", q.Year, q.Month+1)
			if q.Month == 12 {
				to = fmt.Sprintf("%04d-13", q.Year) // sorts after "-12-31 …"
			}
		}
		p.add("p.taken_at >= ? AND p.taken_at < ?", from, to)
	} else if q.Month != 0 {
		return nil, fmt.Errorf("month needs a year: %w", ErrInvalid)
	}
	if q.Make != "" {
		p.add("p.make = ?", q.Make)
	}
	if q.Model != "" {
		p.add("p.model = ?", q.Model)
	}
	if q.Lens != "" {
		p.add("p.lens = ?", q.Lens)
	}
	if q.Country != "" {
		p.add("p.country_code = ?", strings.ToUpper(q.Country))
	}
	if q.State != "" {
		p.add("p.state = ?", q.State)
	}
	if q.City != "" {
		p.add("p.city = ?", q.City)
	}
	if c := q.Near; c != nil {
		if !finite(c.Lat, c.Lng, c.RadiusKm) {
			return nil, fmt.Errorf("near: position or radius is not a finite number: %w", ErrInvalid)
		}
		if c.RadiusKm <= 0 || c.RadiusKm > 20000 || math.Abs(c.Lat) > 90 || math.Abs(c.Lng) > 180 {
			return nil, fmt.Errorf("near: position or radius out of range: %w", ErrInvalid)
		}
		// A bounding box the geo index can use, then an equirectangular
		// distance: exact enough at photo-search scales and needs no trig
		// functions in SQLite.
		dLat := c.RadiusKm / 111.2
		cos := math.Max(math.Cos(c.Lat*math.Pi/180), 0.01)
		dLng := dLat / cos
		p.add("p.lat BETWEEN ? AND ? AND p.lng BETWEEN ? AND ?", c.Lat-dLat, c.Lat+dLat, c.Lng-dLng, c.Lng+dLng)
		p.add("((p.lat - ?) * (p.lat - ?) + (p.lng - ?) * (p.lng - ?) * ? * ?) <= ?",
			c.Lat, c.Lat, c.Lng, c.Lng, cos, cos, dLat*dLat)
	}
	if b := q.BBox; b != nil {
		if !finite(b.MinLng, b.MinLat, b.MaxLng, b.MaxLat) {
			return nil, fmt.Errorf("bbox: not a finite number: %w", ErrInvalid)
		}
		if b.MinLat > b.MaxLat || math.Abs(b.MinLat) > 90 || math.Abs(b.MaxLat) > 90 || math.Abs(b.MinLng) > 180 || math.Abs(b.MaxLng) > 180 {
			return nil, fmt.Errorf("bbox out of range: %w", ErrInvalid)
		}
		if b.MinLng <= b.MaxLng {
			p.add("p.lat BETWEEN ? AND ? AND p.lng BETWEEN ? AND ?", b.MinLat, b.MaxLat, b.MinLng, b.MaxLng)
		} else { // crosses the antimeridian
			p.add("p.lat BETWEEN ? AND ? AND (p.lng >= ? OR p.lng <= ?)", b.MinLat, b.MaxLat, b.MinLng, b.MaxLng)
		}
	}
	flag := func(col string, v *bool, def int) {
		switch {
		case v != nil:
			p.add("p."+col+" = ?", boolInt(*v))
		case def >= 0:
			p.add("p."+col+" = ?", def)
		}
	}
	flag("favorite", q.Favorite, -1)
	if !q.Reader.SeesPrivate() {
		if q.Private != nil && *q.Private {
			p.add("0")
		}
	} else {
		flag("private", q.Private, -1)
		if !q.Reader.SeesAllSpaces() {
			p.add(q.Reader.spaceCond())
		}
	}
	p.add(q.Reader.listCond())
	flag("archived", q.Archived, 0)
	flag("missing", q.Missing, 0)
	if q.Type != "" {
		mt, ok := mediaTypes[q.Type]
		if !ok {
			return nil, fmt.Errorf("media type %q (want photo, video, raw or live): %w", q.Type, ErrInvalid)
		}
		p.add("p.media_type = ?", mt)
	}
	if q.MinRating != 0 {
		if q.MinRating < 1 || q.MinRating > 5 {
			return nil, fmt.Errorf("minimum rating %d: want 1 to 5: %w", q.MinRating, ErrInvalid)
		}
		p.add("p.rating >= ?", q.MinRating)
	}
	if q.Folder != nil {
		p.add(`p.id IN (SELECT photo_id FROM files WHERE photo_id IS NOT NULL
			AND folder_id = (SELECT id FROM folders WHERE path = ?))`, *q.Folder)
	}
	return p, nil
}

// finite reports whether every number is neither NaN nor ±Inf: range
// checks alone let NaN through (every comparison with it is false).
func finite(fs ...float64) bool {
	for _, f := range fs {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

// SearchPhotos returns one page of photos matching q, in q's order. Pages
// are keyset-paginated: the cursor holds the last row's sort key, so a page
// deep into a large library costs the same as the first.
func (d *DB) SearchPhotos(ctx context.Context, q PhotoQuery) (PhotoPage, error) {
	if q.Sort == "" {
		q.Sort = "taken"
	}
	var keyExpr string
	desc := true
	switch q.Sort {
	case "taken":
		keyExpr = "p.taken_at"
	case "added":
		keyExpr = "p.added_at"
	case "title":
		keyExpr, desc = "p.title", false
	case "position":
		keyExpr, desc = "ap.position", false
	case "rating":
		// Two keys, stars then taken time: the cursor carries them as one
		// string (ratingKey) and the comparisons use both columns.
		keyExpr = "p.rating"
	default:
		return PhotoPage{}, fmt.Errorf("sort %q (want taken, added, title, position or rating): %w", q.Sort, ErrInvalid)
	}
	if q.Reverse {
		desc = !desc
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	if q.Limit > 500 {
		q.Limit = 500
	}
	textOrder := q.Text != "" && q.Sort == "taken"
	parts, err := q.filtersWith(textOrder)
	if err != nil {
		return PhotoPage{}, err
	}
	dir, cmp := "ASC", ">"
	if desc {
		dir, cmp = "DESC", "<"
	}
	if q.Cursor != "" {
		c, err := decodeCursor(q.Cursor)
		if err != nil || c.Sort != q.Sort {
			return PhotoPage{}, fmt.Errorf("the cursor does not belong to this list: %w", ErrInvalid)
		}
		key := c.Key
		if f, ok := key.(float64); ok {
			key = int64(f)
		}
		if textOrder {
			parts.add(fmt.Sprintf("s.rowid %s %s", cmp, searchKey("?", "?")), key, c.ID)
		} else if q.Sort == "rating" {
			stars, taken, ok := splitRatingKey(key)
			if !ok {
				return PhotoPage{}, fmt.Errorf("the cursor does not belong to this list: %w", ErrInvalid)
			}
			parts.add(fmt.Sprintf("(p.rating, p.taken_at, p.id) %s (?, ?, ?)", cmp), stars, taken, c.ID)
		} else {
			parts.add(fmt.Sprintf("(%s, p.id) %s (?, ?)", keyExpr, cmp), key, c.ID)
		}
	}
	// The inner query sorts only ids and keys, the outer one fetches the
	// page's columns: sorting narrow rows is several times faster when a
	// filter (text search) matches thousands of photos.
	// With textOrder the search key orders both levels; it agrees with
	// (taken_at, id) except for times clamped to 1800–2199.
	inner, order, outer := "p.id", fmt.Sprintf("%s %s, p.id %s", keyExpr, dir, dir), fmt.Sprintf("k.key %s, k.id %s", dir, dir)
	if textOrder {
		inner, order, outer = "s.rowid", "s.rowid "+dir, "k.ord "+dir
	}
	if q.Sort == "rating" {
		keyExpr = ratingKey
		order = fmt.Sprintf("p.rating %s, p.taken_at %s, p.id %s", dir, dir, dir)
		outer = fmt.Sprintf("k.ord %s, k.key %s, k.id %s", dir, dir, dir)
		inner = "p.rating"
	}
	// Only column names and fixed words are written into the text; every
	// value, the page size included, is a bound parameter.
	stmt := fmt.Sprintf(`SELECT %s, k.key FROM (SELECT p.id AS id, %s AS key, %s AS ord FROM %s ORDER BY %s LIMIT ?) k
		JOIN photos p ON p.id = k.id %s ORDER BY %s`,
		photoColumns, keyExpr, inner, parts.sql(), order, photoJoins, outer)
	parts.args = append(parts.args, q.Limit+1)
	done, err := d.wait(ctx)
	if err != nil {
		return PhotoPage{}, err
	}
	defer done()
	rows, err := d.sql.QueryContext(ctx, stmt, parts.args...)
	if err != nil {
		return PhotoPage{}, fmt.Errorf("search photos: %w", err)
	}
	defer rows.Close()
	page := PhotoPage{Photos: make([]Photo, 0, q.Limit)}
	var lastKey any
	for rows.Next() {
		var key any
		p, err := scanPhoto(extraScan{rows, []any{&key}})
		if err != nil {
			return PhotoPage{}, err
		}
		if len(page.Photos) == q.Limit {
			page.Next = encodeCursor(cursor{Sort: q.Sort, Key: lastKey, ID: page.Photos[len(page.Photos)-1].ID})
			break
		}
		page.Photos = append(page.Photos, p)
		lastKey = key
	}
	return page, rows.Err()
}

// MonthCounts counts the photos matching q per month of their taken time,
// newest first, for the timeline scrubber and the calendar.
func (d *DB) MonthCounts(ctx context.Context, q PhotoQuery) ([]MonthCount, error) {
	if q.timelineOnly() {
		if q.Reader.SeesAllSpaces() {
			return d.timelineMonths(ctx, !q.Reader.SeesPrivate())
		}
		// The kept counts know nothing of private spaces: the photos of
		// spaces hidden from this reader are taken off them (db/spaces.go).
		return d.timelineMonthsLessSpaces(ctx, q.Reader)
	}
	q.Sort = ""
	parts, err := q.filters()
	if err != nil {
		return nil, err
	}
	done, err := d.wait(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := d.sql.QueryContext(ctx, `SELECT substr(p.taken_at, 1, 7) AS m, count(*) FROM `+parts.sql()+
		` GROUP BY m ORDER BY m DESC`, parts.args...)
	if err != nil {
		return nil, fmt.Errorf("count months: %w", err)
	}
	return scanMonthCounts(rows)
}

// ratingKey is the cursor key of the rating sort: the stars and the taken
// time in one string ("4|2019-07-02 12:14:03").
const ratingKey = "p.rating || '|' || p.taken_at"

// splitRatingKey reads a ratingKey back.
func splitRatingKey(k any) (int64, string, bool) {
	s, ok := k.(string)
	if !ok {
		return 0, "", false
	}
	stars, taken, ok := strings.Cut(s, "|")
	n, err := strconv.ParseInt(stars, 10, 64)
	if !ok || err != nil {
		return 0, "", false
	}
	return n, taken, true
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, err
	}
	switch c.Key.(type) {
	case string, float64:
		return c, nil
	}
	return c, fmt.Errorf("cursor key type %T", c.Key)
}

// extraScan lets scanPhoto read rows that carry more columns after the
// photo's own.
type extraScan struct {
	s     scanner
	extra []any
}

func (e extraScan) Scan(dest ...any) error { return e.s.Scan(append(dest, e.extra...)...) }
