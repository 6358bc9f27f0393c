package web_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pinhole/db"
)

// TestShareTokenServesOnlyWhatThePageShows: a share's access secret opens
// the thumbnails and originals of the album's photos the visitor's page
// lists — not its private or archived photos, nor photos outside it.
func TestShareTokenServesOnlyWhatThePageShows(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	arch := e.photo("2020/Porto/bridge.jpg")
	outside := e.photo("2020/cat.jpg")
	if _, err := e.db.AddToAlbum(ctx, e.album.ID, []int64{arch.ID}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetFlag(ctx, arch.ID, "archived", true); err != nil {
		t.Fatal(err)
	}
	tok := e.share.Access
	cases := []struct {
		name string
		p    db.Photo
		want int
	}{
		{"in the album", e.pub, 200},
		{"private, in the album", e.priv, 404},
		{"archived, in the album", arch, 404},
		{"outside the album", outside, 404},
	}
	for _, tc := range cases {
		for _, path := range []string{
			fmt.Sprintf("/api/v1/t/%s/%s/tile_224", tc.p.Hash, tok),
			fmt.Sprintf("/api/v1/t/%s/%s/fit_1280", tc.p.Hash, tok),
			fmt.Sprintf("/api/v1/dl/%s?t=%s", tc.p.Hash, tok),
		} {
			if got := e.status(client{}, "GET", path, nil); got != tc.want {
				t.Errorf("%s: %s: status %d, want %d", tc.name, path, got, tc.want)
			}
		}
	}
	// The same photos through a viewer's token: archived ones are theirs
	// to see, private ones are not.
	vt := e.thumbToken("viewer")
	if got := e.status(client{}, "GET", fmt.Sprintf("/api/v1/t/%s/%s/tile_224", arch.Hash, vt), nil); got != 200 {
		t.Errorf("viewer token, archived photo: %d, want 200", got)
	}
	if got := e.status(client{}, "GET", fmt.Sprintf("/api/v1/t/%s/%s/tile_224", e.priv.Hash, vt), nil); got != 404 {
		t.Errorf("viewer token, private photo: %d, want 404", got)
	}
}

// TestVisitorErrorsNameNoPaths triggers every error a share visitor can
// cause and checks that none names a folder, a file or the originals.
func TestVisitorErrorsNameNoPaths(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	arch := e.photo("2020/Porto/bridge.jpg")
	if _, err := e.db.AddToAlbum(ctx, e.album.ID, []int64{arch.ID, e.video.ID}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetFlag(ctx, arch.ID, "archived", true); err != nil {
		t.Fatal(err)
	}
	// The shared photo's file disappears from disk behind the index's back.
	if err := os.Remove(filepath.Join(e.root, "2019", "Lisbon", "tram.jpg")); err != nil {
		t.Fatal(err)
	}
	sh, acc := e.share.Token, e.share.Access
	forbidden := []string{e.root, "originals", "2019", "Lisbon/", "Porto", "tram.jpg", "secret.jpg", "bridge.jpg", "clip.mp4"}
	cases := []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/v1/dl/" + e.pub.Hash + "?t=" + acc, nil},            // gone from disk
		{"GET", "/api/v1/t/" + e.pub.Hash + "/" + acc + "/tile_224", nil}, // gone from disk
		{"GET", "/api/v1/video/" + e.pub.Hash + "?t=" + acc, nil},         // not a video
		{"GET", "/api/v1/dl/" + arch.Hash + "?t=" + acc, nil},             // archived
		{"GET", "/api/v1/dl/" + e.priv.Hash + "?t=" + acc, nil},           // private
		{"GET", "/api/v1/t/" + arch.Hash + "/" + acc + "/tile_500", nil},  // archived
		{"GET", "/api/v1/t/" + e.pub.Hash + "/" + acc + "/huge", nil},     // bad size
		{"GET", "/api/v1/t/not-a-hash/" + acc + "/tile_224", nil},         // bad hash
		{"GET", "/api/v1/dl/" + e.pub.Hash + "?t=wrong-token-aaaaaaaaaaaaaaa", nil},
		{"GET", fmt.Sprintf("/api/v1/s/%s/photos/%d", sh, e.priv.ID), nil}, // private
		{"GET", fmt.Sprintf("/api/v1/s/%s/photos/%d", sh, arch.ID), nil},   // archived
		{"GET", "/api/v1/s/" + sh + "/photos/abc", nil},
		{"GET", "/api/v1/s/" + sh + "/photos/99999999999999999999", nil},
		{"GET", "/api/v1/s/" + sh + "/photos?limit=NaN", nil},
		{"GET", "/api/v1/s/" + sh + "/photos?limit=100000", nil},
		{"GET", "/api/v1/s/" + sh + "/photos?cursor=%ff%fe", nil},
		{"GET", "/api/v1/s/unknown-share-token-aaaaaaa", nil},
		{"POST", "/api/v1/s/" + sh + "/unlock", `{"password": 7}`},
		{"POST", "/api/v1/s/" + sh + "/unlock", `{"nope": ""}`},
	}
	for _, tc := range cases {
		resp := e.request(client{role: "visitor"}, tc.method, tc.path, tc.body, nil)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Errorf("%s %s: status %d, want an error", tc.method, tc.path, resp.StatusCode)
		}
		text := string(b)
		if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "image/") {
			text = "" // a placeholder image; its reason is in a header
		}
		for k, vs := range resp.Header {
			text += "\n" + k + ": " + strings.Join(vs, ", ")
		}
		for _, f := range forbidden {
			if strings.Contains(text, f) {
				t.Errorf("%s %s (%d) names %q: %s", tc.method, tc.path, resp.StatusCode, f, text)
			}
		}
	}
}

// TestPrivateAlbumCoversNeverShown: a cover the caller may not see is
// replaced by the album's first photo the caller may see (or none), and
// its id is not given either.
func TestPrivateAlbumCoversNeverShown(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	priv := e.priv.ID
	if err := e.db.EditAlbum(ctx, e.album.ID, db.AlbumEdit{CoverPhotoID: &priv}); err != nil {
		t.Fatal(err)
	}
	type album struct {
		ID        int64  `json:"id"`
		Cover     *int64 `json:"cover_photo_id"`
		CoverHash string `json:"cover_hash"`
	}
	check := func(who string, c client, wantID *int64, wantHash string) {
		t.Helper()
		var one album
		e.do(c, "GET", fmt.Sprintf("/api/v1/albums/%d", e.album.ID), nil, 200, &one)
		var list struct {
			Albums []album `json:"albums"`
		}
		e.do(c, "GET", "/api/v1/albums", nil, 200, &list)
		for _, a := range list.Albums {
			if a.ID == e.album.ID {
				if (a.Cover == nil) != (one.Cover == nil) || a.CoverHash != one.CoverHash {
					t.Errorf("%s: list and album disagree: %+v vs %+v", who, a, one)
				}
			}
		}
		if (wantID == nil) != (one.Cover == nil) || wantID != nil && *wantID != *one.Cover {
			t.Errorf("%s: cover_photo_id %v, want %v", who, one.Cover, wantID)
		}
		if one.CoverHash != wantHash {
			t.Errorf("%s: cover_hash %q, want %q", who, one.CoverHash, wantHash)
		}
	}
	check("user", e.user, &priv, e.priv.Hash)
	check("viewer", e.viewer, nil, e.pub.Hash)
	visitor := func(want string) {
		t.Helper()
		var v struct {
			Album struct {
				CoverHash string `json:"cover_hash"`
			} `json:"album"`
		}
		e.do(client{}, "GET", "/api/v1/s/"+e.share.Token, nil, 200, &v)
		if v.Album.CoverHash != want {
			t.Errorf("visitor: cover_hash %q, want %q", v.Album.CoverHash, want)
		}
	}
	visitor(e.pub.Hash)

	// An archived cover: viewers may see archived photos, visitors not.
	arch := e.photo("2020/Porto/bridge.jpg")
	if _, err := e.db.AddToAlbum(ctx, e.album.ID, []int64{arch.ID}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetFlag(ctx, arch.ID, "archived", true); err != nil {
		t.Fatal(err)
	}
	if err := e.db.EditAlbum(ctx, e.album.ID, db.AlbumEdit{CoverPhotoID: &arch.ID}); err != nil {
		t.Fatal(err)
	}
	check("viewer, archived cover", e.viewer, &arch.ID, arch.Hash)
	visitor(e.pub.Hash)

	// Nothing visible at all: no cover rather than a hidden one.
	if _, err := e.db.RemoveFromAlbum(ctx, e.album.ID, []int64{e.pub.ID, arch.ID}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.EditAlbum(ctx, e.album.ID, db.AlbumEdit{CoverPhotoID: &priv}); err != nil {
		t.Fatal(err)
	}
	check("viewer, only a private photo", e.viewer, nil, "")
	visitor("")
}
