package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"pinhole/app/testkit"
	"strconv"
	"testing"

	"pinhole/app/auth"
	"pinhole/app/corpus"
	"pinhole/db"
)

// addFiles writes files into the originals and indexes them, returning the
// photo of the first.
func (e *env) addFiles(files ...[2]any) db.Photo {
	e.t.Helper()
	var rels []string
	for _, f := range files {
		rel := f[0].(string)
		testkit.WriteFile(e.t, e.root, rel, f[1].([]byte))
		rels = append(rels, rel)
	}
	if _, err := e.ix.Changed(context.Background(), rels); err != nil {
		e.t.Fatal(err)
	}
	return e.photo(rels[0])
}

// get fetches path as c with extra headers and returns status, headers and body.
func (e *env) get(c client, path string, header http.Header) (int, http.Header, []byte) {
	e.t.Helper()
	resp := e.request(c, "GET", path, nil, header)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// A motion photo in each layout plays from GET /motion/:hash: the answer is
// exactly the MP4 inside the file, typed video/mp4, and Range requests
// count from the video's first byte, so a <video> seeks in it.
func TestMotionRouteServesTheEmbeddedVideo(t *testing.T) {
	e := newEnv(t, nil)
	mp4 := testkit.MotionMP4(t)
	layouts := map[string][]byte{
		"2021/PXL_20210101_120000000.MP.jpg": testkit.Container(testkit.MotionStill(11), mp4, 0),
		"2021/MVIMG_20190101_120000.jpg":     testkit.MicroVideo(testkit.MotionStill(12), mp4),
		"2021/20190101_120000.jpg":           testkit.Samsung(testkit.MotionStill(13), mp4),
	}
	tok := e.thumbToken("user")
	n := len(mp4)
	for rel, data := range layouts {
		t.Run(filepath.Base(rel), func(t *testing.T) {
			p := e.addFiles([2]any{rel, data})
			var d struct {
				Photo db.Photo `json:"photo"`
			}
			e.do(e.user, "GET", fmt.Sprintf("/api/v1/photos/%d", p.ID), nil, 200, &d)
			if d.Photo.MediaType != "live" || d.Photo.Motion == nil || d.Photo.Motion.Hash != p.Hash || !d.Photo.Motion.Embedded {
				t.Fatalf("photo %s: media type %q, motion %+v; want live, embedded in %s", rel, d.Photo.MediaType, d.Photo.Motion, p.Hash)
			}
			if d.Photo.Duration == nil || *d.Photo.Duration < 0.9 || *d.Photo.Duration > 1.1 {
				t.Errorf("duration %v, want the video's 1 s", d.Photo.Duration)
			}
			url := "/api/v1/motion/" + p.Hash + "?t=" + tok
			code, h, body := e.get(e.user, url, nil)
			if code != 200 || !bytes.Equal(body, mp4) {
				t.Fatalf("GET: %d, %d bytes; want 200 and the %d bytes of the MP4", code, len(body), n)
			}
			if h.Get("Content-Type") != "video/mp4" || h.Get("Accept-Ranges") != "bytes" || h.Get("Content-Length") != strconv.Itoa(n) {
				t.Errorf("headers %v", h)
			}
			for _, r := range []struct {
				rng, want string
				from, to  int
			}{
				{"bytes=0-99", "bytes 0-99/" + strconv.Itoa(n), 0, 100},
				{"bytes=1000-", fmt.Sprintf("bytes 1000-%d/%d", n-1, n), 1000, n},
				{"bytes=-64", fmt.Sprintf("bytes %d-%d/%d", n-64, n-1, n), n - 64, n},
			} {
				code, h, body := e.get(e.user, url, http.Header{"Range": {r.rng}})
				if code != 206 || h.Get("Content-Range") != r.want || !bytes.Equal(body, mp4[r.from:r.to]) {
					t.Errorf("Range %s: %d %q, %d bytes; want 206 %q and the MP4's bytes %d–%d", r.rng, code, h.Get("Content-Range"), len(body), r.want, r.from, r.to)
				}
			}
			if code, _, _ := e.get(e.user, url, http.Header{"Range": {fmt.Sprintf("bytes=%d-", n)}}); code != http.StatusRequestedRangeNotSatisfiable {
				t.Errorf("Range past the video's end: %d, want 416", code)
			}
			resp := e.request(e.user, "HEAD", url, nil, nil)
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.ContentLength != int64(n) {
				t.Errorf("HEAD: %d, length %d", resp.StatusCode, resp.ContentLength)
			}
		})
	}

	t.Run("refusals", func(t *testing.T) {
		p := e.photo("2021/PXL_20210101_120000000.MP.jpg")
		for _, c := range []struct {
			what, path string
			want       int
		}{
			{"a photo without motion", "/api/v1/motion/" + e.pub.Hash + "?t=" + tok, 404},
			{"a video file", "/api/v1/motion/" + e.video.Hash + "?t=" + tok, 404},
			{"no token", "/api/v1/motion/" + p.Hash, 403},
			{"a wrong token", "/api/v1/motion/" + p.Hash + "?t=not-a-valid-token-aaaaaaaaaaaa", 403},
			{"a malformed hash", "/api/v1/motion/xyz?t=" + tok, 400},
		} {
			if code, _, body := e.get(client{}, c.path, nil); code != c.want {
				t.Errorf("%s: %d, want %d: %s", c.what, code, c.want, body)
			}
		}
		// Private to viewers, as everywhere.
		if err := e.db.SetFlag(context.Background(), p.ID, "private", true); err != nil {
			t.Fatal(err)
		}
		if code, _, _ := e.get(client{}, "/api/v1/motion/"+p.Hash+"?t="+e.thumbToken("viewer"), nil); code != 404 {
			t.Errorf("a private motion photo with a viewer's token: %d, want 404", code)
		}
		if err := e.db.SetFlag(context.Background(), p.ID, "private", false); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("share visitors", func(t *testing.T) {
		p := e.photo("2021/MVIMG_20190101_120000.jpg")
		a, err := e.db.CreateAlbum(context.Background(), "Moving", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.AddToAlbum(context.Background(), a.ID, []int64{p.ID}); err != nil {
			t.Fatal(err)
		}
		// Downloads off: the motion plays all the same, like a video.
		sh, err := e.srv.Auth().CreateShare(context.Background(), a.ID, auth.ShareOptions{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		var list struct {
			Photos []struct {
				Hash   string     `json:"hash"`
				Motion *db.Motion `json:"motion"`
			} `json:"photos"`
		}
		e.do(client{}, "GET", "/api/v1/s/"+sh.Token+"/photos", nil, 200, &list)
		if len(list.Photos) != 1 || list.Photos[0].Motion == nil || list.Photos[0].Motion.Hash != p.Hash {
			t.Fatalf("the share lists %+v, want the motion photo with its motion", list.Photos)
		}
		if code, _, body := e.get(client{}, "/api/v1/motion/"+p.Hash+"?t="+sh.Access, nil); code != 200 || !bytes.Equal(body, mp4) {
			t.Errorf("visitor: %d, %d bytes; want 200 and the MP4", code, len(body))
		}
		other := e.photo("2021/20190101_120000.jpg")
		if code, _, _ := e.get(client{}, "/api/v1/motion/"+other.Hash+"?t="+sh.Access, nil); code != 404 {
			t.Errorf("visitor asking for a motion photo outside the album: %d, want 404", code)
		}
	})

	t.Run("a file changed since it was indexed", func(t *testing.T) {
		rel := "2021/20190101_120000.jpg"
		p := e.photo(rel)
		abs := filepath.Join(e.root, filepath.FromSlash(rel))
		data := layouts[rel]
		// Cut off (a copy in progress): the range now ends past the file.
		if err := os.WriteFile(abs, data[:len(data)/2], 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, _ := e.get(client{}, "/api/v1/motion/"+p.Hash+"?t="+tok, nil); code != 404 {
			t.Errorf("cut-off file: %d, want 404", code)
		}
		// The same size, other bytes where the video was.
		junk := append([]byte{}, data...)
		at := bytes.Index(data, mp4)
		copy(junk[at:at+n], bytes.Repeat([]byte{'x'}, n))
		if err := os.WriteFile(abs, junk, 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, _ := e.get(client{}, "/api/v1/motion/"+p.Hash+"?t="+tok, nil); code != 404 {
			t.Errorf("video overwritten: %d, want 404", code)
		}
	})
}

// An Apple Live Photo — a HEIC and a MOV of the same name — is one live
// photo whose motion is the MOV, played from the video route.
func TestApplePairMovesWithItsMOV(t *testing.T) {
	e := newEnv(t, nil)
	heic, err := os.ReadFile(corpus.Path(t, "photoprism/assets/examples/iphone_7.heic"))
	if err != nil {
		t.Fatal(err)
	}
	mov := testkit.MotionMOV(t)
	p := e.addFiles([2]any{"2022/IMG_0001.HEIC", heic}, [2]any{"2022/IMG_0001.MOV", mov})
	var d db.PhotoDetail
	e.do(e.user, "GET", fmt.Sprintf("/api/v1/photos/%d", p.ID), nil, 200, &d)
	var movHash string
	for _, f := range d.Files {
		if f.Kind == "video" {
			movHash = f.Hash
		}
	}
	if d.Photo.MediaType != "live" || len(d.Files) != 2 || d.Photo.Motion == nil || d.Photo.Motion.Hash != movHash || d.Photo.Motion.Embedded {
		t.Fatalf("media type %q, %d files, motion %+v; want live with the MOV %s", d.Photo.MediaType, len(d.Files), d.Photo.Motion, movHash)
	}
	tok := e.thumbToken("user")
	if code, h, body := e.get(client{}, "/api/v1/video/"+movHash+"?t="+tok, nil); code != 200 || !bytes.Equal(body, mov) || h.Get("Content-Type") != "video/quicktime" {
		t.Errorf("the MOV from /video: %d %q, %d bytes", code, h.Get("Content-Type"), len(body))
	}
	if code, _, _ := e.get(client{}, "/api/v1/motion/"+d.Photo.Hash+"?t="+tok, nil); code != 404 {
		t.Errorf("/motion for a HEIC without a video inside: %d, want 404", code)
	}
	// The MOV gone: the photo stays live but no longer moves.
	if err := os.Remove(filepath.Join(e.root, "2022", "IMG_0001.MOV")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ix.Changed(context.Background(), []string{"2022/IMG_0001.MOV"}); err != nil {
		t.Fatal(err)
	}
	d = db.PhotoDetail{}
	e.do(e.user, "GET", fmt.Sprintf("/api/v1/photos/%d", p.ID), nil, 200, &d)
	if d.Photo.MediaType != "live" || d.Photo.Motion != nil {
		t.Errorf("media type %q, motion %+v after the MOV went missing; want live without motion", d.Photo.MediaType, d.Photo.Motion)
	}
}

// A Live Photo whose movie was renamed (an export's "IMG_5195 (Live).MOV")
// still pairs with its still, by the content identifier both carry, and its
// motion plays from the video route.
func TestApplePairByContentIdentifier(t *testing.T) {
	e := newEnv(t, nil)
	heic, err := os.ReadFile(corpus.Path(t, "exif-samples/heic/IMG_5195.HEIC"))
	if err != nil {
		t.Fatal(err)
	}
	mov := testkit.LiveMOV(t, "570F1469-09C7-4E50-9875-05F21D5BD166")
	other := testkit.LiveMOV(t, "00000000-1111-2222-3333-444444444444")
	p := e.addFiles([2]any{"2023/IMG_5195.HEIC", heic}, [2]any{"2023/IMG_5195 (Live).MOV", mov}, [2]any{"2023/unrelated.MOV", other})
	var d db.PhotoDetail
	e.do(e.user, "GET", fmt.Sprintf("/api/v1/photos/%d", p.ID), nil, 200, &d)
	if d.Photo.MediaType != "live" || len(d.Files) != 2 || d.Photo.Motion == nil || d.Photo.Motion.Embedded {
		t.Fatalf("media type %q, %d files, motion %+v; want a live photo of the HEIC and its movie", d.Photo.MediaType, len(d.Files), d.Photo.Motion)
	}
	if code, _, body := e.get(client{}, "/api/v1/video/"+d.Photo.Motion.Hash+"?t="+e.thumbToken("user"), nil); code != 200 || !bytes.Equal(body, mov) {
		t.Errorf("the paired movie from /video: %d, %d bytes; want its %d bytes", code, len(body), len(mov))
	}
	if u := e.photo("2023/unrelated.MOV"); u.ID == p.ID || u.MediaType != "video" {
		t.Errorf("a movie with another identifier joined the photo (media type %q)", u.MediaType)
	}
}
