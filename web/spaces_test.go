package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"pinhole/app/testkit"
	"pinhole/db"
)

// spacesEnv is newEnv plus private spaces: ana (the env's "user") owns
// three photos — one from 2019, one from 2021, one from 2021 only-me —
// and shares her space from 2020-01-01 with partner cleo; bob is another
// user. The library's own photo (e.pub) stays everyone's.
type spacesEnv struct {
	*env
	bob, cleo           client
	old, recent, onlyMe db.Photo
	all                 []int64 // the four photos the test looks for
	album               db.Album
	anaShare, bobShare  string // share-link access secrets of the album, made by ana and bob
	anaShareTok         string
	photosOf            map[string][]int64
	clients             map[string]client
	readersInOrder      []string
}

func newSpacesEnv(t *testing.T) *spacesEnv {
	e := newEnv(t, nil)
	ctx := context.Background()
	s := &spacesEnv{env: e, bob: e.newAccount("user", 101), cleo: e.newAccount("user", 102)}
	// Two photos reach ana's space through a folder an admin gives her,
	// one through her own upload.
	e.addFiles([2]any{"Family/Ana/2019/old.jpg", testkit.JPEG(testkit.Photo{Seed: 901})})
	e.addFiles([2]any{"Family/Ana/2021/mine.jpg", testkit.JPEG(testkit.Photo{Seed: 902})})
	var assigned struct{ Photos int64 }
	e.do(e.admin, "PUT", "/api/v1/space/folders", map[string]any{"path": "Family/Ana", "username": "user"}, 200, &assigned)
	if assigned.Photos != 2 {
		t.Fatalf("assigning Family/Ana moved %d photos, want 2", assigned.Photos)
	}
	up := e.upload(e.user, [2]string{"recent.jpg", string(testkit.JPEG(testkit.Photo{Seed: 903}))})
	if len(up) != 1 || up[0].PhotoID == 0 {
		t.Fatalf("upload: %+v", up)
	}
	s.old, s.onlyMe, s.recent = e.photo("Family/Ana/2019/old.jpg"), e.photo("Family/Ana/2021/mine.jpg"), e.photo(up[0].Path)
	if s.recent.OwnerUser == nil || *s.recent.OwnerUser != e.user.userID {
		t.Fatalf("an upload's owner is %v, want the uploader %d", s.recent.OwnerUser, e.user.userID)
	}
	e.do(e.user, "PUT", fmt.Sprintf("/api/v1/photos/%d/only-me", s.onlyMe.ID), map[string]any{"only_me": true}, 200, nil)
	taken := map[int64]string{s.old.ID: "2019-06-01 12:00:00", s.recent.ID: "2021-06-01 12:00:00", s.onlyMe.ID: "2021-07-01 12:00:00"}
	s.all = []int64{e.pub.ID, s.old.ID, s.recent.ID, s.onlyMe.ID}
	for i, id := range s.all {
		lat, lng := 10.0+float64(i)*10, 20.0+float64(i)*10
		ed := db.PhotoEdit{Title: ptr("spacetest"), SetLocation: true, Lat: &lat, Lng: &lng}
		if taken[id] != "" {
			ed.SetTaken, ed.TakenLocal = true, taken[id]
		}
		if err := e.db.EditPhoto(ctx, id, ed); err != nil {
			t.Fatal(err)
		}
	}
	e.do(e.user, "POST", "/api/v1/space/partners", map[string]any{"partner": "user102", "since": "2020-01-01"}, 201, nil)
	// An album everyone may open holds all four, shared by ana and by bob.
	var al db.Album
	e.do(e.admin, "POST", "/api/v1/albums", map[string]any{"title": "Spaces"}, 201, &al)
	e.do(e.admin, "POST", fmt.Sprintf("/api/v1/albums/%d/photos", al.ID), map[string]any{"photo_ids": s.all}, 200, nil)
	s.album = al
	for _, who := range []struct {
		c   client
		out *string
	}{{e.user, &s.anaShare}, {s.bob, &s.bobShare}} {
		var sh struct {
			Token  string `json:"token"`
			Access string `json:"access"`
		}
		e.do(who.c, "POST", fmt.Sprintf("/api/v1/albums/%d/shares", al.ID), map[string]any{"expires_in_days": 1}, 201, &sh)
		*who.out = sh.Token
	}
	s.clients = map[string]client{"ana": e.user, "bob": s.bob, "cleo": s.cleo, "admin": e.admin, "viewer": e.viewer}
	s.readersInOrder = []string{"ana", "bob", "cleo", "admin", "viewer"}
	// Who sees what: ana her whole space, bob and the viewer only the
	// library, cleo the library and ana's photos from 2020 that are not
	// only-me, the admin everything.
	s.photosOf = map[string][]int64{
		"ana":    s.all,
		"bob":    {e.pub.ID},
		"cleo":   {e.pub.ID, s.recent.ID},
		"admin":  s.all,
		"viewer": {e.pub.ID},
	}
	return s
}

func (s *spacesEnv) sees(reader string, id int64) bool {
	return slices.Contains(s.photosOf[reader], id)
}

// ofTheFour keeps the ids among got that are the test's photos, sorted.
func (s *spacesEnv) ofTheFour(got []int64) []int64 {
	var out []int64
	for _, id := range got {
		if slices.Contains(s.all, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func sorted(ids []int64) []int64 { c := slices.Clone(ids); slices.Sort(c); return c }

// A private photo is absent for another user from every list and every
// way to open it; present for its owner and an admin; for a partner only
// from the shared date and never when only-me.
func TestPrivateSpacesWhoSeesWhat(t *testing.T) {
	s := newSpacesEnv(t)
	e := s.env
	ctx := context.Background()
	for _, name := range s.readersInOrder {
		c := s.clients[name]
		want := sorted(s.photosOf[name])
		t.Run(name, func(t *testing.T) {
			// Timeline and search.
			for _, path := range []string{"/api/v1/photos?limit=500", "/api/v1/photos?q=spacetest&limit=500",
				fmt.Sprintf("/api/v1/photos?album=%d&limit=500", s.album.ID)} {
				var page struct{ Photos []db.Photo }
				e.do(c, "GET", path, nil, 200, &page)
				var ids []int64
				for _, p := range page.Photos {
					ids = append(ids, p.ID)
				}
				if got := s.ofTheFour(ids); !slices.Equal(got, want) {
					t.Errorf("%s: %v, want %v", path, got, want)
				}
			}
			// Detail, thumbnail and download of each photo.
			tok, err := e.srv.Auth().ThumbToken(ctx, c.userID)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range s.all {
				p, err := e.db.PhotoByID(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				code := 404
				if s.sees(name, id) {
					code = 200
				}
				e.do(c, "GET", fmt.Sprintf("/api/v1/photos/%d", id), nil, code, nil)
				for _, path := range []string{"/api/v1/t/" + p.Hash + "/" + tok + "/tile_224", "/api/v1/dl/" + p.Hash + "?t=" + tok} {
					resp := e.request(client{}, "GET", path, nil, nil)
					resp.Body.Close()
					if resp.StatusCode != code {
						t.Errorf("photo %d: %s answered %d, want %d", id, path[:12], resp.StatusCode, code)
					}
				}
			}
			// Month counts (the timeline scrubber), map clusters at a
			// low zoom (the kept cells) and a high one, and folders all
			// count what the list shows.
			var list struct{ Photos []db.Photo }
			e.do(c, "GET", "/api/v1/photos?limit=500", nil, 200, &list)
			var months struct{ Months []struct{ Count int } }
			e.do(c, "GET", "/api/v1/photos/months", nil, 200, &months)
			total := 0
			for _, m := range months.Months {
				total += m.Count
			}
			if total != len(list.Photos) {
				t.Errorf("month counts add up to %d, the timeline lists %d", total, len(list.Photos))
			}
			for _, zoom := range []int{1, 12} {
				var geo struct{ Clusters []db.GeoCluster }
				bbox := "-179,-80,179,80"
				if zoom == 12 {
					bbox = "19.9,9.9,20.1,10.1" // around the library's photo only
				}
				e.do(c, "GET", fmt.Sprintf("/api/v1/geo?zoom=%d&bbox=%s", zoom, bbox), nil, 200, &geo)
				n := 0
				for _, cl := range geo.Clusters {
					n += cl.Count
				}
				wantN := 1
				if zoom == 1 {
					wantN = len(want) // e.pub's old place in Lisbon was moved onto the grid
				}
				if n != wantN {
					t.Errorf("map at zoom %d counts %d photos, want %d", zoom, n, wantN)
				}
			}
			var folder db.FolderView
			e.do(c, "GET", "/api/v1/folders?path=Family/Ana", nil, 200, &folder)
			wantFolder := 0
			for _, id := range []int64{s.old.ID, s.onlyMe.ID} {
				if s.sees(name, id) {
					wantFolder++
				}
			}
			if folder.Folder.Total != wantFolder {
				t.Errorf("folder Family/Ana counts %d photos, want %d", folder.Folder.Total, wantFolder)
			}
			// The album's count leaves out what the reader may not see.
			var al db.Album
			e.do(c, "GET", fmt.Sprintf("/api/v1/albums/%d", s.album.ID), nil, 200, &al)
			if al.Count != len(want) {
				t.Errorf("album counts %d photos, want %d", al.Count, len(want))
			}
		})
	}

	// A share link shows what its creator may see, never an only-me photo.
	for _, sh := range []struct {
		name, token string
		want        []int64
	}{{"ana's", s.anaShare, sorted([]int64{e.pub.ID, s.old.ID, s.recent.ID})}, {"bob's", s.bobShare, []int64{e.pub.ID}}} {
		var page struct{ Photos []db.Photo }
		e.do(client{}, "GET", "/api/v1/s/"+sh.token+"/photos", nil, 200, &page)
		var ids []int64
		for _, p := range page.Photos {
			ids = append(ids, p.ID)
		}
		if got := s.ofTheFour(ids); !slices.Equal(got, sh.want) {
			t.Errorf("%s share lists %v, want %v", sh.name, got, sh.want)
		}
		e.do(client{}, "GET", fmt.Sprintf("/api/v1/s/%s/photos/%d", sh.token, s.onlyMe.ID), nil, 404, nil)
	}

	// Live updates name only what each reader sees.
	streams := map[string]*sse{}
	for _, name := range s.readersInOrder {
		streams[name] = e.openStream(s.clients[name])
	}
	time.Sleep(100 * time.Millisecond) // let the streams subscribe
	e.do(e.admin, "POST", "/api/v1/photos/batch", map[string]any{"photo_ids": s.all, "favorite": true}, 200, nil)
	for _, name := range s.readersInOrder {
		ev, ok := streams[name].next("photos", 5*time.Second)
		if !ok {
			t.Errorf("%s: no photos event", name)
			continue
		}
		var v struct{ Changed []int64 }
		if err := json.Unmarshal([]byte(ev.data), &v); err != nil {
			t.Fatal(err)
		}
		if got, want := s.ofTheFour(v.Changed), sorted(s.photosOf[name]); !slices.Equal(got, want) {
			t.Errorf("%s's event names %v, want %v", name, got, want)
		}
	}

	// Revoking the sharing takes ana's photos away from cleo at once.
	e.do(e.user, "DELETE", fmt.Sprintf("/api/v1/space/partners/%d", s.cleo.userID), nil, 204, nil)
	e.do(s.cleo, "GET", fmt.Sprintf("/api/v1/photos/%d", s.recent.ID), nil, 404, nil)
	var months struct{ Months []struct{ Count int } }
	e.do(s.cleo, "GET", "/api/v1/photos/months", nil, 200, &months)
	var list struct{ Photos []db.Photo }
	e.do(s.cleo, "GET", "/api/v1/photos?limit=500", nil, 200, &list)
	total := 0
	for _, m := range months.Months {
		total += m.Count
	}
	if total != len(list.Photos) || slices.ContainsFunc(list.Photos, func(p db.Photo) bool { return p.ID == s.recent.ID }) {
		t.Errorf("after revoking, cleo lists %d photos and counts %d", len(list.Photos), total)
	}
}

// Only the owner (or an admin) marks a photo only-me; a library photo
// has no owner to keep it for.
func TestOnlyMeRules(t *testing.T) {
	s := newSpacesEnv(t)
	e := s.env
	path := fmt.Sprintf("/api/v1/photos/%d/only-me", s.recent.ID)
	e.do(s.bob, "PUT", path, map[string]any{"only_me": true}, 404, nil)  // bob cannot see it
	e.do(s.cleo, "PUT", path, map[string]any{"only_me": true}, 403, nil) // cleo sees it, read-only
	e.do(e.user, "PUT", fmt.Sprintf("/api/v1/photos/%d/only-me", e.pub.ID), map[string]any{"only_me": true}, 403, nil)
	e.do(e.user, "PUT", path, map[string]any{}, 400, nil)
	e.do(e.admin, "PUT", path, map[string]any{"only_me": true}, 200, nil)
	e.do(s.cleo, "GET", fmt.Sprintf("/api/v1/photos/%d", s.recent.ID), nil, 404, nil)
	// Partners see a space read-only; others cannot touch it at all.
	e.do(e.user, "PUT", path, map[string]any{"only_me": false}, 200, nil)
	edit := fmt.Sprintf("/api/v1/photos/%d", s.recent.ID)
	e.do(s.cleo, "PATCH", edit, map[string]any{"title": "mine now"}, 403, nil)
	e.do(s.bob, "PATCH", edit, map[string]any{"title": "mine now"}, 404, nil)
	e.do(s.cleo, "POST", "/api/v1/photos/batch", map[string]any{"photo_ids": []int64{e.pub.ID, s.recent.ID}, "archived": true}, 403, nil)
	e.do(s.bob, "POST", "/api/v1/photos/batch", map[string]any{"photo_ids": []int64{e.pub.ID, s.onlyMe.ID}, "archived": true}, 404, nil)
	e.do(s.cleo, "POST", "/api/v1/photos/batch-edit", map[string]any{"photo_ids": []int64{s.recent.ID}, "title": "mine now"}, 403, nil)
	if p := e.photo("Family/Ana/2021/mine.jpg"); p.Archived {
		t.Error("a refused batch archived ana's photo")
	}
	e.do(e.user, "PATCH", edit, map[string]any{"title": "ana's"}, 200, nil)
	e.do(e.admin, "PATCH", edit, map[string]any{"title": "admin's"}, 200, nil)
	// A user's "uploads are only me" applies to their next upload.
	e.do(s.bob, "PUT", "/api/v1/space", map[string]any{"uploads_only_me": true}, 200, nil)
	e.do(s.bob, "POST", "/api/v1/space/partners", map[string]any{"partner": "user102"}, 201, nil)
	up := e.upload(s.bob, [2]string{"bob.jpg", string(testkit.JPEG(testkit.Photo{Seed: 904}))})
	if p := e.photo(up[0].Path); !p.OnlyMe {
		t.Errorf("bob's upload with uploads only-me on: only_me = false")
	}
	e.do(s.cleo, "GET", fmt.Sprintf("/api/v1/photos/%d", up[0].PhotoID), nil, 404, nil)
	e.do(s.bob, "GET", fmt.Sprintf("/api/v1/photos/%d", up[0].PhotoID), nil, 200, nil)
	// The selection's Only me: all or none.
	many := "/api/v1/photos/only-me"
	e.do(e.user, "PUT", many, map[string]any{"photo_ids": []int64{s.old.ID, e.pub.ID}, "only_me": true}, 403, nil)
	e.do(e.user, "PUT", many, map[string]any{"photo_ids": []int64{s.old.ID, up[0].PhotoID}, "only_me": true}, 404, nil)
	if p := e.photo("Family/Ana/2019/old.jpg"); p.OnlyMe {
		t.Error("a refused selection marked ana's photo only-me")
	}
	var upd struct{ Updated int }
	e.do(e.user, "PUT", many, map[string]any{"photo_ids": []int64{s.old.ID, s.recent.ID}, "only_me": true}, 200, &upd)
	if upd.Updated != 2 || !e.photo("Family/Ana/2019/old.jpg").OnlyMe {
		t.Errorf("ana's selection: updated %d", upd.Updated)
	}
	// Bad input is refused and changes nothing.
	e.do(s.bob, "POST", "/api/v1/space/partners", map[string]any{"partner": "nobody"}, 400, nil)
	e.do(s.bob, "POST", "/api/v1/space/partners", map[string]any{"partner": "user102", "since": "last year"}, 400, nil)
	e.do(s.bob, "POST", "/api/v1/space/partners", map[string]any{"partner": "user101"}, 400, nil)
	e.do(e.admin, "PUT", "/api/v1/space/folders", map[string]any{"path": "../etc", "username": "user"}, 400, nil)
}

// spacesMatrixRows are the authorization matrix's rows for the routes of
// private spaces (web/spaces.go).
func spacesMatrixRows(e *env, next func() int) map[string]matrixCase {
	const ok, created, noContent, unauth, forbidden = 200, 201, 204, 401, 403
	loggedIn := [5]int{unauth, ok, ok, ok, unauth}
	users := [5]int{unauth, forbidden, ok, ok, unauth}
	admins := [5]int{unauth, forbidden, forbidden, ok, unauth}
	ctx := context.Background()
	return map[string]matrixCase{
		"GET /api/v1/space": {prep: fixed("/api/v1/space", nil), want: loggedIn},
		"PUT /api/v1/space": {prep: fixed("/api/v1/space", map[string]any{"uploads_only_me": false}), want: users},
		"POST /api/v1/space/partners": {prep: fixed("/api/v1/space/partners", map[string]any{"partner": "matrix", "since": "2020-01-01"}),
			want: [5]int{unauth, forbidden, created, created, unauth}},
		// Each role gives up a sharing another user made with them.
		"DELETE /api/v1/space/partners/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			sharer := e.newAccount("user", next())
			if me := e.clientFor(role).userID; me != 0 {
				if err := e.db.SharePartner(ctx, sharer.userID, me, ""); err != nil {
					e.t.Fatal(err)
				}
			}
			return fmt.Sprintf("/api/v1/space/partners/%d", sharer.userID), nil, nil
		}, want: [5]int{unauth, noContent, noContent, noContent, unauth}},
		// Each role marks a photo of its own space.
		"PUT /api/v1/photos/:id/only-me": {prep: func(e *env, role string) (string, any, http.Header) {
			dir := fmt.Sprintf("Matrix/%s%d", role, next())
			p := e.addFiles([2]any{dir + "/x.jpg", testkit.JPEG(testkit.Photo{Seed: uint64(7000 + next())})})
			if me := e.clientFor(role).userID; me != 0 {
				if _, err := e.db.AssignFolder(ctx, dir, me); err != nil {
					e.t.Fatal(err)
				}
			}
			return fmt.Sprintf("/api/v1/photos/%d/only-me", p.ID), map[string]any{"only_me": true}, nil
		}, want: users},
		"PUT /api/v1/photos/only-me": {prep: func(e *env, role string) (string, any, http.Header) {
			dir := fmt.Sprintf("Matrix/%s%d", role, next())
			p := e.addFiles([2]any{dir + "/y.jpg", testkit.JPEG(testkit.Photo{Seed: uint64(8000 + next())})})
			if me := e.clientFor(role).userID; me != 0 {
				if _, err := e.db.AssignFolder(ctx, dir, me); err != nil {
					e.t.Fatal(err)
				}
			}
			return "/api/v1/photos/only-me", map[string]any{"photo_ids": []int64{p.ID}, "only_me": true}, nil
		}, want: users},
		"GET /api/v1/space/folders": {prep: fixed("/api/v1/space/folders", nil), want: admins},
		"PUT /api/v1/space/folders": {prep: fixed("/api/v1/space/folders", map[string]any{"path": "Matrix/none", "username": "user"}), want: admins},
		"DELETE /api/v1/space/folders": {prep: func(e *env, role string) (string, any, http.Header) {
			dir := fmt.Sprintf("Matrix/gone%d", next())
			if _, err := e.db.AssignFolder(ctx, dir, e.user.userID); err != nil {
				e.t.Fatal(err)
			}
			return "/api/v1/space/folders?path=" + dir, nil, nil
		}, want: [5]int{unauth, forbidden, forbidden, noContent, unauth}},
	}
}

// A WebDAV upload joins the uploader's space like a browser upload, with
// their only-me default, in the same write that makes it a photo.
func TestDAVUploadsJoinTheUploadersSpace(t *testing.T) {
	e := newEnv(t, nil)
	ana := davAs{"user", e.appPassword(e.user, "phone")}
	e.do(e.user, "PUT", "/api/v1/space", map[string]any{"uploads_only_me": true}, 200, nil)
	pic := testkit.JPEG(testkit.Photo{Seed: 9200})
	p := filepath.Join(t.TempDir(), "p.jpg")
	if err := os.WriteFile(p, pic, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := curl(t, "-u", ana.u(), "-T", p, e.ts.URL+"/dav/IMG_1.jpg"); r.code != 201 {
		t.Fatal(r)
	}
	e.waitPhotos(e.user, "Uploads/user", []string{sha1hex(pic)}, 10*time.Second)
	ph := e.photo("Uploads/user/IMG_1.jpg")
	if ph.OwnerUser == nil || *ph.OwnerUser != e.user.userID || !ph.OnlyMe {
		t.Fatalf("the WebDAV upload: owner %v, only_me %v; want the uploader's, only-me", ph.OwnerUser, ph.OnlyMe)
	}
	e.do(e.viewer, "GET", fmt.Sprintf("/api/v1/photos/%d", ph.ID), nil, 404, nil)
	e.do(e.admin, "GET", fmt.Sprintf("/api/v1/photos/%d", ph.ID), nil, 200, nil)
}
