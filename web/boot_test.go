package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"pinhole/db"
	"pinhole/web"
)

// A built index.html as Vite writes it.
const testIndex = `<!doctype html><html><head><meta charset="utf-8"><title>Pinhole</title>` +
	`<script type="module" crossorigin src="/assets/index-abc.js"></script></head><body><div id="app"></div></body></html>`

func withUI(d *web.Deps) {
	d.UI = fstest.MapFS{"index.html": {Data: []byte(testIndex)}, "assets/index-abc.js": {Data: []byte("1")}}
}

// bootPage is index.html as one caller gets it.
type bootPage struct {
	resp *http.Response
	html string
	raw  string // the inlined JSON, "" when there is none
	data struct {
		ThumbSizes []struct {
			Name          string
			Width, Height int
			Crop          bool
		} `json:"thumb_sizes"`
		SetupRequired *bool                      `json:"setup_required"`
		API           map[string]json.RawMessage `json:"api"`
	}
}

func (e *env) page(c client, path string) bootPage {
	e.t.Helper()
	resp := e.request(c, "GET", path, nil, nil)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		e.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	p := bootPage{resp: resp, html: string(b)}
	const open = `<script type="application/json" id="boot">`
	i := strings.Index(p.html, open)
	if i < 0 {
		return p
	}
	rest := p.html[i+len(open):]
	j := strings.Index(rest, "</script>")
	if j < 0 {
		e.t.Fatalf("GET %s: the boot script is not closed: %s", path, rest)
	}
	p.raw = rest[:j]
	if err := json.Unmarshal([]byte(p.raw), &p.data); err != nil {
		e.t.Fatalf("GET %s: boot data is not JSON: %v: %s", path, err, p.raw)
	}
	return p
}

// apiJSON is an API answer as c gets it, decoded for comparison.
func (e *env) apiJSON(c client, path string) any {
	e.t.Helper()
	var v any
	e.do(c, "GET", "/api/v1"+path, nil, 200, &v)
	return v
}

func decodeAny(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// The library page of a logged-in browser carries its session, the month
// counts and the first page of photos: exactly what the API answers the
// same cookie, so the app draws its first screen without asking. The page
// is never stored and varies by cookie.
func TestBootDataForValidSession(t *testing.T) {
	e := newEnv(t, withUI)
	admin := e.login("admin", false)
	p := e.page(admin, "/")
	if p.raw == "" {
		t.Fatalf("no boot data in the library page of a logged-in browser: %s", p.html)
	}
	if cc := p.resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	if v := strings.Join(p.resp.Header.Values("Vary"), ","); !strings.Contains(v, "Cookie") {
		t.Errorf("Vary %q lacks Cookie", v)
	}
	if !strings.Contains(p.html, `<script type="module" crossorigin src="/assets/index-abc.js">`) {
		t.Errorf("the app's own script is gone: %s", p.html)
	}
	var sess struct {
		CSRF       string  `json:"csrf_token"`
		ThumbToken string  `json:"thumb_token"`
		User       db.User `json:"user"`
	}
	if err := json.Unmarshal(p.data.API["/session"], &sess); err != nil {
		t.Fatalf("session: %v: %s", err, p.data.API["/session"])
	}
	if sess.CSRF != admin.csrf || sess.User.Username != "admin" || sess.ThumbToken != e.thumbToken("admin") {
		t.Errorf("inlined session is not the caller's own: %+v (csrf %q)", sess, admin.csrf)
	}
	for _, path := range []string{"/session", "/photos/months", "/photos?limit=120", "/memories?date=" + time.Now().Format("2006-01-02")} {
		raw, ok := p.data.API[path]
		if !ok {
			t.Errorf("no %s in the boot data", path)
			continue
		}
		got, want := decodeAny(t, raw), e.apiJSON(admin, path)
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		if string(gj) != string(wj) {
			t.Errorf("%s inlined differs from the API's answer:\n got %s\nwant %s", path, gj, wj)
		}
	}
	if len(p.data.ThumbSizes) == 0 || p.data.SetupRequired == nil || *p.data.SetupRequired {
		t.Errorf("thumb sizes or setup state missing: %s", p.raw)
	}

	// Other screens get the session only; share pages nothing personal.
	if p := e.page(admin, "/albums/3"); p.data.API["/session"] == nil || p.data.API["/photos/months"] != nil {
		t.Errorf("/albums/3: want the session and no timeline: %s", p.raw)
	}
	if p := e.page(admin, "/s/"+strings.Repeat("x", 30)); p.data.API != nil {
		t.Errorf("a share page carries the visitor's session: %s", p.raw)
	}

	// HEAD: the same headers, no body.
	resp := e.request(admin, "HEAD", "/", nil, nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(b) != 0 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("HEAD /: %d, %d bytes, Cache-Control %q", resp.StatusCode, len(b), resp.Header.Get("Cache-Control"))
	}
}

// A viewer's boot data leaves out private photos, as its API answers do.
func TestBootDataFollowsTheCallersRole(t *testing.T) {
	e := newEnv(t, withUI)
	v := e.login("viewer", false)
	p := e.page(v, "/")
	var list struct {
		Photos []db.Photo `json:"photos"`
	}
	if err := json.Unmarshal(p.data.API["/photos?limit=120"], &list); err != nil {
		t.Fatalf("%v: %s", err, p.raw)
	}
	if len(list.Photos) == 0 {
		t.Fatal("no photos inlined for the viewer")
	}
	for _, ph := range list.Photos {
		if ph.ID == e.priv.ID {
			t.Errorf("a private photo is inlined for a viewer")
		}
	}
}

// Text from files and users cannot break out of the script element: "<",
// ">", "&" and U+2028/9 are escaped, and the title still reads the same.
func TestBootDataIsEscaped(t *testing.T) {
	e := newEnv(t, withUI)
	evil := "</script><script>alert(1)</script><!-- & \u2028\u2029 -->"
	if err := e.db.EditPhoto(context.Background(), e.pub.ID, db.PhotoEdit{Title: &evil}); err != nil {
		t.Fatal(err)
	}
	p := e.page(e.login("admin", false), "/")
	for _, bad := range []string{"<", ">", "&", "\u2028", "\u2029"} {
		if strings.Contains(p.raw, bad) {
			t.Errorf("boot data holds a raw %q: %s", bad, p.raw)
		}
	}
	if n := strings.Count(p.html, "</script>"); n != 2 {
		t.Errorf("%d </script> in the page, want 2 (boot data and the app's script)", n)
	}
	var list struct {
		Photos []db.Photo `json:"photos"`
	}
	if err := json.Unmarshal(p.data.API["/photos?limit=120"], &list); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ph := range list.Photos {
		found = found || ph.Title == evil
	}
	if !found {
		t.Errorf("the title does not survive the escaping: %s", p.raw)
	}
}

// No cookie, a bearer token, a logged-out (revoked) cookie and an expired
// one: the page carries the size table and nothing personal.
func TestBootDataNeedsAValidCookieSession(t *testing.T) {
	e := newEnv(t, func(d *web.Deps) { withUI(d); d.SessionTTL = 2 * time.Second })
	check := func(name string, c client) {
		t.Helper()
		p := e.page(c, "/")
		if p.raw == "" || len(p.data.ThumbSizes) == 0 {
			t.Errorf("%s: no thumbnail sizes inlined: %s", name, p.html)
		}
		if p.data.API != nil || strings.Contains(p.raw, "csrf") || strings.Contains(p.raw, "photos") {
			t.Errorf("%s: personal data inlined: %s", name, p.raw)
		}
		if cc := p.resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q", name, cc)
		}
	}
	check("no cookie", client{})
	check("bearer", e.login("user", true))
	check("unknown cookie", client{cookie: strings.Repeat("A", 43)})

	revoked := e.login("user", false)
	if p := e.page(revoked, "/"); p.data.API == nil {
		t.Fatal("no boot data before logging out")
	}
	e.do(revoked, "DELETE", "/api/v1/session", nil, 204, nil)
	check("logged out", revoked)

	expired := e.login("admin", false)
	if p := e.page(expired, "/"); p.data.API == nil {
		t.Fatal("no boot data before the session expired")
	}
	time.Sleep(3 * time.Second) // expiry times have one-second resolution
	check("expired", expired)
}
