package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"pinhole/app/places"
	"pinhole/db"
)

// batchEditBody is POST /photos/batch-edit. Absent fields leave the photos
// as they are; raw JSON tells null (zone unknown, no location) from absent.
type batchEditBody struct {
	PhotoIDs       []int64                   `json:"photo_ids"`
	ShiftSeconds   optional[json.RawMessage] `json:"shift_seconds"`
	TakenLocal     *string                   `json:"taken_local"`
	ZoneOffset     optional[int]             `json:"zone_offset"`
	Lat            optional[float64]         `json:"lat"`
	Lng            optional[float64]         `json:"lng"`
	PlaceID        *int                      `json:"place_id"`
	KeywordsAdd    []string                  `json:"keywords_add"`
	KeywordsRemove []string                  `json:"keywords_remove"`
	Title          *string                   `json:"title"`
	Description    *string                   `json:"description"`
	Rating         *int                      `json:"rating"`
}

// batchEdit applies one edit to many photos in one transaction: all of
// them change or none does. An id the caller may not see (or that does
// not exist) fails the whole batch with 404, so nothing is changed behind
// a caller's back and nothing tells a hidden photo from a missing one.
func (s *Server) batchEdit(c echo.Context) error {
	var in batchEditBody
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	e, err := in.edit()
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.mayEdit(c, in.PhotoIDs); err != nil { // web/spaces.go: partners only look
		return err
	}
	n, err := s.deps.DB.BatchEditPhotos(ctx, in.PhotoIDs, e, callerOf(c).reader)
	if err != nil {
		return err
	}
	s.publishPhotos(ctx, photosEvent{Changed: in.PhotoIDs})
	return c.JSON(http.StatusOK, map[string]int{"updated": n})
}

// edit turns the request into a db.BatchEdit, checking what only the API
// has: the shift as a JSON number, and the place id.
func (in batchEditBody) edit() (db.BatchEdit, error) {
	bad := func(format string, args ...any) (db.BatchEdit, error) {
		return db.BatchEdit{}, fmt.Errorf(format+": %w", append(args, db.ErrInvalid)...)
	}
	e := db.BatchEdit{KeywordsAdd: in.KeywordsAdd, KeywordsRemove: in.KeywordsRemove,
		Title: in.Title, Description: in.Description, Rating: in.Rating}
	if in.ShiftSeconds.set {
		// Read by hand so that anything but a number (JavaScript sends
		// NaN as null) gets an answer naming the field.
		raw := "null"
		if in.ShiftSeconds.v != nil {
			raw = string(*in.ShiftSeconds.v)
		}
		f, err := strconv.ParseFloat(raw, 64)
		limit := db.MaxShift.Seconds()
		switch {
		case err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > limit:
			return bad("shift_seconds %.40s: want whole seconds, at most %.0f either way (200 years)", raw, limit)
		case f != math.Trunc(f):
			return bad("shift_seconds %s: want whole seconds", raw)
		}
		e.Shift = time.Duration(f) * time.Second
	}
	if in.TakenLocal != nil {
		e.SetTaken, e.TakenLocal = true, *in.TakenLocal
	}
	if in.ZoneOffset.set {
		e.SetZone, e.ZoneOffset = true, in.ZoneOffset.v
	}
	if in.Lat.set || in.Lng.set {
		e.SetLocation, e.Lat, e.Lng = true, in.Lat.v, in.Lng.v
	}
	if in.PlaceID != nil {
		if e.SetLocation {
			return bad("give lat and lng or place_id, not both")
		}
		g, err := places.Load()
		if err != nil {
			return db.BatchEdit{}, err
		}
		city, ok := g.CityByID(*in.PlaceID)
		if !ok {
			return bad("place_id %d: no such place (ids come from GET /api/v1/places/search)", *in.PlaceID)
		}
		e.SetLocation, e.Lat, e.Lng = true, &city.Lat, &city.Lng
		e.Place = &db.PlaceFix{CountryCode: city.CountryCode, Country: city.Country, State: city.State, City: city.Name,
			Source: places.SourceOffline}
	}
	return e, nil
}

// placeHit is one city of GET /places/search.
type placeHit struct {
	ID          int     `json:"id"`
	Name        string  `json:"name"`
	State       string  `json:"state"`
	Country     string  `json:"country"`
	CountryCode string  `json:"country_code"`
	Lat         float64 `json:"lat"`
	Lng         float64 `json:"lng"`
}

// searchPlaces finds cities of the offline places dataset by name, for
// setting photos' location without a map.
func (s *Server) searchPlaces(c echo.Context) error {
	q := c.QueryParam("q")
	if len(q) > 200 {
		return fmt.Errorf("parameter q: want at most 200 characters: %w", db.ErrInvalid)
	}
	limit := int64(10)
	if v := c.QueryParam("limit"); v != "" {
		var err error
		if limit, err = intParam("limit", v, 1, places.MaxSearch); err != nil {
			return err
		}
	}
	g, err := places.Load()
	if err != nil {
		return err
	}
	out := []placeHit{}
	for _, p := range g.Search(q, int(limit)) {
		out = append(out, placeHit{p.ID, p.Name, p.State, p.Country, p.CountryCode, p.Lat, p.Lng})
	}
	return c.JSON(http.StatusOK, map[string]any{"places": out, "attribution": places.Attribution})
}
