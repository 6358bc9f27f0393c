package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"pinhole/app/trash"
	"pinhole/db"
	"pinhole/web"
)

// withTrash serves the Trash with the real service, its background work
// running for the test's length.
func withTrash(t *testing.T, readOnly bool) func(*web.Deps) {
	return func(d *web.Deps) {
		svc := trash.New(d.DB, trash.Options{Originals: d.Originals, ReadOnly: readOnly, Days: 30})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); svc.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		d.Trash = svc
	}
}

type trashAnswer struct {
	Photos []db.Photo  `json:"photos"`
	Next   string      `json:"next"`
	Trash  trash.State `json:"trash"`
	Token  string      `json:"thumb_token"`
}

func photoIDs(ps []db.Photo) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// A photo a user moves to the Trash leaves the routes that show photos —
// the list, search, months, map, places, albums, the share page, the
// photo's page and its thumbnail for viewers — and comes back on restore;
// emptying deletes its file. Viewers may not trash, list, restore or
// empty.
func TestTrashThroughTheAPI(t *testing.T) {
	e := newEnv(t, withTrash(t, false))
	pub := e.pub.ID

	for _, r := range []struct{ method, path string }{{"GET", "/api/v1/trash"}, {"POST", "/api/v1/trash"},
		{"POST", "/api/v1/trash/restore"}, {"POST", "/api/v1/trash/empty"}} {
		var body any
		if r.method == "POST" {
			body = map[string]any{"photo_ids": []int64{pub}}
		}
		e.do(e.viewer, r.method, r.path, body, 403, nil)
	}
	e.do(e.user, "POST", "/api/v1/trash", map[string]any{}, 400, nil)
	e.do(e.user, "POST", "/api/v1/trash", map[string]any{"all": true}, 400, nil)
	e.do(e.user, "POST", "/api/v1/trash/empty", map[string]any{}, 400, nil) // never empties by default

	// What shows the photo before.
	listed := func(c client, path string) bool {
		var out struct {
			Photos []db.Photo `json:"photos"`
		}
		e.do(c, "GET", path, nil, 200, &out)
		return slices.Contains(photoIDs(out.Photos), pub)
	}
	albumCount := func(c client) int {
		var a db.Album
		e.do(c, "GET", fmt.Sprintf("/api/v1/albums/%d", e.album.ID), nil, 200, &a)
		return a.Count
	}
	geoCount := func(c client) int {
		var out struct {
			Clusters []db.GeoCluster `json:"clusters"`
		}
		e.do(c, "GET", "/api/v1/geo?zoom=3&bbox=-20,30,20,60", nil, 200, &out)
		n := 0
		for _, cl := range out.Clusters {
			n += cl.Count
		}
		return n
	}
	placeCount := func(c client) int {
		var out struct {
			Places []db.PlaceCount `json:"places"`
		}
		e.do(c, "GET", "/api/v1/places?country=PT", nil, 200, &out)
		n := 0
		for _, p := range out.Places {
			n += p.Count
		}
		return n
	}
	tok := e.thumbToken("viewer")
	thumb := func() int {
		resp := e.request(client{}, "GET", fmt.Sprintf("/api/v1/t/%s/%s/tile_224", e.pub.Hash, tok), nil, nil)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []client{e.admin, e.viewer} {
		if !listed(c, "/api/v1/photos") || !listed(c, "/api/v1/photos?q=tram") || !listed(c, fmt.Sprintf("/api/v1/photos?album=%d", e.album.ID)) {
			t.Fatalf("%s does not see the photo before it is trashed", c.role)
		}
	}
	shareListed := func() bool {
		var out struct {
			Photos []db.Photo `json:"photos"`
		}
		e.do(client{}, "GET", "/api/v1/s/"+e.share.Token+"/photos", nil, 200, &out)
		return slices.Contains(photoIDs(out.Photos), pub)
	}
	beforeAlbum, beforeGeo, beforePlaces := albumCount(e.viewer), geoCount(e.viewer), placeCount(e.admin)
	if !shareListed() || thumb() != 200 || beforeGeo == 0 || beforePlaces == 0 {
		t.Fatalf("before: share %v, thumbnail %d, map %d, places %d", shareListed(), thumb(), beforeGeo, beforePlaces)
	}

	var moved map[string]int
	e.do(e.user, "POST", "/api/v1/trash", map[string]any{"photo_ids": []int64{pub}}, 200, &moved)
	if moved["trashed"] != 1 {
		t.Fatalf("trash: %v", moved)
	}
	for _, c := range []client{e.admin, e.user, e.viewer} {
		for _, path := range []string{"/api/v1/photos", "/api/v1/photos?q=tram", fmt.Sprintf("/api/v1/photos?album=%d", e.album.ID),
			"/api/v1/photos?folder=2019/Lisbon", "/api/v1/photos?country=PT"} {
			if listed(c, path) {
				t.Errorf("%s: %s lists the trashed photo", c.role, path)
			}
		}
	}
	if albumCount(e.viewer) != beforeAlbum-1 || geoCount(e.viewer) != beforeGeo-1 || placeCount(e.admin) != beforePlaces-1 {
		t.Errorf("album %d→%d, map %d→%d, places %d→%d: the trashed photo still counts",
			beforeAlbum, albumCount(e.viewer), beforeGeo, geoCount(e.viewer), beforePlaces, placeCount(e.admin))
	}
	if shareListed() {
		t.Error("the share page lists the trashed photo")
	}
	e.do(e.viewer, "GET", fmt.Sprintf("/api/v1/photos/%d", pub), nil, 404, nil)
	var d struct {
		Photo db.Photo `json:"photo"`
	}
	e.do(e.admin, "GET", fmt.Sprintf("/api/v1/photos/%d", pub), nil, 200, &d)
	if d.Photo.TrashedAt == "" {
		t.Error("the owner's photo page does not say the photo is in the Trash")
	}
	if code := thumb(); code == 200 {
		t.Error("a viewer's thumbnail URL still serves the trashed photo")
	}

	var list trashAnswer
	e.do(e.user, "GET", "/api/v1/trash", nil, 200, &list)
	if !slices.Equal(photoIDs(list.Photos), []int64{pub}) || list.Trash.Photos != 1 || list.Trash.Days != 30 || !list.Trash.DeletesFiles || list.Token == "" {
		t.Fatalf("the Trash: %+v", list)
	}
	ownerThumb := e.request(client{}, "GET", fmt.Sprintf("/api/v1/t/%s/%s/tile_224", e.pub.Hash, list.Token), nil, nil)
	ownerThumb.Body.Close()
	if ownerThumb.StatusCode != 200 {
		t.Errorf("the Trash's own thumbnail: %d", ownerThumb.StatusCode)
	}

	var restored map[string]int
	e.do(e.admin, "POST", "/api/v1/trash/restore", map[string]any{"all": true}, 200, &restored)
	if restored["restored"] != 1 || !listed(e.viewer, "/api/v1/photos") || !shareListed() || albumCount(e.viewer) != beforeAlbum {
		t.Fatalf("restore: %v; the photo is not back everywhere", restored)
	}

	// Emptying deletes the file in the background; the photo never
	// shows again.
	file := filepath.Join(e.root, "2019", "Lisbon", "tram.jpg")
	e.do(e.user, "POST", "/api/v1/trash", map[string]any{"photo_ids": []int64{pub}}, 200, nil)
	var emptied trash.Emptied
	e.do(e.user, "POST", "/api/v1/trash/empty", map[string]any{"all": true}, 202, &emptied)
	if emptied.Deleting != 1 {
		t.Fatalf("empty: %+v", emptied)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := os.Stat(file)
		if _, perr := e.db.PhotoByID(context.Background(), pub); os.IsNotExist(err) && perr != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the file or the photo is still there 10 s after emptying the Trash: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.do(e.user, "GET", "/api/v1/trash", nil, 200, &list)
	if len(list.Photos) != 0 || list.Trash.Deleting != 0 {
		t.Fatalf("the Trash after emptying: %+v", list)
	}
	e.do(e.admin, "GET", fmt.Sprintf("/api/v1/photos/%d", pub), nil, 404, nil)
}

// With read-only originals the Trash says so and what to change; emptying
// removes from the library and answers 200 (nothing happens later).
func TestTrashReadOnlyOriginals(t *testing.T) {
	e := newEnv(t, withTrash(t, true))
	file := filepath.Join(e.root, "2020", "cat.jpg")
	cat := e.photo("2020/cat.jpg").ID
	e.do(e.user, "POST", "/api/v1/trash", map[string]any{"photo_ids": []int64{cat}}, 200, nil)
	var list trashAnswer
	e.do(e.user, "GET", "/api/v1/trash", nil, 200, &list)
	if list.Trash.DeletesFiles || list.Trash.ReadOnly == "" {
		t.Fatalf("read-only Trash state: %+v", list.Trash)
	}
	var emptied trash.Emptied
	e.do(e.user, "POST", "/api/v1/trash/empty", map[string]any{"photo_ids": []int64{cat}}, http.StatusOK, &emptied)
	if emptied.Removed != 1 || emptied.Deleting != 0 {
		t.Fatalf("empty: %+v", emptied)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("a read-only server deleted a file: %v", err)
	}
	e.do(e.user, "GET", "/api/v1/trash", nil, 200, &list)
	if len(list.Photos) != 0 {
		t.Fatalf("a photo removed from the library is still in the Trash")
	}
	e.do(e.admin, "GET", fmt.Sprintf("/api/v1/photos/%d", cat), nil, 404, nil)
}

// A photo in the Trash inside a private space: the month counts of a
// reader from whom it is hidden (the kept counts, which leave the Trash
// out, less the hidden photos) still add up to what the timeline lists,
// for every reader.
func TestTrashInPrivateSpaces(t *testing.T) {
	s := newSpacesEnv(t)
	e := s.env
	ctx := context.Background()
	// A photo of Ana's space goes to the Trash, in a month the library's
	// public photo shares. (Its time as the set-up left it: s.onlyMe was
	// read before the set-up moved it.)
	onlyMe := e.photo("Family/Ana/2021/mine.jpg")
	if err := e.db.EditPhoto(ctx, e.pub.ID, db.PhotoEdit{SetTaken: true, TakenLocal: onlyMe.TakenLocal}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.TrashPhotos(ctx, []int64{s.onlyMe.ID}); err != nil {
		t.Fatal(err)
	}
	for _, name := range s.readersInOrder {
		c := s.clients[name]
		var list struct{ Photos []db.Photo }
		e.do(c, "GET", "/api/v1/photos?limit=500", nil, 200, &list)
		for _, p := range list.Photos {
			if p.ID == s.onlyMe.ID {
				t.Errorf("%s: the timeline lists trashed photo %d", name, p.ID)
			}
		}
		var months struct{ Months []struct{ Count int } }
		e.do(c, "GET", "/api/v1/photos/months", nil, 200, &months)
		total := 0
		for _, m := range months.Months {
			total += m.Count
		}
		if total != len(list.Photos) {
			t.Errorf("%s: month counts add up to %d, the timeline lists %d", name, total, len(list.Photos))
		}
	}
}
