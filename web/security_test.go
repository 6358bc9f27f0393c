package web_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinhole/app/auth"
	"pinhole/app/testkit"
	"pinhole/web"
)

func TestBruteForceLoginIsLimited(t *testing.T) {
	e := newEnv(t, nil)
	var got429 int
	for i := 1; i <= 20; i++ {
		resp := e.request(client{}, "POST", "/api/v1/session", map[string]any{"username": "admin", "password": fmt.Sprintf("guess %d", i)}, nil)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			got429 = i
			if ra := resp.Header.Get("Retry-After"); ra == "" {
				t.Error("429 without Retry-After")
			}
			if !strings.Contains(string(b), "too many failed attempts") {
				t.Errorf("429 body %s does not say why", b)
			}
			break
		}
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), "wrong user name or password") {
			t.Fatalf("attempt %d: %d %s", i, resp.StatusCode, b)
		}
	}
	if got429 == 0 || got429 >= 20 {
		t.Fatalf("429 came at attempt %d, want before 20", got429)
	}
	// Even the right password is refused while blocked.
	resp := e.request(client{}, "POST", "/api/v1/session", map[string]any{"username": "admin", "password": testPassword}, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password while blocked: %d, want 429", resp.StatusCode)
	}
}

// loopbackProxy trusts the test client's own address as a reverse proxy,
// so X-Forwarded-For picks the client address of each request.
func loopbackProxy(d *web.Deps) {
	d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
}

// One name guessed from many addresses (each under its own limit) is
// slowed down for new addresses after NameLimit failures, but its owner
// still gets in from the address they signed in from before.
func TestLoginNameSlowedAcrossAddresses(t *testing.T) {
	e := newEnv(t, loopbackProxy)
	for i := 1; i <= auth.NameLimit+1; i++ {
		h := http.Header{"X-Forwarded-For": {fmt.Sprintf("203.0.113.%d", i)}}
		resp := e.request(client{}, "POST", "/api/v1/session", map[string]any{"username": "user", "password": "nope nope"}, h)
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			if i != auth.NameLimit+1 {
				t.Fatalf("the name was slowed at attempt %d, want %d", i, auth.NameLimit+1)
			}
			break
		}
		if i == auth.NameLimit+1 {
			t.Fatal("guessing one name from many addresses was never slowed")
		}
	}
	// The test user logged in from 127.0.0.1 (no header) when the test
	// began: that address is theirs.
	e.login("user", true)
	// A new address is still slowed.
	resp := e.request(client{}, "POST", "/api/v1/session", map[string]any{"username": "user", "password": testPassword},
		http.Header{"X-Forwarded-For": {"198.51.100.99"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a new address while the name is slowed: %d, want 429", resp.StatusCode)
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login("user", false)
	noHeader := c
	noHeader.csrf = ""
	resp := e.request(noHeader, "POST", "/api/v1/albums", map[string]any{"title": "x"}, nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "X-CSRF-Token") {
		t.Fatalf("cookie POST without CSRF header: %d %s, want 403 naming the header", resp.StatusCode, b)
	}
	wrong := c
	wrong.csrf = "forged"
	resp = e.request(wrong, "DELETE", "/api/v1/session", nil, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cookie DELETE with a wrong CSRF token: %d, want 403", resp.StatusCode)
	}
	e.do(c, "POST", "/api/v1/albums", map[string]any{"title": "ok"}, 201, nil)
	// Reads need no token, and bearer clients never do.
	e.do(noHeader, "GET", "/api/v1/albums", nil, 200, nil)
	e.do(e.user, "POST", "/api/v1/albums", map[string]any{"title": "bearer"}, 201, nil)
	// A cross-site HTML form cannot log anyone in: only JSON is accepted.
	resp = e.request(client{}, "POST", "/api/v1/session", strings.NewReader("username=admin&password=x"),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("form login: %d, want 415", resp.StatusCode)
	}
}

func TestSessionCookieFlags(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.do(client{}, "POST", "/api/v1/session", map[string]any{"username": "viewer", "password": testPassword}, 200, nil)
	var ck *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == web.SessionCookie {
			ck = c
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || len(ck.Value) < 40 {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, a long random value", ck)
	}
	// Behind TLS-terminating proxies the cookie is Secure.
	resp = e.request(client{}, "POST", "/api/v1/session", map[string]any{"username": "viewer", "password": testPassword},
		http.Header{"X-Forwarded-Proto": {"https"}})
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == web.SessionCookie && !c.Secure {
			t.Error("cookie over https is not Secure")
		}
	}
	// The token is not stored: the database holds only its SHA-256.
	var s struct {
		Sessions []map[string]any `json:"sessions"`
	}
	e.do(e.admin, "GET", "/api/v1/sessions", nil, 200, &s)
	for _, row := range s.Sessions {
		for k, v := range row {
			if fmt.Sprint(v) == ck.Value {
				t.Fatalf("session list leaks the token in %s", k)
			}
		}
	}
}

func TestPathTraversalRefused(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.thumbToken("admin")
	outside := filepath.Join(filepath.Dir(e.root), "secret.txt")
	testkit.WriteFile(t, filepath.Dir(e.root), "secret.txt", []byte("top secret"))
	for _, p := range []string{
		"/api/v1/t/..%2F..%2Fsecret.txt/" + tok + "/tile_224",
		"/api/v1/t/" + e.pub.Hash + "/" + tok + "/..%2F..%2Fsecret.txt",
		"/api/v1/t/" + e.pub.Hash + "/..%2F..%2F" + "/tile_224",
		"/api/v1/dl/..%2F..%2Fsecret.txt?t=" + tok,
		"/api/v1/dl/../../secret.txt?t=" + tok,
		"/api/v1/video/%2e%2e%2fsecret.txt?t=" + tok,
		"/api/v1/folders?path=../",
		"/api/v1/folders?path=/etc",
		"/api/v1/folders?path=2019/../../x",
		"/api/v1/photos?folder=..%2F..",
		"/api/v1/photos?folder=%2Fetc",
		"/api/v1/s/..%2F..%2Fsecret.txt",
		"/api/v1/s/..%2F..%2Fsecret.txt/photos",
		"/api/v1/photos/..%2F1",
		"/api/v1/albums/..%2F1",
	} {
		resp := e.request(e.admin, "GET", p, nil, nil)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 || bytes.Contains(b, []byte("top secret")) {
			t.Errorf("GET %s: %d %q, want a 4xx refusal", p, resp.StatusCode, b)
		}
	}
	// An upload's file name cannot leave the upload folder.
	for _, name := range []string{"../../evil.jpg", "..\\evil.jpg", "/etc/evil.jpg", ".hidden.jpg"} {
		body, ct := testkit.Multipart([2]string{name, string(testkit.JPEG(testkit.Photo{Seed: 77}))})
		resp := e.request(e.admin, "POST", "/api/v1/upload", body, http.Header{"Content-Type": {ct}})
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "file name") {
			t.Errorf("upload named %q: %d %s, want 400 about the name", name, resp.StatusCode, b)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(e.root), "evil.jpg")); err == nil {
		t.Fatal("an upload escaped the originals")
	}
	// A file replaced by a symlink to outside the originals is not served.
	rel := filepath.Join(e.root, "2020", "cat.jpg")
	cat := e.photo("2020/cat.jpg")
	if err := os.Remove(rel); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, rel); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/api/v1/dl/" + cat.Hash + "?t=" + tok, "/api/v1/t/" + cat.Hash + "/" + tok + "/fit_720"} {
		resp := e.request(client{}, "GET", p, nil, nil)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || bytes.Contains(b, []byte("top secret")) {
			t.Errorf("GET %s through an outside symlink: %d, want 404", p, resp.StatusCode)
		}
	}
}

// bombPNG is a valid PNG header declaring w×h pixels with almost no data.
func bombPNG(t *testing.T, w, h uint32) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	// IHDR data starts at 16: width, height; its CRC follows the 13 bytes.
	binary.BigEndian.PutUint32(p[16:], w)
	binary.BigEndian.PutUint32(p[20:], h)
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29]))
	return p
}

func TestUploadRefusals(t *testing.T) {
	e := newEnv(t, nil) // limit 1 MB, 10 megapixels
	big := append([]byte("\xff\xd8\xff\xe0"), make([]byte, 1200<<10)...)
	cases := []struct {
		name, file string
		data       []byte
		code       int
		msg        string
	}{
		{"text", "notes.jpg", []byte("just some text, not a photo"), 415, "is not a photo or video"},
		{"extension", "notes.txt", []byte("hello"), 415, "not a photo or video"},
		{"oversized", "huge.jpg", big, 413, "limited to 1 MB"},
		{"bomb", "bomb.png", bombPNG(t, 50000, 50000), 422, "more than the 10 megapixels allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, ct := testkit.Multipart([2]string{tc.file, string(tc.data)})
			resp := e.request(e.user, "POST", "/api/v1/upload", body, http.Header{"Content-Type": {ct}})
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.code || !strings.Contains(string(b), tc.msg) {
				t.Fatalf("%d %s, want %d mentioning %q", resp.StatusCode, b, tc.code, tc.msg)
			}
		})
	}
	entries, _ := os.ReadDir(filepath.Join(e.root, "Uploads"))
	if len(entries) != 0 {
		t.Fatalf("refused uploads left files behind: %v", entries)
	}
}

func TestUploadSavesIndexesAndReportsDuplicates(t *testing.T) {
	e := newEnv(t, nil)
	tram, err := os.ReadFile(filepath.Join(e.root, "2019/Lisbon/tram.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	files := e.upload(e.user, [2]string{"new.jpg", string(testkit.JPEG(testkit.Photo{Seed: 500}))}, [2]string{"again.jpg", string(tram)},
		[2]string{"bad.jpg", "nope"})
	if len(files) != 3 {
		t.Fatalf("files %+v", files)
	}
	if f := files[0]; f.Status != "saved" || f.Path != "Uploads/new.jpg" || f.PhotoID == 0 {
		t.Errorf("new file: %+v, want saved, indexed", f)
	}
	if f := files[1]; f.Status != "duplicate" || f.PhotoID != e.pub.ID || !strings.Contains(f.Error, "2019/Lisbon/tram.jpg") {
		t.Errorf("duplicate: %+v", f)
	}
	if f := files[2]; f.Status != "rejected" {
		t.Errorf("bad file: %+v", f)
	}
	var d struct{ Photo struct{ ID int64 } }
	e.do(e.user, "GET", fmt.Sprintf("/api/v1/photos/%d", files[0].PhotoID), nil, 200, &d)
	// The upload is in the uploader's private space: a viewer cannot open it.
	e.do(e.viewer, "GET", fmt.Sprintf("/api/v1/photos/%d", files[0].PhotoID), nil, 404, nil)
	// The same name again gets a free name instead of overwriting.
	if again := e.upload(e.user, [2]string{"new.jpg", string(testkit.JPEG(testkit.Photo{Seed: 501}))}); len(again) != 1 || again[0].Path != "Uploads/new (1).jpg" {
		t.Errorf("second new.jpg saved as %+v", again)
	}
}

func TestUploadReadOnly(t *testing.T) {
	e := newEnv(t, func(d *web.Deps) { d.ReadOnly = true })
	body, ct := testkit.Multipart([2]string{"new.jpg", string(testkit.JPEG(testkit.Photo{Seed: 500}))})
	resp := e.request(e.admin, "POST", "/api/v1/upload", body, http.Header{"Content-Type": {ct}})
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(b), "read-only") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

func TestRevokedAndExpiredSharesStopWorking(t *testing.T) {
	e := newEnv(t, nil)
	thumb := "/api/v1/t/" + e.pub.Hash + "/" + e.share.Access + "/tile_224"
	dl := "/api/v1/dl/" + e.pub.Hash + "?t=" + e.share.Access
	for _, p := range []string{thumb, dl, "/api/v1/s/" + e.share.Token + "/photos"} {
		e.do(client{}, "GET", p, nil, 200, nil)
	}
	e.do(e.user, "DELETE", fmt.Sprintf("/api/v1/shares/%d", e.share.ID), nil, 204, nil)
	for p, want := range map[string]int{thumb: 403, dl: 403, "/api/v1/s/" + e.share.Token: 404, "/api/v1/s/" + e.share.Token + "/photos": 404} {
		resp := e.request(client{}, "GET", p, nil, nil)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("revoked share: GET %s: %d, want %d", p, resp.StatusCode, want)
		}
		if p == thumb && resp.Header.Get("Content-Type") != "image/png" {
			t.Errorf("revoked thumbnail is %q, want a placeholder image", resp.Header.Get("Content-Type"))
		}
	}
	// Expiry works the same way, without anyone revoking. The database's
	// clock is moved rather than slept past (expiry is stored to the
	// second, so a one-second sleep failed near a second boundary).
	exp := time.Now().Add(time.Hour)
	sh, err := e.srv.Auth().CreateShare(context.Background(), e.album.ID, auth.ShareOptions{Expires: &exp}, 0)
	if err != nil {
		t.Fatal(err)
	}
	links := map[string]int{
		"/api/v1/t/" + e.pub.Hash + "/" + sh.Access + "/tile_224": 403,
		"/api/v1/dl/" + e.pub.Hash + "?t=" + sh.Access:            403,
		"/api/v1/s/" + sh.Token:                                   404,
		"/api/v1/s/" + sh.Token + "/photos":                       404,
	}
	e.advance(59 * time.Minute)
	for p := range links {
		e.do(client{}, "GET", p, nil, 200, nil)
	}
	e.advance(time.Minute + time.Second)
	for p, want := range links {
		e.do(client{}, "GET", p, nil, want, nil)
	}
}

func TestViewerAndVisitorNeverSeePrivatePhotos(t *testing.T) {
	e := newEnv(t, nil)
	has := func(list []struct{ ID int64 }, id int64) bool {
		for _, p := range list {
			if p.ID == id {
				return true
			}
		}
		return false
	}
	var page struct{ Photos []struct{ ID int64 } }
	for _, q := range []string{"", "?private=true", "?q=secret", "?city=Lisbon&country=PT", fmt.Sprintf("?album=%d", e.album.ID), "?folder=2019/Lisbon"} {
		e.do(e.viewer, "GET", "/api/v1/photos"+q, nil, 200, &page)
		if has(page.Photos, e.priv.ID) {
			t.Errorf("viewer sees the private photo in /photos%s", q)
		}
		e.do(e.user, "GET", "/api/v1/photos"+q, nil, 200, &page)
		if q != "?private=true" && q != "" && !has(page.Photos, e.priv.ID) {
			t.Errorf("user does not see the private photo in /photos%s", q)
		}
	}
	e.do(e.viewer, "GET", fmt.Sprintf("/api/v1/photos/%d", e.priv.ID), nil, 404, nil)
	vt := e.thumbToken("viewer")
	e.do(client{}, "GET", "/api/v1/t/"+e.priv.Hash+"/"+vt+"/tile_224", nil, 404, nil)
	e.do(client{}, "GET", "/api/v1/dl/"+e.priv.Hash+"?t="+vt, nil, 404, nil)
	e.do(client{}, "GET", "/api/v1/t/"+e.pub.Hash+"/"+vt+"/tile_224", nil, 200, nil)
	// Share visitors: the album holds the private photo, they never get it.
	e.do(client{}, "GET", "/api/v1/s/"+e.share.Token+"/photos", nil, 200, &page)
	if has(page.Photos, e.priv.ID) || !has(page.Photos, e.pub.ID) {
		t.Errorf("share visitor sees %+v", page.Photos)
	}
	e.do(client{}, "GET", "/api/v1/t/"+e.priv.Hash+"/"+e.share.Access+"/tile_224", nil, 404, nil)
	// Counts agree.
	var a struct{ Count int }
	e.do(e.viewer, "GET", fmt.Sprintf("/api/v1/albums/%d", e.album.ID), nil, 200, &a)
	if a.Count != 1 {
		t.Errorf("viewer's album count %d, want 1", a.Count)
	}
	var pl struct{ Places []struct{ Count int } }
	e.do(e.viewer, "GET", "/api/v1/places?country=PT&state=Lisbon", nil, 200, &pl)
	if len(pl.Places) != 1 || pl.Places[0].Count != 1 {
		t.Errorf("viewer's places %+v, want Lisbon with 1", pl.Places)
	}
	var f struct{ Folder struct{ Total int } }
	e.do(e.viewer, "GET", "/api/v1/folders?path=2019/Lisbon", nil, 200, &f)
	if f.Folder.Total != 1 {
		t.Errorf("viewer's folder total %d, want 1", f.Folder.Total)
	}
}

func TestTokenRotationKillsOldURLs(t *testing.T) {
	e := newEnv(t, nil)
	old := e.thumbToken("admin")
	oldViewer := e.thumbToken("viewer")
	var out struct {
		ThumbToken string `json:"thumb_token"`
	}
	e.do(e.admin, "POST", "/api/v1/tokens/rotate", nil, 200, &out)
	if out.ThumbToken == old || len(out.ThumbToken) < 40 {
		t.Fatalf("new token %q", out.ThumbToken)
	}
	e.do(client{}, "GET", "/api/v1/t/"+e.pub.Hash+"/"+old+"/tile_224", nil, 403, nil)
	e.do(client{}, "GET", "/api/v1/dl/"+e.pub.Hash+"?t="+oldViewer, nil, 403, nil)
	e.do(client{}, "GET", "/api/v1/t/"+e.pub.Hash+"/"+out.ThumbToken+"/tile_224", nil, 200, nil)
	// Share links keep their own token.
	e.do(client{}, "GET", "/api/v1/t/"+e.pub.Hash+"/"+e.share.Access+"/tile_224", nil, 200, nil)
}

func TestMetricsAccess(t *testing.T) {
	e := newEnv(t, loopbackProxy)
	remote := http.Header{"X-Forwarded-For": {"198.51.100.7"}}
	for _, tc := range []struct {
		c    client
		want int
	}{{client{}, 401}, {e.viewer, 403}, {e.user, 403}, {e.admin, 200}} {
		resp := e.request(tc.c, "GET", "/metrics", nil, remote)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("metrics as %q from a remote address: %d, want %d", tc.c.role, resp.StatusCode, tc.want)
		}
		if tc.want == 200 && (!strings.Contains(string(b), "pinhole_photos 5") || !strings.Contains(string(b), "pinhole_http_requests_total{code=\"2xx\"}")) {
			t.Errorf("metrics body:\n%s", b)
		}
	}
	pub := newEnv(t, func(d *web.Deps) { d.MetricsPublic = true; loopbackProxy(d) })
	resp := pub.request(client{}, "GET", "/metrics", nil, remote)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("public metrics: %d", resp.StatusCode)
	}
}
