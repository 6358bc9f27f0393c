package web_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"pinhole/app/testkit"
	"pinhole/db"
)

type trackJSON struct {
	ID     int64      `json:"id"`
	Name   string     `json:"name"`
	Path   string     `json:"path"`
	Start  string     `json:"start"`
	End    string     `json:"end"`
	Points int        `json:"points"`
	Bounds [4]float64 `json:"bounds"`
}

type alongJSON struct {
	Photos []struct {
		ID          int64    `json:"id"`
		Lat         *float64 `json:"lat"`
		ZoneUnknown bool     `json:"zone_unknown"`
		Suggested   *struct {
			Lat, Lng   float64
			GapSeconds int `json:"gap_seconds"`
		} `json:"suggested"`
	} `json:"photos"`
	Suggestions int    `json:"suggestions"`
	Caveat      string `json:"caveat"`
}

// A morning walk logged a point a minute from 09:00 to 10:00 UTC, with the
// logger off from 09:30 to 09:40 (a second segment after). The walker
// went north-east in a straight line, so where they were at any instant
// is known.
var (
	walkT0             = time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)
	walkLat0, walkLng0 = 46.0, 7.0
	walkDLat, walkDLng = 0.001, 0.002 // a minute's walk
)

func walkAt(t time.Time) (float64, float64) {
	m := t.Sub(walkT0).Minutes()
	return walkLat0 + m*walkDLat, walkLng0 + m*walkDLng
}

func TestTracksLinkPhotosAndSuggestPlaces(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	first := testkit.GPXLine(walkT0, time.Minute, 31, walkLat0, walkLng0, walkDLat, walkDLng)
	l40, g40 := walkAt(walkT0.Add(40 * time.Minute))
	second := testkit.GPXLine(walkT0.Add(40*time.Minute), time.Minute, 21, l40, g40, walkDLat, walkDLng)
	cest := time.FixedZone("CEST", 2*3600)
	shot := func(rel string, seed uint64, taken time.Time, zoned bool, gps *testkit.GPS) {
		testkit.WriteFile(t, e.root, rel, testkit.JPEG(testkit.Photo{Seed: seed, Exif: &testkit.Exif{Taken: taken, WithOffset: zoned, GPS: gps}}))
	}
	// a: no GPS, its zone known (11:15:30 CEST = 09:15:30 UTC).
	shot("walk/a.jpg", 101, time.Date(2024, 6, 1, 11, 15, 30, 0, cest), true, nil)
	// b: its own GPS: linked, never a suggestion.
	shot("walk/b.jpg", 102, time.Date(2024, 6, 1, 11, 20, 0, 0, cest), true, &testkit.GPS{Lat: 1, Lng: 2})
	// c: taken while the logger was off: linked, no suggestion.
	shot("walk/c.jpg", 103, time.Date(2024, 6, 1, 11, 35, 0, 0, cest), true, nil)
	// d: no zone: its wall clock 09:50:00 is read as UTC, with a caveat.
	shot("walk/d.jpg", 104, time.Date(2024, 6, 1, 9, 50, 0, 0, time.UTC), false, nil)
	// e: private, no GPS: owners only.
	shot("walk/e.jpg", 105, time.Date(2024, 6, 1, 11, 45, 0, 0, cest), true, nil)
	// f: an hour after the walk: not linked.
	shot("walk/f.jpg", 106, time.Date(2024, 6, 1, 13, 0, 0, 0, cest), true, nil)
	testkit.WriteFile(t, e.root, "walk/Morning walk.GPX", testkit.GPX("Morning walk", first, second))
	if _, err := e.ix.Changed(ctx, []string{"walk"}); err != nil {
		t.Fatal(err)
	}
	a, b, c, d, pe, f := e.photo("walk/a.jpg"), e.photo("walk/b.jpg"), e.photo("walk/c.jpg"), e.photo("walk/d.jpg"), e.photo("walk/e.jpg"), e.photo("walk/f.jpg")
	if _, err := e.db.SetFlags(ctx, []int64{pe.ID}, map[string]bool{"private": true}); err != nil {
		t.Fatal(err)
	}

	// The GPX is a track, not a photo nor a problem.
	if _, err := e.db.PhotoByPath(ctx, "walk/Morning walk.GPX"); err == nil {
		t.Error("the GPX file became a photo")
	}
	var tl struct{ Tracks []trackJSON }
	e.do(e.viewer, "GET", "/api/v1/tracks", nil, http.StatusOK, &tl)
	if len(tl.Tracks) != 1 {
		t.Fatalf("tracks: %+v", tl.Tracks)
	}
	tr := tl.Tracks[0]
	if tr.Name != "Morning walk" || tr.Start != "2024-06-01 09:00:00" || tr.End != "2024-06-01 10:00:00" || tr.Points != 52 {
		t.Errorf("track: %+v", tr)
	}
	var geo struct{ Lines [][][2]float64 }
	e.do(e.viewer, "GET", fmt.Sprintf("/api/v1/tracks/%d", tr.ID), nil, http.StatusOK, &geo)
	if len(geo.Lines) != 2 || len(geo.Lines[0]) != 31 || len(geo.Lines[1]) != 21 {
		t.Errorf("lines: %d (want 2: the logger's gap is not drawn as a line)", len(geo.Lines))
	}

	along := func(cl client) alongJSON {
		t.Helper()
		var out alongJSON
		e.do(cl, "GET", fmt.Sprintf("/api/v1/tracks/%d/photos", tr.ID), nil, http.StatusOK, &out)
		return out
	}
	ids := func(x alongJSON) []int64 {
		var out []int64
		for _, p := range x.Photos {
			out = append(out, p.ID)
		}
		return out
	}
	v := along(e.viewer)
	if got, want := ids(v), []int64{a.ID, b.ID, c.ID, d.ID}; !slices.Equal(got, want) {
		t.Fatalf("viewer's photos along the track: %v, want %v (a, b, c, d: not the private one, not the one after)", got, want)
	}
	if got := ids(along(e.admin)); !slices.Contains(got, pe.ID) || slices.Contains(got, f.ID) {
		t.Errorf("admin's photos along the track: %v", got)
	}
	if v.Suggestions != 2 || v.Caveat == "" {
		t.Errorf("viewer: %d suggestions, caveat %q; want 2 (a and d) and a caveat for d", v.Suggestions, v.Caveat)
	}
	near := func(x, y float64) bool { return math.Abs(x-y) < 2e-6 }
	for _, p := range v.Photos {
		switch p.ID {
		case a.ID:
			lat, lng := walkAt(time.Date(2024, 6, 1, 9, 15, 30, 0, time.UTC))
			if p.Suggested == nil || !near(p.Suggested.Lat, lat) || !near(p.Suggested.Lng, lng) || p.Suggested.GapSeconds != 60 || p.ZoneUnknown {
				t.Errorf("a: suggested %+v, want %.6f,%.6f half way between two points", p.Suggested, lat, lng)
			}
		case d.ID:
			lat, lng := walkAt(time.Date(2024, 6, 1, 9, 50, 0, 0, time.UTC))
			if p.Suggested == nil || !near(p.Suggested.Lat, lat) || !near(p.Suggested.Lng, lng) || !p.ZoneUnknown {
				t.Errorf("d: suggested %+v zone unknown %v, want %.6f,%.6f from its local time", p.Suggested, p.ZoneUnknown, lat, lng)
			}
		case b.ID, c.ID:
			if p.Suggested != nil {
				t.Errorf("photo %d (has GPS, or in the 10-minute gap): suggested %+v", p.ID, p.Suggested)
			}
		}
	}

	// One photo's suggestion, as the viewer's info panel asks for it.
	var sg struct {
		Suggestion *struct {
			TrackID          int64   `json:"track_id"`
			TrackName        string  `json:"track_name"`
			Lat              float64 `json:"lat"`
			TrackSuggestions int     `json:"track_suggestions"`
			Caveat           string  `json:"caveat"`
		} `json:"suggestion"`
	}
	e.do(e.viewer, "GET", fmt.Sprintf("/api/v1/photos/%d/track-suggestion", a.ID), nil, http.StatusOK, &sg)
	if sg.Suggestion == nil || sg.Suggestion.TrackName != "Morning walk" || sg.Suggestion.TrackSuggestions != 2 || sg.Suggestion.Caveat != "" {
		t.Errorf("a's suggestion: %+v", sg.Suggestion)
	}
	e.do(e.viewer, "GET", fmt.Sprintf("/api/v1/photos/%d/track-suggestion", d.ID), nil, http.StatusOK, &sg)
	if sg.Suggestion == nil || sg.Suggestion.Caveat == "" {
		t.Errorf("d's suggestion has no caveat: %+v", sg.Suggestion)
	}
	for _, p := range []db.Photo{b, c, f} {
		e.do(e.viewer, "GET", fmt.Sprintf("/api/v1/photos/%d/track-suggestion", p.ID), nil, http.StatusOK, &sg)
		if sg.Suggestion != nil {
			t.Errorf("photo %d: suggestion %+v, want none", p.ID, sg.Suggestion)
		}
	}
	e.do(e.viewer, "GET", fmt.Sprintf("/api/v1/photos/%d/track-suggestion", pe.ID), nil, http.StatusNotFound, nil)

	// Accepting: viewers may not; one photo; then all the rest in one go.
	e.do(e.viewer, "POST", fmt.Sprintf("/api/v1/tracks/%d/accept", tr.ID), map[string]any{"photo_ids": []int64{a.ID}}, http.StatusForbidden, nil)
	e.do(e.user, "POST", fmt.Sprintf("/api/v1/tracks/%d/accept", tr.ID), map[string]any{"photo_ids": []int64{b.ID}}, http.StatusBadRequest, nil)
	var acc struct{ Accepted int }
	e.do(e.user, "POST", fmt.Sprintf("/api/v1/tracks/%d/accept", tr.ID), map[string]any{"photo_ids": []int64{a.ID}}, http.StatusOK, &acc)
	if acc.Accepted != 1 {
		t.Errorf("accepted %d", acc.Accepted)
	}
	var det struct {
		Photo  struct{ Lat, Lng *float64 }
		Edited []string
	}
	e.do(e.viewer, "GET", fmt.Sprintf("/api/v1/photos/%d", a.ID), nil, http.StatusOK, &det)
	lat, lng := walkAt(time.Date(2024, 6, 1, 9, 15, 30, 0, time.UTC))
	if det.Photo.Lat == nil || !near(*det.Photo.Lat, lat) || !near(*det.Photo.Lng, lng) || !slices.Contains(det.Edited, "location") {
		t.Errorf("a after accepting: %+v", det)
	}
	// The same path as any edit: edited_at is set, so the sidecar follows.
	if sp, err := e.db.SidecarPhoto(ctx, a.ID); err != nil || sp.EditedAt == "" {
		t.Errorf("a's edited_at after accepting: %q, %v", sp.EditedAt, err)
	}
	e.do(e.user, "POST", fmt.Sprintf("/api/v1/tracks/%d/accept", tr.ID), map[string]any{}, http.StatusOK, &acc)
	if acc.Accepted != 2 { // d and the private e: a user owns the library
		t.Errorf("accepting all: %d, want 2", acc.Accepted)
	}
	if v := along(e.admin); v.Suggestions != 0 {
		t.Errorf("%d suggestions left after accepting all", v.Suggestions)
	}
}

// Broken, hostile and huge GPX files are problem entries naming why, the
// scan goes on, and a track whose file is gone is forgotten.
func TestTrackFilesIndexing(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	line := testkit.GPXLine(walkT0, time.Minute, 10, 1, 1, 0.001, 0.001)
	good := testkit.GPX("ok", line)
	testkit.WriteFile(t, e.root, "gpx/ok.gpx", good)
	testkit.WriteFile(t, e.root, "gpx/broken.gpx", []byte("<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"1\"></trk"))
	testkit.WriteFile(t, e.root, "gpx/cut.gpx", good[:len(good)*2/3])
	testkit.WriteFile(t, e.root, "gpx/photo.gpx", testkit.JPEG(testkit.Photo{Seed: 9}))
	huge := testkit.WriteFile(t, e.root, "gpx/huge.gpx", nil)
	if err := os.Truncate(huge, 100<<20); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	testkit.WriteFile(t, e.root, "gpx/after.jpg", testkit.JPEG(testkit.Photo{Seed: 10}))
	if _, err := e.ix.Changed(ctx, []string{"gpx"}); err != nil {
		t.Fatal(err)
	}
	e.photo("gpx/after.jpg") // the scan went on
	errs, err := e.db.IndexErrors(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	msgs := map[string]string{}
	for _, x := range errs {
		msgs[x.Path] = x.Error
	}
	for path, want := range map[string]string{
		"gpx/broken.gpx": "not valid XML",
		"gpx/cut.gpx":    "partly read",
		"gpx/photo.gpx":  "not valid XML",
		"gpx/huge.gpx":   "100 MB, over the 64 MB",
	} {
		if !strings.Contains(msgs[path], want) {
			t.Errorf("%s: problem %q, want it to say %q", path, msgs[path], want)
		}
	}
	if _, ok := msgs["gpx/ok.gpx"]; ok {
		t.Errorf("a good track is a problem: %q", msgs["gpx/ok.gpx"])
	}
	tracks, err := e.db.Tracks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for _, tr := range tracks {
		names[tr.Path] = tr.Points
	}
	if len(names) != 2 || names["gpx/ok.gpx"] != 10 || names["gpx/cut.gpx"] == 0 {
		t.Errorf("tracks: %v, want ok.gpx whole and the points of cut.gpx before its end", names)
	}

	// Gone from a scanned folder: forgotten; fixed: stored, no problem.
	if err := os.Remove(filepath.Join(e.root, "gpx/ok.gpx")); err != nil {
		t.Fatal(err)
	}
	testkit.WriteFile(t, e.root, "gpx/broken.gpx", good)
	if _, err := e.ix.Scan(ctx, false); err != nil {
		t.Fatal(err)
	}
	tracks, _ = e.db.Tracks(ctx)
	names = map[string]int{}
	for _, tr := range tracks {
		names[tr.Path] = tr.Points
	}
	if _, ok := names["gpx/ok.gpx"]; ok || names["gpx/broken.gpx"] != 10 {
		t.Errorf("after removing ok.gpx and fixing broken.gpx: %v", names)
	}
	errs, _ = e.db.IndexErrors(ctx, 100)
	for _, x := range errs {
		if x.Path == "gpx/broken.gpx" {
			t.Errorf("fixed file still a problem: %q", x.Error)
		}
	}
}

// Private spaces: a partner sees the owner's photo along a track and its
// suggestion, but may not accept it (one or all); another user does not
// see it at all; the owner accepts it.
func TestTrackSuggestionsFollowSpaces(t *testing.T) {
	s := newSpacesEnv(t)
	e := s.env
	ctx := context.Background()
	// ana's 2021 photo loses its position; its time (no zone) is
	// 2021-06-01 12:00:00.
	if err := e.db.EditPhoto(ctx, s.recent.ID, db.PhotoEdit{SetLocation: true}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2021, 6, 1, 11, 50, 0, 0, time.UTC)
	testkit.WriteFile(t, e.root, "tracks/ride.gpx", testkit.GPX("Ride", testkit.GPXLine(t0, time.Minute, 21, 45, 9, 0.001, 0.001)))
	if _, err := e.ix.Changed(ctx, []string{"tracks/ride.gpx"}); err != nil {
		t.Fatal(err)
	}
	ts, err := e.db.Tracks(ctx)
	if err != nil || len(ts) != 1 {
		t.Fatalf("tracks: %v %v", ts, err)
	}
	base := fmt.Sprintf("/api/v1/tracks/%d", ts[0].ID)
	var cleo, bob alongJSON
	e.do(s.cleo, "GET", base+"/photos", nil, http.StatusOK, &cleo)
	e.do(s.bob, "GET", base+"/photos", nil, http.StatusOK, &bob)
	if cleo.Suggestions != 1 || bob.Suggestions != 0 {
		t.Fatalf("suggestions seen: partner %d, other user %d; want 1 and 0", cleo.Suggestions, bob.Suggestions)
	}
	e.do(s.cleo, "POST", base+"/accept", map[string]any{"photo_ids": []int64{s.recent.ID}}, http.StatusForbidden, nil)
	var acc struct{ Accepted int }
	e.do(s.cleo, "POST", base+"/accept", map[string]any{}, http.StatusOK, &acc)
	if acc.Accepted != 0 {
		t.Errorf("the partner accepted %d of the owner's photos", acc.Accepted)
	}
	e.do(s.bob, "POST", base+"/accept", map[string]any{"photo_ids": []int64{s.recent.ID}}, http.StatusBadRequest, nil)
	if p, err := e.db.PhotoByID(ctx, s.recent.ID); err != nil || p.Lat != nil {
		t.Fatalf("the photo was placed by someone else: %+v, %v", p.Lat, err)
	}
	e.do(e.user, "POST", base+"/accept", map[string]any{}, http.StatusOK, &acc)
	if acc.Accepted != 1 {
		t.Errorf("the owner accepted %d, want 1", acc.Accepted)
	}
}
