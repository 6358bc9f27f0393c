package web_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"pinhole/app/index"
	"pinhole/app/testkit"
	"pinhole/db"
)

func TestStatusAnonymousAndFull(t *testing.T) {
	e := newEnv(t, nil)
	var anon map[string]any
	e.do(client{}, "GET", "/api/v1/status", nil, 200, &anon)
	if len(anon) != 5 || anon["setup_required"] != false || anon["version"] != "test" || anon["thumb_sizes"] == nil || anon["sign_in"] == nil {
		t.Errorf("anonymous status %v, want only status, version, setup_required, thumb_sizes, sign_in", anon)
	}
	var full map[string]any
	e.do(e.viewer, "GET", "/api/v1/status", nil, 200, &full)
	if full["counts"] == nil || full["setup_required"] != false {
		t.Errorf("full status %v", full)
	}
}

func TestSetupOnlyOnce(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.request(client{}, "POST", "/api/v1/setup", map[string]any{"username": "mallory", "password": testPassword}, nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 409 || !strings.Contains(string(b), "already done") {
		t.Fatalf("second setup: %d %s", resp.StatusCode, b)
	}
}

func TestSessionsListRevokeAndPassword(t *testing.T) {
	e := newEnv(t, nil)
	second := e.login("user", true)
	var list struct {
		Sessions []struct {
			ID       int64
			Username string
			Current  bool
		}
	}
	e.do(e.user, "GET", "/api/v1/sessions", nil, 200, &list)
	if len(list.Sessions) != 2 {
		t.Fatalf("user sees %d sessions, want their 2", len(list.Sessions))
	}
	var other int64
	for _, s := range list.Sessions {
		if !s.Current {
			other = s.ID
		}
	}
	// A viewer cannot end someone else's session.
	e.do(e.viewer, "DELETE", fmt.Sprintf("/api/v1/sessions/%d", other), nil, 404, nil)
	e.do(e.user, "DELETE", fmt.Sprintf("/api/v1/sessions/%d", other), nil, 204, nil)
	e.do(second, "GET", "/api/v1/session", nil, 401, nil)
	// Changing the password logs out the other sessions, not this one.
	third := e.login("user", true)
	e.do(e.user, "PUT", "/api/v1/session/password", map[string]any{"old_password": testPassword, "new_password": "a new long password"}, 204, nil)
	e.do(third, "GET", "/api/v1/session", nil, 401, nil)
	e.do(e.user, "GET", "/api/v1/session", nil, 200, nil)
	e.do(e.user, "DELETE", "/api/v1/session", nil, 204, nil)
	e.do(e.user, "GET", "/api/v1/session", nil, 401, nil)
}

func TestUserAdministration(t *testing.T) {
	e := newEnv(t, nil)
	var u db.User
	e.do(e.admin, "POST", "/api/v1/users", map[string]any{"username": "bo", "password": testPassword, "role": "viewer"}, 201, &u)
	e.do(e.admin, "POST", "/api/v1/users", map[string]any{"username": "BO", "password": testPassword, "role": "viewer"}, 409, nil)
	e.do(e.admin, "POST", "/api/v1/users", map[string]any{"username": "short", "password": "short", "role": "viewer"}, 400, nil)
	e.do(e.admin, "POST", "/api/v1/users", map[string]any{"username": "x", "password": testPassword, "role": "god"}, 400, nil)
	bo := e.login("bo", true)
	e.do(e.admin, "PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), map[string]any{"role": "user"}, 200, &u)
	if u.Role != "user" {
		t.Fatalf("role %q", u.Role)
	}
	e.do(bo, "POST", "/api/v1/albums", map[string]any{"title": "bo's"}, 201, nil) // promotion applies at once
	e.do(e.admin, "PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), map[string]any{"password": "another long one"}, 200, nil)
	e.do(bo, "GET", "/api/v1/session", nil, 401, nil)
	// The last admin stays.
	e.do(e.admin, "PATCH", fmt.Sprintf("/api/v1/users/%d", e.admin.userID), map[string]any{"role": "user"}, 409, nil)
	e.do(e.admin, "DELETE", fmt.Sprintf("/api/v1/users/%d", e.admin.userID), nil, 409, nil)
	e.do(e.admin, "DELETE", fmt.Sprintf("/api/v1/users/%d", u.ID), nil, 204, nil)
	var us struct{ Users []db.User }
	e.do(e.admin, "GET", "/api/v1/users", nil, 200, &us)
	if len(us.Users) != 3 {
		t.Errorf("users %+v", us.Users)
	}
}

type page struct {
	Photos []db.Photo
	Next   string
}

func ids(p page) []int64 {
	var out []int64
	for _, ph := range p.Photos {
		out = append(out, ph.ID)
	}
	return out
}

func TestSearchFiltersAndPagination(t *testing.T) {
	e := newEnv(t, nil)
	var p page
	e.do(e.user, "GET", "/api/v1/photos?limit=2", nil, 200, &p)
	if len(p.Photos) != 2 || p.Next == "" {
		t.Fatalf("first page %v next %q", ids(p), p.Next)
	}
	seen := map[int64]bool{}
	total := 0
	for cur := ""; ; {
		var pg page
		e.do(e.user, "GET", "/api/v1/photos?limit=2&cursor="+cur, nil, 200, &pg)
		for _, ph := range pg.Photos {
			if seen[ph.ID] {
				t.Fatalf("photo %d on two pages", ph.ID)
			}
			seen[ph.ID] = true
			total++
		}
		if pg.Next == "" {
			break
		}
		cur = pg.Next
	}
	if total != 5 {
		t.Fatalf("paged through %d photos, want 5", total)
	}
	for q, want := range map[string][]int64{
		"q=tram":                      {e.pub.ID},
		"q=Tram%2028":                 {e.pub.ID},
		"q=lisb":                      {e.pub.ID, e.priv.ID}, // prefix of the folder name and the city
		"country=PT&city=Lisbon":      {e.pub.ID, e.priv.ID},
		"lat=38.7&lng=-9.1&radius=10": {e.pub.ID},
		"bbox=-10,38,-9,39":           {e.pub.ID},
		"type=video":                  {e.video.ID},
		"private=true":                {e.priv.ID},
		fmt.Sprintf("album=%d&sort=position", e.album.ID): {e.pub.ID, e.priv.ID},
		"folder=2020":      nil, // set below: cat and clip
		"q=%22AND%20NEAR(": {},  // FTS syntax is quoted, not an error
	} {
		if q == "folder=2020" {
			want = []int64{e.photo("2020/cat.jpg").ID, e.video.ID}
		}
		var pg page
		e.do(e.user, "GET", "/api/v1/photos?"+q, nil, 200, &pg)
		got := map[int64]bool{}
		for _, id := range ids(pg) {
			got[id] = true
		}
		if len(got) != len(want) {
			t.Errorf("%s: got %v, want %v", q, ids(pg), want)
			continue
		}
		for _, id := range want {
			if !got[id] {
				t.Errorf("%s: got %v, want %v", q, ids(pg), want)
			}
		}
	}
	for _, q := range []string{"year=abc", "month=3", "type=sculpture", "sort=size", "cursor=xyz", "after=yesterday", "bbox=1,2,3", "lat=91&lng=0"} {
		e.do(e.user, "GET", "/api/v1/photos?"+q, nil, 400, nil)
	}
	var m struct {
		Months []db.MonthCount
	}
	e.do(e.user, "GET", "/api/v1/photos/months", nil, 200, &m)
	n := 0
	for _, mc := range m.Months {
		n += mc.Count
	}
	if n != 5 {
		t.Errorf("month counts add up to %d, want 5", n)
	}
}

func TestEditPhotoSurvivesReindex(t *testing.T) {
	e := newEnv(t, nil)
	var d struct {
		Photo    db.Photo
		Keywords []string
		Edited   []string
		Files    []db.PhotoFile
	}
	path := fmt.Sprintf("/api/v1/photos/%d", e.photo("2020/cat.jpg").ID)
	e.do(e.user, "PATCH", path, map[string]any{"title": "Mia", "description": "asleep", "keywords": []string{"cat", "sofa"},
		"favorite": true, "taken_local": "2015-06-01 14:00:00", "taken_offset": 120, "lat": 41.15, "lng": -8.61}, 200, &d)
	if d.Photo.Title != "Mia" || !d.Photo.Favorite || d.Photo.TakenAt != "2015-06-01 12:00:00" || *d.Photo.Lat != 41.15 || len(d.Keywords) != 2 {
		t.Fatalf("after edit: %+v %v", d.Photo, d.Keywords)
	}
	if _, err := e.ix.Scan(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	e.do(e.user, "GET", path, nil, 200, &d)
	if d.Photo.Title != "Mia" || d.Photo.TakenLocal != "2015-06-01 14:00:00" || d.Photo.Lat == nil || strings.Join(d.Keywords, ",") != "cat,sofa" {
		t.Fatalf("a full re-index overwrote the edit: %+v %v", d.Photo, d.Keywords)
	}
	var pg page
	e.do(e.user, "GET", "/api/v1/photos?q=sofa", nil, 200, &pg)
	if len(pg.Photos) != 1 {
		t.Errorf("search for an edited keyword found %v", ids(pg))
	}
	d.Photo = db.Photo{} // decoding leaves fields the answer omits
	e.do(e.user, "PATCH", path, map[string]any{"lat": nil, "lng": nil}, 200, &d)
	if d.Photo.Lat != nil {
		t.Error("location not removed")
	}
	e.do(e.user, "PATCH", path, map[string]any{"lat": 100, "lng": 0}, 400, nil)
	e.do(e.user, "PATCH", path, map[string]any{"nonsense": 1}, 400, nil)
	e.do(e.user, "PATCH", "/api/v1/photos/99999", map[string]any{"title": "x"}, 404, nil)
	var b struct{ Updated int }
	e.do(e.user, "POST", "/api/v1/photos/batch", map[string]any{"photo_ids": []int64{e.pub.ID, e.video.ID}, "archived": true}, 200, &b)
	e.do(e.user, "GET", "/api/v1/photos", nil, 200, &pg)
	if b.Updated != 2 || len(pg.Photos) != 3 {
		t.Errorf("archived 2 photos, the timeline shows %d of 5", len(pg.Photos))
	}
}

func TestAlbumsLifecycle(t *testing.T) {
	e := newEnv(t, nil)
	var a db.Album
	e.do(e.user, "POST", "/api/v1/albums", map[string]any{"title": "Cats", "description": "mostly Mia"}, 201, &a)
	cat := e.photo("2020/cat.jpg")
	var r map[string]int
	e.do(e.user, "POST", fmt.Sprintf("/api/v1/albums/%d/photos", a.ID), map[string]any{"photo_ids": []int64{cat.ID, e.pub.ID, cat.ID, 424242}}, 200, &r)
	if r["added"] != 2 {
		t.Fatalf("added %v", r)
	}
	e.do(e.user, "PUT", fmt.Sprintf("/api/v1/albums/%d/order", a.ID), map[string]any{"photo_ids": []int64{e.pub.ID}}, 204, nil)
	var pg page
	e.do(e.user, "GET", fmt.Sprintf("/api/v1/photos?album=%d&sort=position", a.ID), nil, 200, &pg)
	if got := ids(pg); len(got) != 2 || got[0] != e.pub.ID || got[1] != cat.ID {
		t.Fatalf("album order %v", got)
	}
	e.do(e.user, "PATCH", fmt.Sprintf("/api/v1/albums/%d", a.ID), map[string]any{"title": "Cats & trams", "cover_photo_id": cat.ID}, 200, &a)
	if a.Title != "Cats & trams" || a.CoverHash != cat.Hash || a.Count != 2 {
		t.Fatalf("album %+v", a)
	}
	e.do(e.user, "PATCH", fmt.Sprintf("/api/v1/albums/%d", a.ID), map[string]any{"cover_photo_id": e.video.ID}, 400, nil)
	e.do(e.user, "DELETE", fmt.Sprintf("/api/v1/albums/%d/photos", a.ID), map[string]any{"photo_ids": []int64{cat.ID}}, 200, &r)
	e.do(e.user, "GET", fmt.Sprintf("/api/v1/albums/%d", a.ID), nil, 200, &a)
	if a.Count != 1 || a.CoverHash != e.pub.Hash {
		t.Errorf("after removing the cover: %+v", a)
	}
	e.do(e.user, "PUT", "/api/v1/albums/order", map[string]any{"album_ids": []int64{a.ID, e.album.ID}}, 204, nil)
	var list struct{ Albums []db.Album }
	e.do(e.viewer, "GET", "/api/v1/albums", nil, 200, &list)
	if len(list.Albums) != 2 || list.Albums[0].ID != a.ID {
		t.Errorf("album list order %+v", list.Albums)
	}
	e.do(e.user, "POST", "/api/v1/albums", map[string]any{"title": "  "}, 400, nil)
	e.do(e.user, "DELETE", fmt.Sprintf("/api/v1/albums/%d", a.ID), nil, 204, nil)
	e.do(e.user, "GET", fmt.Sprintf("/api/v1/albums/%d", a.ID), nil, 404, nil)
}

func TestShareWithPassword(t *testing.T) {
	e := newEnv(t, nil)
	var sh struct {
		ID          int64
		Token       string
		URL         string
		HasPassword bool `json:"has_password"`
	}
	e.do(e.user, "POST", fmt.Sprintf("/api/v1/albums/%d/shares", e.album.ID), map[string]any{"password": "open sesame", "expires_in_days": 7}, 201, &sh)
	if !sh.HasPassword || sh.URL != "/s/"+sh.Token || len(sh.Token) < 40 {
		t.Fatalf("share %+v", sh)
	}
	var locked map[string]any
	e.do(client{}, "GET", "/api/v1/s/"+sh.Token, nil, 401, &locked)
	if locked["password_required"] != true {
		t.Fatalf("locked share says %v", locked)
	}
	e.do(client{}, "GET", "/api/v1/s/"+sh.Token+"/photos", nil, 401, nil)
	e.do(client{}, "POST", "/api/v1/s/"+sh.Token+"/unlock", map[string]any{"password": "wrong"}, 401, nil)
	var un struct{ Access string }
	e.do(client{}, "POST", "/api/v1/s/"+sh.Token+"/unlock", map[string]any{"password": "open sesame"}, 200, &un)
	h := http.Header{"X-Share-Access": {un.Access}}
	resp := e.request(client{}, "GET", "/api/v1/s/"+sh.Token, nil, h)
	var v struct {
		Album      struct{ Title string }
		ThumbToken string `json:"thumb_token"`
	}
	testkit.Decode(t, resp, 200, &v)
	if v.Album.Title != "Portugal" || v.ThumbToken != un.Access {
		t.Fatalf("visit %+v", v)
	}
	e.do(client{}, "GET", "/api/v1/t/"+e.pub.Hash+"/"+v.ThumbToken+"/fit_720", nil, 200, nil)
	var list struct {
		Shares []struct {
			ID    int64
			Views int
		}
	}
	e.do(e.user, "GET", fmt.Sprintf("/api/v1/shares?album=%d", e.album.ID), nil, 200, &list)
	for _, s := range list.Shares {
		if s.ID == sh.ID && s.Views != 1 {
			t.Errorf("views %d, want 1", s.Views)
		}
	}
	e.do(e.user, "POST", fmt.Sprintf("/api/v1/albums/%d/shares", e.album.ID), map[string]any{"expires_at": "2001-01-01 00:00:00"}, 400, nil)
}

func TestThumbnailCaching(t *testing.T) {
	e := newEnv(t, nil)
	u := "/api/v1/t/" + e.pub.Hash + "/" + e.thumbToken("user") + "/tile_224"
	resp := e.request(client{}, "GET", u, nil, nil)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "private, max-age=31536000, immutable" ||
		resp.Header.Get("Content-Type") != "image/jpeg" || resp.Header.Get("ETag") == "" {
		t.Fatalf("thumbnail %d %v", resp.StatusCode, resp.Header)
	}
	resp = e.request(client{}, "GET", u, nil, http.Header{"If-None-Match": {resp.Header.Get("ETag")}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", resp.StatusCode)
	}
	resp = e.request(client{}, "GET", "/api/v1/t/"+e.pub.Hash+"/"+e.thumbToken("user")+"/huge", nil, nil)
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("unknown size: %d", resp.StatusCode)
	}
	resp = e.request(client{}, "GET", "/api/v1/t/"+strings.Repeat("0", 40)+"/"+e.thumbToken("user")+"/tile_224", nil, nil)
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("unknown photo: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestDownloadAndVideoRange(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.thumbToken("viewer")
	resp := e.request(client{}, "GET", "/api/v1/dl/"+e.pub.Hash+"?t="+tok, nil, nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Disposition") != `attachment; filename=tram.jpg` ||
		resp.Header.Get("Content-Type") != "image/jpeg" || len(b) != len(testkit.JPEG(testkit.Photo{Seed: 1})) {
		t.Fatalf("download %d %v (%d bytes)", resp.StatusCode, resp.Header, len(b))
	}
	resp = e.request(client{}, "GET", "/api/v1/video/"+e.video.Hash+"?t="+tok, nil, http.Header{"Range": {"bytes=100-199"}})
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || len(b) != 100 || !strings.HasPrefix(resp.Header.Get("Content-Range"), "bytes 100-199/") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "video/") || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline") {
		t.Fatalf("video range: %d %v (%d bytes)", resp.StatusCode, resp.Header, len(b))
	}
	e.do(client{}, "GET", "/api/v1/dl/"+e.pub.Hash, nil, 403, nil)
}

func TestLibrarySummaries(t *testing.T) {
	e := newEnv(t, nil)
	var f db.FolderView
	e.do(e.user, "GET", "/api/v1/folders", nil, 200, &f)
	if f.Folder.Total != 5 || len(f.Children) != 2 || f.Children[0].Name != "2019" || f.Children[0].Total != 2 {
		t.Fatalf("root folder %+v", f)
	}
	e.do(e.user, "GET", "/api/v1/folders?path=2020", nil, 200, &f)
	if f.Folder.Photos != 2 || f.Folder.Total != 3 || len(f.Children) != 1 || f.Children[0].CoverHash == "" || len(f.Parents) != 1 {
		t.Fatalf("2020 %+v", f)
	}
	e.do(e.user, "GET", "/api/v1/folders?path=nowhere", nil, 404, nil)
	var cal struct {
		Years []struct{ Year, Count int }
	}
	e.do(e.user, "GET", "/api/v1/calendar", nil, 200, &cal)
	n := 0
	for _, y := range cal.Years {
		n += y.Count
	}
	if n != 5 {
		t.Errorf("calendar counts %d photos, want 5", n)
	}
	var pl struct {
		Level  string
		Places []db.PlaceCount
	}
	e.do(e.user, "GET", "/api/v1/places", nil, 200, &pl)
	if pl.Level != "country" || len(pl.Places) != 1 || pl.Places[0].Country != "Portugal" || pl.Places[0].Count != 2 {
		t.Errorf("places %+v", pl)
	}
	var cams map[string]any
	e.do(e.user, "GET", "/api/v1/cameras", nil, 200, &cams)
	if _, ok := cams["lenses"]; !ok {
		t.Errorf("cameras %v", cams)
	}
}

func TestGzipForJSONOnly(t *testing.T) {
	e := newEnv(t, nil)
	for i := 0; i < 3; i++ {
		e.do(e.user, "POST", "/api/v1/albums", map[string]any{"title": strings.Repeat("long title ", 10)}, 201, nil)
	}
	resp := e.request(e.user, "GET", "/api/v1/albums", nil, http.Header{"Accept-Encoding": {"gzip"}})
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("JSON not gzipped: %v", resp.Header)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(zr)
	if !strings.Contains(string(b), "long title") {
		t.Errorf("gzipped body %q", b)
	}
	if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("gzipped JSON without Vary: %v", resp.Header)
	}
	// A client that does not ask for gzip gets plain JSON.
	plain := e.request(e.user, "GET", "/api/v1/albums", nil, http.Header{"Accept-Encoding": {"identity"}})
	pb, _ := io.ReadAll(plain.Body)
	plain.Body.Close()
	if plain.Header.Get("Content-Encoding") != "" || !strings.Contains(string(pb), "long title") {
		t.Errorf("identity request: %v %q", plain.Header, pb)
	}
	// Small answers and errors are sent as they are, and errors keep their body.
	for path, want := range map[string]int{"/api/v1/photos/999999": 404, "/api/v1/albums/999999": 404, "/api/v1/session": 200} {
		r := e.request(e.user, "GET", path, nil, http.Header{"Accept-Encoding": {"gzip"}})
		rb, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != want || r.Header.Get("Content-Encoding") != "" || len(rb) == 0 || rb[0] != '{' {
			t.Errorf("%s: %d %q %q", path, r.StatusCode, r.Header.Get("Content-Encoding"), rb)
		}
	}
	img := e.request(client{}, "GET", "/api/v1/dl/"+e.pub.Hash+"?t="+e.thumbToken("user"), nil, http.Header{"Accept-Encoding": {"gzip"}})
	img.Body.Close()
	if img.Header.Get("Content-Encoding") != "" {
		t.Error("an image download was gzipped")
	}
}

// TestEventsStreamProgressAndChanges: the stream sends the index progress
// on connect and again when it changes (here, a rescan that finds a new
// file), and a "photos" event when a photo is edited.
func TestEventsStreamProgressAndChanges(t *testing.T) {
	e := newEnv(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.ts.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+e.viewer.bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
	type event struct{ name, data string }
	events := make(chan event, 64)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		var ev event
		for sc.Scan() {
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			case line == "" && ev.name != "":
				events <- ev
				ev = event{}
			}
		}
	}()
	next := func(what string) event {
		t.Helper()
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("stream ended waiting for %s", what)
			}
			return ev
		case <-ctx.Done():
			t.Fatalf("no %s within the deadline", what)
		}
		return event{}
	}
	var p index.Progress
	first := next("the progress snapshot")
	if first.name != "progress" || json.Unmarshal([]byte(first.data), &p) != nil || p.Seen != 5 || p.Running {
		t.Fatalf("first event %+v, want the progress of the scan that indexed 5 files", first)
	}

	// A new file and a rescan: the progress that follows counts it.
	testkit.WriteFile(t, e.root, "2021/new.jpg", testkit.JPEG(testkit.Photo{Seed: 21}))
	e.do(e.admin, "POST", "/api/v1/index/rescan", nil, 202, nil)
	for {
		ev := next("progress of the rescan")
		if ev.name != "progress" {
			continue
		}
		p = index.Progress{}
		if err := json.Unmarshal([]byte(ev.data), &p); err != nil {
			t.Fatalf("progress %s: %v", ev.data, err)
		}
		if !p.Running && p.Seen == 6 && p.Indexed == 1 {
			break
		}
	}

	e.do(e.user, "PATCH", fmt.Sprintf("/api/v1/photos/%d", e.pub.ID), map[string]any{"favorite": true}, 200, nil)
	for {
		if ev := next("the photos event"); ev.name == "photos" {
			var ch struct{ Changed []int64 }
			if json.Unmarshal([]byte(ev.data), &ch) != nil || len(ch.Changed) != 1 || ch.Changed[0] != e.pub.ID {
				t.Fatalf("photos event %s, want it to name photo %d", ev.data, e.pub.ID)
			}
			return
		}
	}
}
