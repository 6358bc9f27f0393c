package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"net/http"
	"testing"

	"pinhole/app/testkit"
	"pinhole/thumbs"
	"pinhole/web"
)

// realThumbs puts the real renderer behind web.Thumbnailer, as app does,
// for tests that look at the pixels of what is served.
type realThumbs struct{ svc *thumbs.Service }

func (r realThumbs) Thumb(ctx context.Context, src web.ThumbSource, size string) (web.Thumb, error) {
	sz, ok := thumbs.ParseSize(size)
	if !ok {
		return web.Thumb{}, fmt.Errorf("size %q", size)
	}
	t, err := r.svc.Get(ctx, thumbs.Source{Path: src.Path, Hash: src.Hash, MIME: src.MIME, Orientation: src.Orientation}, sz)
	return web.Thumb{Path: t.Path, Data: t.Data, ETag: t.ETag, ContentType: t.ContentType}, err
}
func (r realThumbs) Placeholder(size, reason string) []byte { return nil }
func (r realThumbs) Reason(err error) string                { return thumbs.Reason(err) }

type personJSON struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Hidden bool   `json:"hidden"`
	Count  int    `json:"count"`
	Face   *struct {
		PhotoID int64   `json:"photo_id"`
		X       float64 `json:"x"`
		Y       float64 `json:"y"`
		W       float64 `json:"w"`
		H       float64 `json:"h"`
	} `json:"face"`
}

func (e *env) people(c client, query string) map[string]personJSON {
	e.t.Helper()
	var out struct {
		People []personJSON `json:"people"`
	}
	e.do(c, "GET", "/api/v1/people"+query, nil, http.StatusOK, &out)
	m := map[string]personJSON{}
	for _, p := range out.People {
		m[p.Name] = p
	}
	return m
}

// facePhoto is a stored w×h JPEG with orientation o whose face (fractions
// of the stored picture) is a square of colour col, and whose XMP (nil: none)
// tags it.
func facePhoto(w, h, o int, f testkit.Face, col color.RGBA, xmp []byte) []byte {
	r := image.Rect(int(f.X*float64(w)), int(f.Y*float64(h)), int((f.X+f.W)*float64(w)), int((f.Y+f.H)*float64(h)))
	return testkit.JPEG(testkit.Photo{W: w, H: h, Seed: 7, Exif: &testkit.Exif{Orientation: o}, RawXMP: xmp,
		Squares: []testkit.Square{{R: r, C: col}}})
}

// Each dialect, embedded or in a sidecar, on photos turned by their
// orientation (6 and 8): the person's avatar is square and its centre
// shows the face's colour, so the crop box landed on the face as shown.
func TestPersonAvatarLandsOnTheFace(t *testing.T) {
	svc, err := thumbs.New(thumbs.Config{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(d *web.Deps) { d.Thumbs = realThumbs{svc} })
	red, green, blue, yellow := color.RGBA{230, 20, 20, 255}, color.RGBA{20, 200, 40, 255}, color.RGBA{20, 40, 230, 255}, color.RGBA{240, 220, 20, 255}
	const w, h = 300, 200
	anna := testkit.Face{Name: "Anna", X: 0.1, Y: 0.15, W: 0.2, H: 0.3}
	bo := testkit.Face{Name: "Bo", X: 0.65, Y: 0.55, W: 0.2, H: 0.3}
	cy := testkit.Face{Name: "Cy", X: 0.7, Y: 0.1, W: 0.15, H: 0.25}
	wrong := testkit.Face{Name: "Wrong", X: 0.1, Y: 0.6, W: 0.2, H: 0.3}
	dag := testkit.Face{Name: "Dag", X: 0.4, Y: 0.4, W: 0.2, H: 0.3}
	e.addFiles([2]any{"people/anna.jpg", facePhoto(w, h, 6, anna, red, testkit.FacesXMP(testkit.MWG, w, h, anna))})
	e.addFiles([2]any{"people/bo.jpg", facePhoto(w, h, 8, bo, green, testkit.FacesXMP(testkit.MP, w, h, bo))})
	// The picture tags another face; the sidecar wins.
	e.addFiles([2]any{"people/cy.jpg", facePhoto(w, h, 6, cy, blue, testkit.FacesXMP(testkit.MP, w, h, wrong))},
		[2]any{"people/cy.xmp", testkit.FacesXMP(testkit.MWGElements, w, h, cy)})
	e.addFiles([2]any{"people/dag.jpg", facePhoto(w, h, 1, dag, yellow, nil)},
		[2]any{"people/dag.jpg.xmp", testkit.FacesXMP(testkit.MP, w, h, dag)})

	got := e.people(e.viewer, "")
	if _, ok := got["Wrong"]; ok {
		t.Errorf("the picture's own face is listed although its sidecar tags others: %v", got)
	}
	for name, col := range map[string]color.RGBA{"Anna": red, "Bo": green, "Cy": blue, "Dag": yellow} {
		p, ok := got[name]
		if !ok || p.Count != 1 || p.Face == nil {
			t.Errorf("%s: %+v, want one photo with a face", name, p)
			continue
		}
		st, hdr, body := e.get(e.viewer, fmt.Sprintf("/api/v1/people/%d/avatar", p.ID), nil)
		if st != http.StatusOK || hdr.Get("Content-Type") != "image/jpeg" {
			t.Errorf("%s avatar: %d %s %s", name, st, hdr.Get("Content-Type"), body)
			continue
		}
		img, err := jpeg.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s avatar: %v", name, err)
		}
		b := img.Bounds()
		if b.Dx() != b.Dy() || b.Dx() < 96 {
			t.Errorf("%s avatar is %v, want a square of at least 96 px", name, b)
		}
		cr, cg, cb, _ := img.At(b.Min.X+b.Dx()/2, b.Min.Y+b.Dy()/2).RGBA()
		d := math.Abs(float64(cr>>8)-float64(col.R)) + math.Abs(float64(cg>>8)-float64(col.G)) + math.Abs(float64(cb>>8)-float64(col.B))
		if d > 90 {
			t.Errorf("%s avatar's centre is rgb(%d,%d,%d), want the face's rgb(%d,%d,%d)", name, cr>>8, cg>>8, cb>>8, col.R, col.G, col.B)
		}
		// Cached by the browser: the same answer is not rendered again.
		if st, _, _ := e.get(e.viewer, fmt.Sprintf("/api/v1/people/%d/avatar", p.ID), http.Header{"If-None-Match": {hdr.Get("ETag")}}); st != http.StatusNotModified {
			t.Errorf("%s avatar revalidated with %d, want 304", name, st)
		}
	}
}

// The people routes: viewers list and look but never meet a person who
// is only on private photos; users rename, merge and hide; person:Name
// and ?person= find a person's photos.
func TestPeopleRoutes(t *testing.T) {
	e := newEnv(t, nil)
	xmp := func(names ...string) []byte {
		var fs []testkit.Face
		for i, n := range names {
			fs = append(fs, testkit.Face{Name: n, X: 0.05 + 0.3*float64(i), Y: 0.1, W: 0.2, H: 0.2})
		}
		return testkit.JPEG(testkit.Photo{W: 64, H: 48, Seed: uint64(len(names)) + 40, RawXMP: testkit.FacesXMP(testkit.MWG, 64, 48, fs...)})
	}
	e.addFiles([2]any{"p/one.jpg", xmp("Anna Lind", "Bo")})
	e.addFiles([2]any{"p/two.jpg", xmp("Anna Lind")})
	secret := e.addFiles([2]any{"p/three.jpg", testkit.JPEG(testkit.Photo{W: 64, H: 48, Seed: 99, RawXMP: testkit.FacesXMP(testkit.MP, 64, 48, testkit.Face{Name: "Carl", X: 0.1, Y: 0.1, W: 0.2, H: 0.2})})})
	if _, err := e.db.SetFlags(context.Background(), []int64{secret.ID}, map[string]bool{"private": true}); err != nil {
		t.Fatal(err)
	}
	own, view := e.people(e.user, ""), e.people(e.viewer, "")
	if own["Carl"].Count != 1 || own["Anna Lind"].Count != 2 {
		t.Fatalf("user sees %+v", own)
	}
	if _, ok := view["Carl"]; ok || len(view) != 2 {
		t.Errorf("viewer sees %+v, want Anna Lind and Bo only", view)
	}
	carl := own["Carl"].ID
	for _, path := range []string{"/api/v1/people/%d", "/api/v1/people/%d/avatar"} {
		if st, _, _ := e.get(e.viewer, fmt.Sprintf(path, carl), nil); st != http.StatusNotFound {
			t.Errorf("viewer GET "+path+": %d, want 404", carl, st)
		}
	}
	// Search: person:"Anna Lind", the plain name, and ?person=id.
	count := func(c client, q string) int {
		var page struct {
			Photos []struct{ ID int64 } `json:"photos"`
		}
		e.do(c, "GET", "/api/v1/photos?"+q, nil, http.StatusOK, &page)
		return len(page.Photos)
	}
	anna := own["Anna Lind"].ID
	for q, want := range map[string]int{
		"q=person:%22anna+lind%22":     2,
		"q=person:Bo":                  1,
		"q=lind":                       2,
		fmt.Sprintf("person=%d", anna): 2,
		fmt.Sprintf("person=%d", carl): 0, // for the viewer
	} {
		if n := count(e.viewer, q); n != want {
			t.Errorf("viewer's search %s: %d photos, want %d", q, n, want)
		}
	}
	// A photo's detail names its people.
	var detail struct {
		People []struct {
			PersonID int64  `json:"person_id"`
			Name     string `json:"name"`
		} `json:"people"`
	}
	e.do(e.viewer, "GET", fmt.Sprintf("/api/v1/photos/%d", e.photo("p/one.jpg").ID), nil, http.StatusOK, &detail)
	if len(detail.People) != 2 || detail.People[0].Name != "Anna Lind" || detail.People[0].PersonID != own["Anna Lind"].ID {
		t.Errorf("photo detail people: %+v", detail.People)
	}
	// Viewers may not edit.
	e.do(e.viewer, "PATCH", fmt.Sprintf("/api/v1/people/%d", anna), map[string]any{"name": "X"}, http.StatusForbidden, nil)
	// Rename; to another person's name is a conflict.
	var p personJSON
	e.do(e.user, "PATCH", fmt.Sprintf("/api/v1/people/%d", anna), map[string]any{"name": "Anna"}, http.StatusOK, &p)
	if p.Name != "Anna" || p.Count != 2 {
		t.Errorf("renamed: %+v", p)
	}
	e.do(e.user, "PATCH", fmt.Sprintf("/api/v1/people/%d", anna), map[string]any{"name": "bo"}, http.StatusConflict, nil)
	e.do(e.user, "PATCH", fmt.Sprintf("/api/v1/people/%d", anna), map[string]any{"name": "   "}, http.StatusBadRequest, nil)
	// Merge Bo into Anna.
	e.do(e.user, "POST", fmt.Sprintf("/api/v1/people/%d/merge", anna), map[string]any{"from": own["Bo"].ID}, http.StatusOK, &p)
	if got := e.people(e.viewer, ""); len(got) != 1 || got["Anna"].Count != 2 {
		t.Errorf("after merge the viewer sees %+v, want Anna in 2 photos", got)
	}
	e.do(e.user, "POST", fmt.Sprintf("/api/v1/people/%d/merge", anna), map[string]any{"from": anna}, http.StatusBadRequest, nil)
	// Hide and unhide.
	e.do(e.admin, "PATCH", fmt.Sprintf("/api/v1/people/%d", anna), map[string]any{"hidden": true}, http.StatusOK, nil)
	if got := e.people(e.user, ""); len(got) != 1 || got["Carl"].ID != carl {
		t.Errorf("after hiding Anna: %+v", got)
	}
	if got := e.people(e.user, "?hidden=true"); len(got) != 1 || !got["Anna"].Hidden {
		t.Errorf("hidden list: %+v", got)
	}
	e.do(e.user, "PATCH", fmt.Sprintf("/api/v1/people/%d", anna), map[string]any{"hidden": false}, http.StatusOK, nil)
	// A re-index keeps the user's names: the files still say "Anna Lind" and "Bo".
	if _, err := e.ix.Scan(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	if got := e.people(e.user, ""); len(got) != 2 || got["Anna"].Count != 2 {
		t.Errorf("after a full re-index: %+v, want Anna (2) and Carl", got)
	}
}
