package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"pinhole/db"
)

type placeHit struct {
	ID          int     `json:"id"`
	Name        string  `json:"name"`
	State       string  `json:"state"`
	Country     string  `json:"country"`
	CountryCode string  `json:"country_code"`
	Lat         float64 `json:"lat"`
	Lng         float64 `json:"lng"`
}

// A user edits a selection in one request: the date moves, a place picked
// by name is stored with its name, a keyword and a rating are added; the
// photos show it, and the rating filter and sort find them.
func TestBatchEditRoute(t *testing.T) {
	e := newEnv(t, nil)
	cat, bridge := e.photo("2020/cat.jpg"), e.photo("2020/Porto/bridge.jpg")
	ids := []int64{e.pub.ID, cat.ID, bridge.ID}
	var found struct {
		Places      []placeHit `json:"places"`
		Attribution string     `json:"attribution"`
	}
	e.do(e.viewer, "GET", "/api/v1/places/search?q=%C3%A9vor&limit=3", nil, 200, &found)
	if len(found.Places) == 0 || found.Places[0].Name != "Évora" || found.Places[0].CountryCode != "PT" || !strings.Contains(found.Attribution, "GeoNames") {
		t.Fatalf("search for évor: %+v", found)
	}
	evora := found.Places[0]
	before := map[int64]db.Photo{}
	for _, id := range ids {
		var d db.PhotoDetail
		e.do(e.user, "GET", fmt.Sprintf("/api/v1/photos/%d", id), nil, 200, &d)
		before[id] = d.Photo
	}
	var out struct{ Updated int }
	e.do(e.user, "POST", "/api/v1/photos/batch-edit", map[string]any{"photo_ids": ids, "shift_seconds": 3600,
		"place_id": evora.ID, "keywords_add": []string{"Alentejo"}, "rating": 4}, 200, &out)
	if out.Updated != 3 {
		t.Fatalf("updated %d, want 3", out.Updated)
	}
	for _, id := range ids {
		var d db.PhotoDetail
		e.do(e.viewer, "GET", fmt.Sprintf("/api/v1/photos/%d", id), nil, 200, &d)
		p, b := d.Photo, before[id]
		if p.Rating != 4 || p.City != "Évora" || p.CountryCode != "PT" || p.Lat == nil || *p.Lat != evora.Lat ||
			strings.Join(d.Keywords, ",") != "Alentejo" || p.TakenSource != "manual" {
			t.Errorf("photo %d after the batch: %+v, keywords %v", id, p, d.Keywords)
		}
		if db.ParseTime(p.TakenLocal).Sub(db.ParseTime(b.TakenLocal)).Hours() != 1 || db.ParseTime(p.TakenAt).Sub(db.ParseTime(b.TakenAt)).Hours() != 1 {
			t.Errorf("photo %d taken %s/%s → %s/%s, want an hour later", id, b.TakenLocal, b.TakenAt, p.TakenLocal, p.TakenAt)
		}
		if strings.Join(d.Edited, ",") != "keywords,location,rating,taken"+map[bool]string{true: ",title"}[id == e.pub.ID] {
			t.Errorf("photo %d edited %v", id, d.Edited)
		}
	}
	// The rating filter and sort, for a viewer too.
	e.do(e.user, "PATCH", fmt.Sprintf("/api/v1/photos/%d", cat.ID), map[string]any{"rating": 5}, 200, nil)
	var list struct{ Photos []db.Photo }
	e.do(e.viewer, "GET", "/api/v1/photos?min_rating=4&sort=rating", nil, 200, &list)
	if len(list.Photos) != 3 || list.Photos[0].ID != cat.ID || list.Photos[0].Rating != 5 {
		t.Fatalf("min_rating=4 sort=rating: %+v", list.Photos)
	}
	e.do(e.viewer, "GET", "/api/v1/photos?sort=rating&order=asc&limit=1", nil, 200, &list)
	if len(list.Photos) != 1 || list.Photos[0].Rating != 0 {
		t.Fatalf("sort=rating order=asc starts with %+v, want an unrated photo", list.Photos)
	}
	e.do(e.viewer, "GET", "/api/v1/photos?min_rating=5", nil, 200, &list)
	if len(list.Photos) != 1 || list.Photos[0].ID != cat.ID {
		t.Fatalf("min_rating=5: %+v", list.Photos)
	}
	e.do(e.viewer, "GET", "/api/v1/photos?min_rating=6", nil, 400, nil)
	e.do(e.viewer, "POST", "/api/v1/photos/batch-edit", map[string]any{"photo_ids": ids, "rating": 1}, 403, nil)
}

// Bad input is a 400 that names what is wrong, an unknown photo a 404,
// and neither changes anything.
func TestBatchEditRouteRefuses(t *testing.T) {
	e := newEnv(t, nil)
	ids := []int64{e.pub.ID, e.photo("2020/cat.jpg").ID}
	snapshot := func() string {
		var s []string
		for _, id := range ids {
			var d db.PhotoDetail
			e.do(e.admin, "GET", fmt.Sprintf("/api/v1/photos/%d", id), nil, 200, &d)
			b, _ := json.Marshal(d)
			s = append(s, string(b))
		}
		return strings.Join(s, "\n")
	}
	before := snapshot()
	cases := []struct {
		body   string
		status int
		says   string
	}{
		{`{"photo_ids":%s,"shift_seconds":1e300}`, 400, "shift_seconds"},
		{`{"photo_ids":%s,"shift_seconds":1.5}`, 400, "whole seconds"},
		{`{"photo_ids":%s,"shift_seconds":"NaN"}`, 400, "shift_seconds"},
		{`{"photo_ids":%s,"shift_seconds":null}`, 400, "shift_seconds"},
		{`{"photo_ids":%s,"shift_seconds":-6400000000}`, 400, "200 years"},
		{`{"photo_ids":%s,"taken_local":"2019-02-30 10:00:00"}`, 400, "YYYY-MM-DD"},
		{`{"photo_ids":%s,"taken_local":"9999-12-31 23:00:00","zone_offset":-600}`, 400, "outside years"},
		{`{"photo_ids":%s,"zone_offset":900}`, 400, "-840 to 840"},
		{`{"photo_ids":%s,"lat":91,"lng":0}`, 400, "latitude"},
		{`{"photo_ids":%s,"lat":10}`, 400, "both"},
		{`{"photo_ids":%s,"place_id":-1}`, 400, "place_id -1"},
		{`{"photo_ids":%s,"place_id":1,"lat":1,"lng":1}`, 400, "not both"},
		{`{"photo_ids":%s,"rating":6}`, 400, "0 to 5"},
		{`{"photo_ids":%s,"rating":-2}`, 400, "0 to 5"},
		{`{"photo_ids":%s}`, 400, "nothing to change"},
		{`{"photo_ids":%s,"colour":"red"}`, 400, "colour"},
		{`{"photo_ids":[],"rating":1}`, 400, "1 to 10000"},
		{`{"photo_ids":%s,"keywords_add":["x"],"keywords_remove":["X"]}`, 400, "both added and removed"},
		{`{"photo_ids":[%d,424242],"rating":1}`, 404, "424242"},
	}
	for _, c := range cases {
		body := c.body
		switch {
		case strings.Contains(body, "[%d,"):
			body = fmt.Sprintf(body, ids[0])
		case strings.Contains(body, "%s"):
			body = fmt.Sprintf(body, fmt.Sprintf("[%d,%d]", ids[0], ids[1]))
		}
		var msg struct{ Error string }
		e.do(e.user, "POST", "/api/v1/photos/batch-edit", body, c.status, &msg)
		if !strings.Contains(msg.Error, c.says) {
			t.Errorf("%s: %d %q, want it to say %q", body, c.status, msg.Error, c.says)
		}
	}
	if after := snapshot(); after != before {
		t.Fatalf("a refused batch changed photos:\n%s\n→\n%s", before, after)
	}
	e.do(e.viewer, "GET", "/api/v1/places/search?q=lisb&limit=51", nil, 400, nil)
	var none struct{ Places []placeHit }
	e.do(e.viewer, "GET", "/api/v1/places/search?q=", nil, 200, &none)
	if none.Places == nil || len(none.Places) != 0 {
		t.Fatalf("an empty search: %+v, want an empty list", none.Places)
	}
}
