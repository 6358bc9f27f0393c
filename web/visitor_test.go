package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"sort"
	"strings"
	"testing"

	"pinhole/app/testkit"
	"pinhole/db"
)

// visitorPhotoKeys are the photo fields a share visitor may receive
// (web/visitor.go); lat, lng and alt only with "include locations".
var visitorPhotoKeys = []string{"id", "media_type", "taken_at", "taken_local", "taken_offset", "taken_source",
	"title", "description", "make", "model", "lens", "exposure_time", "f_number", "iso", "focal_length",
	"width", "height", "duration", "country_code", "country", "state", "city", "hash",
	"problem", "problem.kind", "problem.reason", "problem.detail", "problem.preview", "playable",
	"motion", "motion.hash", "motion.embedded"}

var locationKeys = []string{"lat", "lng", "alt"}

// visitorAllowed is the allow-list of JSON key paths ("a.b", "list[].c")
// per visitor route. A key not listed fails the test, so a field added to
// a photo, an album or a share reaches visitors only on purpose.
func visitorAllowed(locations bool) map[string]map[string]bool {
	photo := append([]string{}, visitorPhotoKeys...)
	if locations {
		photo = append(photo, locationKeys...)
	}
	set := func(keys ...string) map[string]bool {
		m := map[string]bool{"error": true} // every route may answer an error
		for _, k := range keys {
			m[k] = true
		}
		return m
	}
	prefixed := func(prefix string) []string {
		out := []string{strings.TrimSuffix(strings.TrimSuffix(prefix, "."), "[]")}
		for _, k := range photo {
			out = append(out, prefix+k)
		}
		return out
	}
	list := set(append(prefixed("photos[]."), "next", "thumb_token")...)
	detail := set(append(prefixed("photo."), "keywords", "keywords[]", "files", "files[]", "files[].name",
		"files[].size", "files[].mime", "files[].kind", "files[].primary", "files[].hash", "downloads", "thumb_token")...)
	binary := set()
	return map[string]map[string]bool{
		"/api/v1/s/:token": set("album", "album.title", "album.description", "album.count", "album.cover_hash",
			"thumb_token", "expires_at", "downloads", "include_locations", "password_required"),
		"/api/v1/s/:token/unlock":      set("access"),
		"/api/v1/s/:token/photos":      list,
		"/api/v1/s/:token/photos/:id":  detail,
		"/api/v1/t/:hash/:token/:size": binary,
		"/api/v1/dl/:hash":             binary,
		"/api/v1/video/:hash":          binary,
		"/api/v1/video/:hash/status":   set("playable", "state", "progress", "speed", "ready", "queue", "duration"),
		"/api/v1/motion/:hash":         binary,
	}
}

// jsonKeys lists every key path of a decoded JSON value.
func jsonKeys(prefix string, v any, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out[p] = true
			jsonKeys(p, child, out)
		}
	case []any:
		for _, child := range x {
			jsonKeys(prefix+"[]", child, out)
		}
	}
}

// TestVisitorAnswersAllowList walks every route a share token opens
// (taken from the route table, so a new visitor route is walked too) with
// "include locations" off and on, and fails on any JSON key that is not
// on the visitor allow-list.
func TestVisitorAnswersAllowList(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	// Things a visitor must not learn, set so that a leak would show:
	// a favourite, keywords, an archived and a private photo in the
	// album, the photo in another album too.
	if err := e.db.SetFlag(ctx, e.pub.ID, "favorite", true); err != nil {
		t.Fatal(err)
	}
	if err := e.db.EditPhoto(ctx, e.pub.ID, db.PhotoEdit{Keywords: &[]string{"tram"}}); err != nil {
		t.Fatal(err)
	}
	arch := e.photo("2020/Porto/bridge.jpg")
	moving := e.addFiles([2]any{"2021/PXL_1.MP.jpg", testkit.Container(testkit.MotionStill(5), testkit.MotionMP4(t), 0)})
	if _, err := e.db.AddToAlbum(ctx, e.album.ID, []int64{arch.ID, e.video.ID, moving.ID}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetFlag(ctx, arch.ID, "archived", true); err != nil {
		t.Fatal(err)
	}
	other, _ := e.db.CreateAlbum(ctx, "Family only", "")
	if _, err := e.db.AddToAlbum(ctx, other.ID, []int64{e.pub.ID}); err != nil {
		t.Fatal(err)
	}
	var withLoc db.Share
	e.do(e.user, "POST", fmt.Sprintf("/api/v1/albums/%d/shares", e.album.ID), map[string]any{"include_locations": true}, 201, &withLoc)
	if !withLoc.Locations || e.share.Locations {
		t.Fatalf("include_locations: new share %v, default share %v; want true and false", withLoc.Locations, e.share.Locations)
	}
	var opened struct {
		ThumbToken string `json:"thumb_token"`
	}
	e.do(client{}, "GET", "/api/v1/s/"+withLoc.Token, nil, 200, &opened)
	withLoc.Access = opened.ThumbToken

	type req struct {
		path string
		body any
	}
	build := map[string]func(sh db.Share) req{
		"/api/v1/s/:token": func(sh db.Share) req { return req{"/api/v1/s/" + sh.Token, nil} },
		"/api/v1/s/:token/unlock": func(sh db.Share) req {
			return req{"/api/v1/s/" + sh.Token + "/unlock", map[string]string{"password": ""}}
		},
		"/api/v1/s/:token/photos":      func(sh db.Share) req { return req{"/api/v1/s/" + sh.Token + "/photos", nil} },
		"/api/v1/s/:token/photos/:id":  func(sh db.Share) req { return req{fmt.Sprintf("/api/v1/s/%s/photos/%d", sh.Token, e.pub.ID), nil} },
		"/api/v1/t/:hash/:token/:size": func(sh db.Share) req { return req{"/api/v1/t/" + e.pub.Hash + "/" + sh.Access + "/tile_224", nil} },
		"/api/v1/dl/:hash":             func(sh db.Share) req { return req{"/api/v1/dl/" + e.pub.Hash + "?t=" + sh.Access, nil} },
		"/api/v1/video/:hash":          func(sh db.Share) req { return req{"/api/v1/video/" + e.video.Hash + "?t=" + sh.Access, nil} },
		"/api/v1/video/:hash/status": func(sh db.Share) req {
			return req{"/api/v1/video/" + e.video.Hash + "/status?start=1&t=" + sh.Access, nil}
		},
		"/api/v1/motion/:hash": func(sh db.Share) req { return req{"/api/v1/motion/" + moving.Hash + "?t=" + sh.Access, nil} },
	}
	routes := e.srv.TokenRoutes()
	sort.Strings(routes)
	if len(routes) < 8 {
		t.Fatalf("only %d token routes found: %v", len(routes), routes)
	}
	for _, locations := range []bool{false, true} {
		sh := e.share
		if locations {
			sh = withLoc
		}
		allowed := visitorAllowed(locations)
		seen := map[string]bool{}
		for _, rt := range routes {
			method, path, _ := strings.Cut(rt, " ")
			mk, ok := build[path]
			if !ok {
				t.Errorf("token route %s is not walked: add how to call it (and its allow-list) to this test", rt)
				continue
			}
			r := mk(sh)
			resp := e.request(client{role: "visitor"}, method, r.path, r.body, nil)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 && resp.StatusCode != 206 {
				t.Errorf("locations %v: %s: status %d: %s", locations, rt, resp.StatusCode, b)
			}
			for k, vs := range resp.Header {
				for _, v := range vs {
					if strings.Contains(v, e.root) || strings.Contains(v, "2019/Lisbon") {
						t.Errorf("%s: header %s names a path: %q", rt, k, v)
					}
				}
			}
			ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
			if method == "HEAD" || ct != "application/json" {
				if allowed[path]["photos"] || allowed[path]["album"] || allowed[path]["access"] {
					if method != "HEAD" {
						t.Errorf("%s answered %q, not JSON", rt, ct)
					}
				}
				continue
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("%s: %v: %s", rt, err, b)
			}
			keys := map[string]bool{}
			jsonKeys("", v, keys)
			for k := range keys {
				seen[k] = true
				if !allowed[path][k] {
					t.Errorf("locations %v: %s gives visitors %q, which is not on the allow-list", locations, rt, k)
				}
			}
			if strings.Contains(string(b), e.root) || strings.Contains(string(b), "2019/Lisbon") {
				t.Errorf("%s names a folder: %s", rt, b)
			}
		}
		for _, k := range []string{"photos[].lat", "photo.lat", "photo.lng"} {
			if seen[k] != locations {
				t.Errorf("include_locations %v: key %s present %v", locations, k, seen[k])
			}
		}
		if !seen["photos[].hash"] || !seen["photos[].motion.hash"] || !seen["files[].name"] || !seen["album.cover_hash"] {
			t.Errorf("the walk missed the answers it should read: %v", seen)
		}
	}

	// The list shows what the page counts: the public photo, the video and
	// the motion photo, neither the private nor the archived one.
	var page struct {
		Photos []map[string]any `json:"photos"`
	}
	e.do(client{}, "GET", "/api/v1/s/"+withLoc.Token+"/photos", nil, 200, &page)
	var head struct {
		Album struct {
			Count int `json:"count"`
		} `json:"album"`
	}
	e.do(client{}, "GET", "/api/v1/s/"+withLoc.Token, nil, 200, &head)
	if len(page.Photos) != 3 || head.Album.Count != 3 {
		t.Errorf("visitor sees %d photos, album count %d; want 3 and 3 (no private, no archived)", len(page.Photos), head.Album.Count)
	}
	for _, p := range page.Photos {
		if p["id"] == float64(e.pub.ID) && p["lat"] != 38.71 {
			t.Errorf("with include_locations the photo's lat is %v, want 38.71", p["lat"])
		}
	}

	// Turning locations off on the live link takes effect at once.
	var edited db.Share
	e.do(e.user, "PATCH", fmt.Sprintf("/api/v1/shares/%d", withLoc.ID), map[string]any{"include_locations": false}, 200, &edited)
	if edited.Locations || !edited.Downloads {
		t.Errorf("after PATCH include_locations=false: %+v", edited)
	}
	var det struct {
		Photo map[string]any `json:"photo"`
	}
	e.do(client{}, "GET", fmt.Sprintf("/api/v1/s/%s/photos/%d", withLoc.Token, e.pub.ID), nil, 200, &det)
	if _, ok := det.Photo["lat"]; ok {
		t.Errorf("locations turned off, visitor still gets lat: %v", det.Photo)
	}
}
