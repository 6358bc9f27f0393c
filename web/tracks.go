package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"pinhole/app/meta"
	"pinhole/db"
)

// GPX tracks found among the originals (db/tracks.go, app/index/tracks.go):
// drawn on the map, linked to the photos taken along them, and the source
// of suggested places for the photos among those without a position.
// Anyone logged in may look (the photos listed are those the caller may
// see); users and admins accept suggestions, through the batch edit, so
// sidecars and edited_at follow as for any other edit. Visitors get no
// track routes: a shared album does not show where its owner walked.
func (s *Server) trackRoutes() []route {
	const v1 = "/api/v1"
	return []route{
		{"GET", v1 + "/tracks", viewer, s.listTracks},
		{"GET", v1 + "/tracks/:id", viewer, s.getTrack},
		{"GET", v1 + "/tracks/:id/photos", viewer, s.trackPhotos},
		{"POST", v1 + "/tracks/:id/accept", user, s.acceptTrack},
		{"GET", v1 + "/photos/:id/track-suggestion", viewer, s.trackSuggestion},
	}
}

// suggestGap is the longest time between the two track points a photo
// lies between for its position to be suggested from them.
const suggestGap = 5 * time.Minute

// trackDrawPoints is about the most points GET /tracks/:id sends to draw:
// plenty for a line on a screen, a few tens of kilobytes of JSON.
const trackDrawPoints = 5000

// zoneCaveat is said beside each suggestion for a photo whose time has no
// zone: its wall-clock time was compared with the track's UTC times.
const zoneCaveat = "This photo's time has no time zone: it was matched to the track as if its local time were UTC, so the place may be off by as far as one travels in the zone's offset"

func (s *Server) listTracks(c echo.Context) error {
	ts, err := s.deps.DB.Tracks(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"tracks": ts})
}

// getTrack sends a track with its lines ([[lat, lng], …] per segment),
// thinned evenly to about trackDrawPoints in all, each line keeping its
// ends.
func (s *Server) getTrack(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	t, segs, err := s.deps.DB.Track(c.Request().Context(), id)
	if err != nil {
		return err
	}
	step := max(1, (t.Points+trackDrawPoints-1)/trackDrawPoints)
	lines := make([][][2]float64, 0, len(segs))
	for _, sg := range segs {
		l := make([][2]float64, 0, len(sg)/step+2)
		for i, p := range sg {
			if i%step == 0 || i == len(sg)-1 {
				l = append(l, [2]float64{p.Lat, p.Lng})
			}
		}
		lines = append(lines, l)
	}
	return c.JSON(http.StatusOK, map[string]any{"track": t, "lines": lines})
}

// trackPhoto is a photo taken along a track: Suggested is where the track
// puts it when it has no position of its own.
type trackPhoto struct {
	db.Photo
	ZoneUnknown bool         `json:"zone_unknown,omitempty"`
	Suggested   *suggestedAt `json:"suggested,omitempty"`
}

type suggestedAt struct {
	Lat        float64 `json:"lat"`
	Lng        float64 `json:"lng"`
	GapSeconds int     `json:"gap_seconds"`
}

// along lists the photos the reader may see taken during the track, with
// a suggested position for each that has none.
func (s *Server) along(ctx context.Context, id int64, r db.Reader) (db.TrackInfo, []trackPhoto, error) {
	t, segs, err := s.deps.DB.Track(ctx, id)
	if err != nil {
		return t, nil, err
	}
	ps, err := s.deps.DB.TrackPhotos(ctx, t, r)
	if err != nil {
		return t, nil, err
	}
	tl := meta.NewTrackTimeline(segs)
	out := make([]trackPhoto, len(ps))
	for i, p := range ps {
		out[i] = trackPhoto{Photo: p, ZoneUnknown: p.TakenOffset == nil}
		if p.Lat != nil {
			continue
		}
		// taken_at is UTC, or the wall clock when the zone is unknown.
		at := db.ParseTime(p.TakenAt)
		if lat, lng, gap, ok := tl.At(at, suggestGap); ok {
			out[i].Suggested = &suggestedAt{Lat: round6(lat), Lng: round6(lng), GapSeconds: int(gap / time.Second)}
		}
	}
	return t, out, nil
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

func (s *Server) trackPhotos(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	cl := callerOf(c)
	ctx := c.Request().Context()
	t, ps, err := s.along(ctx, id, cl.reader)
	if err != nil {
		return err
	}
	tt, err := s.thumbToken(ctx, cl)
	if err != nil {
		return err
	}
	n, unzoned := 0, 0
	for _, p := range ps {
		if p.Suggested != nil {
			n++
			if p.ZoneUnknown {
				unzoned++
			}
		}
	}
	a := map[string]any{"track": t, "photos": ps, "suggestions": n, "thumb_token": tt}
	if unzoned > 0 {
		a["caveat"] = fmt.Sprintf("%d of the suggestions are for photos whose time has no time zone; they were matched as if their local time were UTC", unzoned)
	}
	return c.JSON(http.StatusOK, a)
}

// trackSuggestion answers where a photo without a position was, from the
// first track that holds its time closely enough; suggestion is null when
// none does (or the photo has a position).
func (s *Server) trackSuggestion(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	cl := callerOf(c)
	ctx := c.Request().Context()
	d, err := s.deps.DB.PhotoDetail(ctx, id, cl.reader)
	if err != nil {
		return err
	}
	p := d.Photo
	none := map[string]any{"suggestion": nil}
	if p.Lat != nil {
		return c.JSON(http.StatusOK, none)
	}
	ts, err := s.deps.DB.TracksAt(ctx, p.TakenAt)
	if err != nil {
		return err
	}
	for _, t := range ts {
		_, ps, err := s.along(ctx, t.ID, cl.reader)
		if err != nil {
			return err
		}
		var mine *trackPhoto
		others := 0
		for i := range ps {
			if ps[i].Suggested == nil {
				continue
			}
			others++
			if ps[i].ID == id {
				mine = &ps[i]
			}
		}
		if mine == nil {
			continue
		}
		sg := map[string]any{"track_id": t.ID, "track_name": t.Name, "lat": mine.Suggested.Lat, "lng": mine.Suggested.Lng,
			"gap_seconds": mine.Suggested.GapSeconds, "track_suggestions": others, "zone_unknown": mine.ZoneUnknown}
		if mine.ZoneUnknown {
			sg["caveat"] = zoneCaveat
		}
		return c.JSON(http.StatusOK, map[string]any{"suggestion": sg})
	}
	return c.JSON(http.StatusOK, none)
}

type acceptBody struct {
	// PhotoIDs picks which of the track's suggestions to accept; absent
	// or empty accepts them all.
	PhotoIDs []int64 `json:"photo_ids"`
}

// acceptTrack sets the suggested positions of a track's photos. Each
// photo gets its own position, so each is one batch edit (the same path
// as any location edit: sidecars, edited_at, the place looked up after);
// the suggestions are computed again here, never taken from the client.
func (s *Server) acceptTrack(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in acceptBody
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if len(in.PhotoIDs) > db.MaxBatchPhotos {
		return fmt.Errorf("photo_ids: at most %d: %w", db.MaxBatchPhotos, db.ErrInvalid)
	}
	cl := callerOf(c)
	ctx := c.Request().Context()
	_, ps, err := s.along(ctx, id, cl.reader)
	if err != nil {
		return err
	}
	byID := make(map[int64]*suggestedAt, len(ps))
	for _, p := range ps {
		if p.Suggested != nil {
			byID[p.ID] = p.Suggested
		}
	}
	want := in.PhotoIDs
	for _, pid := range want {
		if byID[pid] == nil {
			return fmt.Errorf("photo %d has no suggested place from track %d (it has a position, or was not taken along it): %w", pid, id, db.ErrInvalid)
		}
	}
	if len(want) > 0 {
		// Named photos: all of them may be changed by the caller, or none
		// is (web/spaces.go: a partner's space is read-only).
		if err := s.mayEdit(c, want); err != nil {
			return err
		}
	} else {
		// All of the track's suggestions the caller may act on: photos in
		// a space shared with them read-only are left as they are.
		for _, p := range ps {
			if p.Suggested == nil {
				continue
			}
			if err := s.deps.DB.EditableBy(ctx, []int64{p.ID}, cl.reader); err == nil {
				want = append(want, p.ID)
			} else if !errors.Is(err, db.ErrNotYours) && !errors.Is(err, db.ErrNotFound) {
				return err
			}
		}
	}
	var done []int64
	for _, pid := range want {
		sg := byID[pid]
		lat, lng := sg.Lat, sg.Lng
		if _, err := s.deps.DB.BatchEditPhotos(ctx, []int64{pid}, db.BatchEdit{SetLocation: true, Lat: &lat, Lng: &lng}, cl.reader); err != nil {
			if len(done) > 0 {
				s.publishPhotos(ctx, photosEvent{Changed: done})
			}
			return err
		}
		done = append(done, pid)
	}
	if len(done) > 0 {
		s.publishPhotos(ctx, photosEvent{Changed: done})
	}
	return c.JSON(http.StatusOK, map[string]int{"accepted": len(done)})
}
