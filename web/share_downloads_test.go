package web_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
)

// An owner can share an album without downloads: visitors see the photos
// (screen-sized at most) and their info, but not the originals, and the
// owner can change their mind on a live link.
func TestShareWithoutDownloads(t *testing.T) {
	e := newEnv(t, nil)
	if _, err := e.db.AddToAlbum(context.Background(), e.album.ID, []int64{e.video.ID}); err != nil {
		t.Fatal(err)
	}
	var sh struct {
		ID        int64  `json:"id"`
		Token     string `json:"token"`
		Downloads bool   `json:"downloads"`
	}
	e.do(e.user, "POST", fmt.Sprintf("/api/v1/albums/%d/shares", e.album.ID), map[string]any{"downloads": false}, 201, &sh)
	if sh.Downloads {
		t.Fatal("share created with downloads: false allows downloads")
	}
	var visit struct {
		ThumbToken string `json:"thumb_token"`
		Downloads  *bool  `json:"downloads"`
	}
	e.do(client{}, "GET", "/api/v1/s/"+sh.Token, nil, 200, &visit)
	if visit.Downloads == nil || *visit.Downloads {
		t.Fatalf("visitor is told downloads = %v", visit.Downloads)
	}
	status := func(path string) (int, string) {
		r := e.request(client{}, "GET", path, nil, nil)
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		return r.StatusCode, r.Header.Get("ETag") + string(b)
	}
	dl := "/api/v1/dl/" + e.pub.Hash + "?t=" + visit.ThumbToken
	if code, body := status(dl); code != 403 || !strings.Contains(body, "turned off downloads") {
		t.Errorf("download through a no-download share: %d %.80q", code, body)
	}
	// Near-original sizes are served at 1920 pixels; smaller ones as asked.
	for size, want := range map[string]string{"fit_4096": "fit_1920", "fit_2560": "fit_1920", "fit_1280": "fit_1280"} {
		code, body := status("/api/v1/t/" + e.pub.Hash + "/" + visit.ThumbToken + "/" + size)
		if code != 200 || !strings.Contains(body, "-"+want+`"`) {
			t.Errorf("%s through a no-download share: %d, etag %.60q, want the %s image", size, code, body, want)
		}
	}
	// A shared video still plays.
	if code, _ := status("/api/v1/video/" + e.video.Hash + "?t=" + visit.ThumbToken); code != 200 {
		t.Errorf("video through a no-download share: %d", code)
	}

	// The owner turns downloads on: the same link downloads at once.
	e.do(e.user, "PATCH", fmt.Sprintf("/api/v1/shares/%d", sh.ID), map[string]any{"downloads": true}, 200, &sh)
	if code, _ := status(dl); code != 200 || !sh.Downloads {
		t.Errorf("after turning downloads on: %d (share says %v)", code, sh.Downloads)
	}
	if code, body := status("/api/v1/t/" + e.pub.Hash + "/" + visit.ThumbToken + "/fit_4096"); code != 200 || !strings.Contains(body, "-fit_4096") {
		t.Errorf("fit_4096 with downloads on: %d %.60q", code, body)
	}
	e.do(e.viewer, "PATCH", fmt.Sprintf("/api/v1/shares/%d", sh.ID), map[string]any{"downloads": false}, 403, nil)
	e.do(e.user, "PATCH", fmt.Sprintf("/api/v1/shares/%d", sh.ID), map[string]any{}, 400, nil)
	e.do(e.user, "PATCH", "/api/v1/shares/99999", map[string]any{"downloads": false}, 404, nil)
}

// A visitor can open one photo's info: its own metadata and place names,
// but not the owner's folders, exact position or private photos.
func TestSharePhotoDetail(t *testing.T) {
	e := newEnv(t, nil)
	var out map[string]any
	e.do(client{}, "GET", fmt.Sprintf("/api/v1/s/%s/photos/%d", e.share.Token, e.pub.ID), nil, 200, &out)
	p, _ := out["photo"].(map[string]any)
	if p["title"] != "Tram 28" || p["city"] != "Lisbon" {
		t.Errorf("visitor's photo info: %v", p)
	}
	for _, k := range []string{"lat", "lng", "alt"} {
		if _, ok := p[k]; ok {
			t.Errorf("visitor sees the exact position (%s = %v)", k, p[k])
		}
	}
	files, _ := out["files"].([]any)
	if len(files) != 1 {
		t.Fatalf("visitor's files: %v", out["files"])
	}
	f := files[0].(map[string]any)
	if f["name"] != "tram.jpg" || f["hash"] != e.pub.Hash {
		t.Errorf("visitor's file: %v", f)
	}
	if _, ok := f["path"]; ok {
		t.Errorf("visitor sees the folder path: %v", f)
	}
	if _, ok := out["albums"]; ok {
		t.Error("visitor sees the owner's albums")
	}
	// Private photos of the album and photos outside it do not exist for visitors.
	e.do(client{}, "GET", fmt.Sprintf("/api/v1/s/%s/photos/%d", e.share.Token, e.priv.ID), nil, 404, nil)
	e.do(client{}, "GET", fmt.Sprintf("/api/v1/s/%s/photos/%d", e.share.Token, e.photo("2020/cat.jpg").ID), nil, 404, nil)
	e.do(client{}, "GET", fmt.Sprintf("/api/v1/s/%s/photos/abc", e.share.Token), nil, 400, nil)
	// Revoked: gone.
	e.do(e.user, "DELETE", fmt.Sprintf("/api/v1/shares/%d", e.share.ID), nil, 204, nil)
	e.do(client{}, "GET", fmt.Sprintf("/api/v1/s/%s/photos/%d", e.share.Token, e.pub.ID), nil, 404, nil)
}
