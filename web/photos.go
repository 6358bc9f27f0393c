package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"pinhole/db"
)

// parseQuery turns list/search parameters into a db.PhotoQuery.
func parseQuery(v url.Values) (db.PhotoQuery, error) {
	q := db.PhotoQuery{
		Text: strings.TrimSpace(v.Get("q")), Model: v.Get("camera"), Make: v.Get("make"), Lens: v.Get("lens"),
		Country: v.Get("country"), State: v.Get("state"), City: v.Get("city"),
		Type: v.Get("type"), Sort: v.Get("sort"), Cursor: v.Get("cursor"),
	}
	bad := func(name, want string) error {
		return fmt.Errorf("parameter %s: want %s: %w", name, want, db.ErrInvalid)
	}
	if len(q.Text) > 500 || len(q.Cursor) > 500 {
		return q, bad("q or cursor", "at most 500 characters")
	}
	for _, p := range []struct {
		name string
		dst  *string
	}{{"after", &q.After}, {"before", &q.Before}} {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		if !validTimePrefix(s) {
			return q, bad(p.name, "YYYY-MM-DD or YYYY-MM-DD HH:MM:SS")
		}
		*p.dst = s
	}
	ints := []struct {
		name   string
		dst    *int
		lo, hi int64
	}{{"year", &q.Year, 1, 9999}, {"month", &q.Month, 1, 12}, {"limit", &q.Limit, 1, maxLimit}, {"min_rating", &q.MinRating, 1, 5}}
	for _, p := range ints {
		if s := v.Get(p.name); s != "" {
			n, err := intParam(p.name, s, p.lo, p.hi)
			if err != nil {
				return q, err
			}
			*p.dst = int(n)
		}
	}
	if s := v.Get("album"); s != "" {
		n, err := intParam("album", s, 1, math.MaxInt64)
		if err != nil {
			return q, err
		}
		q.Album = n
	}
	if s := v.Get("person"); s != "" {
		n, err := intParam("person", s, 1, math.MaxInt64)
		if err != nil {
			return q, err
		}
		q.Person = n
	}
	q.Text, q.PersonName = personTerm(q.Text)
	bools := []struct {
		name string
		dst  **bool
	}{{"favorite", &q.Favorite}, {"private", &q.Private}, {"archived", &q.Archived}, {"missing", &q.Missing}}
	for _, p := range bools {
		if s := v.Get(p.name); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return q, bad(p.name, "true or false")
			}
			*p.dst = &b
		}
	}
	switch v.Get("order") {
	case "":
	case "asc":
		q.Reverse = q.Sort == "" || q.Sort == "taken" || q.Sort == "added" || q.Sort == "rating"
	case "desc":
		q.Reverse = q.Sort == "title" || q.Sort == "position"
	default:
		return q, bad("order", "asc or desc")
	}
	if v.Has("folder") {
		f, err := cleanRel(v.Get("folder"))
		if err != nil {
			return q, err
		}
		q.Folder = &f
	}
	if v.Get("lat") != "" || v.Get("lng") != "" {
		lat, err := floatParam("lat", v.Get("lat"), -90, 90)
		if err != nil {
			return q, err
		}
		lng, err := floatParam("lng", v.Get("lng"), -180, 180)
		if err != nil {
			return q, err
		}
		r := 1.0
		if s := v.Get("radius"); s != "" {
			if r, err = floatParam("radius", s, 0.001, maxRadius); err != nil {
				return q, err
			}
		}
		q.Near = &db.Circle{Lat: lat, Lng: lng, RadiusKm: r}
	} else if v.Get("radius") != "" {
		return q, bad("radius", "lat and lng with it")
	}
	if s := v.Get("bbox"); s != "" {
		b, err := parseBBox(s)
		if err != nil {
			return q, err
		}
		q.BBox = b
	}
	return q, nil
}

// parseBBox reads "minLng,minLat,maxLng,maxLat" in degrees; minLng may
// exceed maxLng for a box across the antimeridian.
func parseBBox(s string) (*db.BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, fmt.Errorf("parameter bbox: want minLng,minLat,maxLng,maxLat: %w", db.ErrInvalid)
	}
	var f [4]float64
	for i, p := range parts {
		name, lim := "bbox longitude", 180.0
		if i%2 == 1 {
			name, lim = "bbox latitude", 90.0
		}
		n, err := floatParam(name, p, -lim, lim)
		if err != nil {
			return nil, err
		}
		f[i] = n
	}
	if f[1] > f[3] {
		return nil, fmt.Errorf("parameter bbox: minLat %g is north of maxLat %g: %w", f[1], f[3], db.ErrInvalid)
	}
	return &db.BBox{MinLng: f[0], MinLat: f[1], MaxLng: f[2], MaxLat: f[3]}, nil
}

// validTimePrefix accepts "YYYY", "YYYY-MM", "YYYY-MM-DD" and longer
// prefixes of the stored time layout.
func validTimePrefix(s string) bool {
	const layout = "0000-00-00 00:00:00"
	if len(s) < 4 || len(s) > len(layout) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if layout[i] == '0' {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		} else if s[i] != layout[i] {
			return false
		}
	}
	return true
}

type photoList struct {
	Photos     []db.Photo `json:"photos"`
	Next       string     `json:"next"`
	ThumbToken string     `json:"thumb_token"`
}

func (s *Server) listPhotos(c echo.Context) error {
	q, err := parseQuery(c.QueryParams())
	if err != nil {
		return err
	}
	cl := callerOf(c)
	q.Reader = cl.reader
	ctx := c.Request().Context()
	page, err := s.deps.DB.SearchPhotos(ctx, q)
	if err != nil {
		return err
	}
	tt, err := s.thumbToken(ctx, cl)
	if err != nil {
		return err
	}
	s.markProblems(page.Photos, false)
	s.markPlayable(ctx, page.Photos)
	return c.JSON(http.StatusOK, photoList{page.Photos, page.Next, tt})
}

func (s *Server) photoMonths(c echo.Context) error {
	q, err := parseQuery(c.QueryParams())
	if err != nil {
		return err
	}
	q.Reader = callerOf(c).reader
	months, err := s.deps.DB.MonthCounts(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"months": months})
}

type photoDetail struct {
	db.PhotoDetail
	ThumbToken string `json:"thumb_token"`
	// People are the named faces on the photo (web/people.go).
	People []db.Face `json:"people"`
}

func (s *Server) photoDetail(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.renderDetail(c, id)
}

func (s *Server) renderDetail(c echo.Context, id int64) error {
	cl := callerOf(c)
	ctx := c.Request().Context()
	d, err := s.deps.DB.PhotoDetail(ctx, id, cl.reader)
	if err != nil {
		return err
	}
	tt, err := s.thumbToken(ctx, cl)
	if err != nil {
		return err
	}
	d.Photo.CheckProblem(s.helpers())
	ps := []db.Photo{d.Photo}
	s.markPlayable(ctx, ps)
	d.Photo = ps[0]
	faces, err := s.deps.DB.PhotoFaces(ctx, cl.reader, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, photoDetail{d, tt, faces})
}

// photoEditBody is PATCH /photos/:id. Location and taken time use raw
// JSON so "absent" and null can be told apart.
type photoEditBody struct {
	Title       *string           `json:"title"`
	Description *string           `json:"description"`
	Keywords    *[]string         `json:"keywords"`
	Favorite    *bool             `json:"favorite"`
	Private     *bool             `json:"private"`
	Archived    *bool             `json:"archived"`
	Rating      *int              `json:"rating"`
	TakenLocal  *string           `json:"taken_local"`
	TakenOffset optional[int]     `json:"taken_offset"`
	Lat         optional[float64] `json:"lat"`
	Lng         optional[float64] `json:"lng"`
}

// optional tells a field that was sent as null (set, v nil) from one that
// was not sent at all (not set).
type optional[T any] struct {
	set bool
	v   *T
}

func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.set = true
	if string(b) == "null" {
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	o.v = &v
	return nil
}

func (s *Server) editPhoto(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in photoEditBody
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	e := db.PhotoEdit{Title: in.Title, Description: in.Description, Keywords: in.Keywords,
		Favorite: in.Favorite, Private: in.Private, Archived: in.Archived, Rating: in.Rating}
	if in.TakenLocal != nil {
		e.SetTaken, e.TakenLocal, e.TakenOffset = true, *in.TakenLocal, in.TakenOffset.v
	} else if in.TakenOffset.set {
		return fmt.Errorf("taken_offset needs taken_local: %w", db.ErrInvalid)
	}
	if in.Lat.set || in.Lng.set {
		e.SetLocation, e.Lat, e.Lng = true, in.Lat.v, in.Lng.v
	}
	if err := s.mayEdit(c, []int64{id}); err != nil {
		return err
	}
	if err := s.deps.DB.EditPhoto(c.Request().Context(), id, e); err != nil {
		return err
	}
	s.publishPhotos(c.Request().Context(), photosEvent{Changed: []int64{id}})
	return s.renderDetail(c, id)
}

func (s *Server) batchPhotos(c echo.Context) error {
	var in struct {
		PhotoIDs []int64 `json:"photo_ids"`
		Favorite *bool   `json:"favorite"`
		Private  *bool   `json:"private"`
		Archived *bool   `json:"archived"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	flags := map[string]bool{}
	for name, v := range map[string]*bool{"favorite": in.Favorite, "private": in.Private, "archived": in.Archived} {
		if v != nil {
			flags[name] = *v
		}
	}
	if err := s.mayEdit(c, in.PhotoIDs); err != nil {
		return err
	}
	n, err := s.deps.DB.SetFlags(c.Request().Context(), in.PhotoIDs, flags)
	if err != nil {
		return err
	}
	s.publishPhotos(c.Request().Context(), photosEvent{Changed: in.PhotoIDs})
	return c.JSON(http.StatusOK, map[string]int{"updated": n})
}

// personTerm takes a person:Name term (person:"Anna Lind" for a name with
// spaces) out of search text: the photos of the person of that name, case
// aside. The rest of the text is searched as words.
func personTerm(text string) (rest, name string) {
	i := strings.Index(strings.ToLower(text), "person:")
	if i < 0 || (i > 0 && text[i-1] != ' ') {
		return text, ""
	}
	after := text[i+len("person:"):]
	var tail string
	if strings.HasPrefix(after, `"`) {
		n, t, ok := strings.Cut(after[1:], `"`)
		if !ok {
			n, t = after[1:], ""
		}
		name, tail = n, t
	} else {
		n, t, _ := strings.Cut(after, " ")
		name, tail = n, t
	}
	return strings.TrimSpace(text[:i] + " " + tail), strings.Join(strings.Fields(name), " ")
}
