package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"pinhole/app/auth"
	"pinhole/app/config"
	"pinhole/app/corpus"
	"pinhole/app/index"
	"pinhole/app/testkit"
	"pinhole/db"
	"pinhole/web"
)

const testPassword = "correct horse battery"

// fakeThumbs renders every thumbnail as a tiny JPEG, counting calls.
type fakeThumbs struct{ calls, cleared atomic.Int64 }

func (f *fakeThumbs) Thumb(ctx context.Context, src web.ThumbSource, size string) (web.Thumb, error) {
	f.calls.Add(1)
	if _, err := os.Stat(src.Path); err != nil {
		return web.Thumb{}, err
	}
	return web.Thumb{Data: testkit.JPEG(testkit.Photo{Seed: 1}), ETag: `"` + src.Hash + "-" + size + `"`}, nil
}

func (f *fakeThumbs) Placeholder(size, reason string) []byte { return nil }

// ClearCache stands in for emptying the thumbnail cache: it counts calls.
func (f *fakeThumbs) ClearCache() (int, int64) { f.cleared.Add(1); return 3, 3000 }

func (f *fakeThumbs) Reason(err error) string { return err.Error() }

// realIndex adapts the real indexer to web.Indexer.
type realIndex struct{ ix *index.Indexer }

func (r realIndex) Changed(ctx context.Context, rels []string) error {
	_, err := r.ix.Changed(ctx, rels)
	return err
}
func (r realIndex) Rescan() bool             { go r.ix.Scan(context.Background(), false); return true }
func (r realIndex) Progress() index.Progress { return r.ix.Progress() }

// client is one caller: a bearer token, or a cookie plus CSRF token.
type client struct {
	role   string
	bearer string
	cookie string
	csrf   string
	userID int64
	// via sends the requests (from another local address); nil: a plain
	// client.
	via *http.Client
}

type env struct {
	t      *testing.T
	clock  *atomic.Int64 // how far the database's clock is ahead, in ns
	db     *db.DB
	srv    *web.Server
	ts     *httptest.Server
	root   string
	thumbs *fakeThumbs
	ix     *index.Indexer

	admin, user, viewer client
	pub, priv           db.Photo // a public photo (in the shared album) and a private one
	video               db.Photo
	album               db.Album // holds pub and priv
	share               db.Share
}

// newEnv indexes a small real library (JPEGs and a corpus video) into a
// real SQLite database and serves the API on 127.0.0.1 with an admin, a
// user and a viewer logged in.
func newEnv(t *testing.T, mod func(*web.Deps)) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	root := filepath.Join(dir, "originals")
	testkit.WriteFile(t, root, "2019/Lisbon/tram.jpg", testkit.JPEG(testkit.Photo{Seed: 1}))
	testkit.WriteFile(t, root, "2019/Lisbon/secret.jpg", testkit.JPEG(testkit.Photo{Seed: 2}))
	testkit.WriteFile(t, root, "2020/Porto/bridge.jpg", testkit.JPEG(testkit.Photo{Seed: 3}))
	testkit.WriteFile(t, root, "2020/cat.jpg", testkit.JPEG(testkit.Photo{Seed: 4}))
	vid, err := os.ReadFile(corpus.Path(t, "photoprism/assets/examples/blue-go-video.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	testkit.WriteFile(t, root, "2020/clip.mp4", vid)
	d, err := db.Open(ctx, filepath.Join(dir, "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ahead := &atomic.Int64{}
	d.SetClock(func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) })
	ix := index.New(d, index.Options{Root: root, Workers: 1})
	if _, err := ix.Scan(ctx, false); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, clock: ahead, db: d, root: root, thumbs: &fakeThumbs{}, ix: ix}
	def := config.Defaults()
	// The listener exists before the server, so deps can know the
	// server's own address (a sign-in provider sends people back to it).
	e.ts = httptest.NewUnstartedServer(nil)
	deps := web.Deps{DB: d, Originals: root, ReadOnly: false, Thumbs: e.thumbs, Index: realIndex{ix}, Version: "test",
		UploadFolder: def.UploadFolder, SessionTTL: def.SessionTTL, UploadLimitMB: 1, MaxMegapixels: 10,
		PublicURL: "http://" + e.ts.Listener.Addr().String(),
		Status: func(_ context.Context, _ web.StatusView, pub web.PublicStatus) any {
			return struct {
				web.PublicStatus
				Counts map[string]int `json:"counts"`
			}{pub, map[string]int{"photos": 5}}
		}}
	if mod != nil {
		mod(&deps)
	}
	e.srv = web.New(deps)
	e.ts.Config.Handler = e.srv.Handler()
	e.ts.Start()
	t.Cleanup(e.ts.Close)

	e.pub = e.photo("2019/Lisbon/tram.jpg")
	e.priv = e.photo("2019/Lisbon/secret.jpg")
	e.video = e.photo("2020/clip.mp4")
	if err := d.SetFlag(ctx, e.priv.ID, "private", true); err != nil {
		t.Fatal(err)
	}
	lat, lng := 38.71, -9.14
	if err := d.EditPhoto(ctx, e.pub.ID, db.PhotoEdit{Title: ptr("Tram 28"), SetLocation: true, Lat: &lat, Lng: &lng}); err != nil {
		t.Fatal(err)
	}
	if err := d.SetPlaces(ctx, []db.PlaceFix{{PhotoID: e.pub.ID, CountryCode: "PT", Country: "Portugal", State: "Lisbon", City: "Lisbon", Source: "offline"},
		{PhotoID: e.priv.ID, CountryCode: "PT", Country: "Portugal", State: "Lisbon", City: "Lisbon", Source: "offline"}}); err != nil {
		t.Fatal(err)
	}
	e.album, err = d.CreateAlbum(ctx, "Portugal", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddToAlbum(ctx, e.album.ID, []int64{e.pub.ID, e.priv.ID}); err != nil {
		t.Fatal(err)
	}
	e.share, err = e.srv.Auth().CreateShare(ctx, e.album.ID, auth.ShareOptions{}, 0)
	if err != nil {
		t.Fatal(err)
	}

	// The admin comes from the first-run setup, the others from the CLI functions.
	var setup struct {
		Token string  `json:"token"`
		User  db.User `json:"user"`
	}
	e.do(client{}, "POST", "/api/v1/setup", map[string]any{"username": "admin", "password": testPassword, "bearer": true}, 201, &setup)
	e.admin = client{role: "admin", bearer: setup.Token, userID: setup.User.ID}
	for _, role := range []string{"user", "viewer"} {
		if _, err := auth.AddUser(ctx, d, role, testPassword, role); err != nil {
			t.Fatal(err)
		}
	}
	e.user = e.login("user", true)
	e.viewer = e.login("viewer", true)
	return e
}

func ptr[T any](v T) *T { return &v }

// advance moves the database's clock (what expiry is judged by) forward.
func (e *env) advance(d time.Duration) { e.clock.Add(int64(d)) }

func (e *env) photo(rel string) db.Photo {
	e.t.Helper()
	p, err := e.db.PhotoByPath(context.Background(), rel)
	if err != nil {
		e.t.Fatalf("photo %s: %v", rel, err)
	}
	return p
}

// login logs in by the API, as a bearer client or with the cookie.
func (e *env) login(name string, bearer bool) client {
	e.t.Helper()
	var out struct {
		Token string  `json:"token"`
		CSRF  string  `json:"csrf_token"`
		User  db.User `json:"user"`
	}
	resp := e.do(client{}, "POST", "/api/v1/session", map[string]any{"username": name, "password": testPassword, "bearer": bearer}, 200, &out)
	c := client{role: out.User.Role, bearer: out.Token, csrf: out.CSRF, userID: out.User.ID}
	if !bearer {
		for _, ck := range resp.Cookies() {
			if ck.Name == web.SessionCookie {
				c.cookie = ck.Value
			}
		}
		if c.cookie == "" {
			e.t.Fatal("login set no session cookie")
		}
	}
	return c
}

// kit is the test kit's client for c on this server.
func (e *env) kit(c client) *testkit.Client {
	k := &testkit.Client{T: e.t, Base: e.ts.URL, HTTP: c.via, Bearer: c.bearer, CSRF: c.csrf, Role: c.role, UserID: c.userID}
	if c.cookie != "" {
		k.Cookie = &http.Cookie{Name: web.SessionCookie, Value: c.cookie}
	}
	return k
}

// request sends one request as c. body is JSON unless it is an
// io.Reader (sent as is, with contentType).
func (e *env) request(c client, method, path string, body any, header http.Header) *http.Response {
	e.t.Helper()
	return e.kit(c).Request(method, path, body, header)
}

// do sends a request, checks the status and decodes the JSON answer.
func (e *env) do(c client, method, path string, body any, want int, out any) *http.Response {
	e.t.Helper()
	return e.kit(c).Do(method, path, body, want, out)
}

// thumbToken is the token the thumbnail URLs of the role's test user
// carry right now.
func (e *env) thumbToken(role string) string {
	tok, err := e.srv.Auth().ThumbToken(context.Background(), e.clientFor(role).userID)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// uploaded is one file of an upload's answer.
type uploaded struct {
	Name, Status, Path, Error string
	PhotoID                   int64 `json:"photo_id"`
}

// upload sends files (name → content) as c and returns the 200 answer's
// files.
func (e *env) upload(c client, files ...[2]string) []uploaded {
	e.t.Helper()
	body, ct := testkit.Multipart(files...)
	var out struct {
		Files []uploaded `json:"files"`
	}
	testkit.Decode(e.t, e.request(c, "POST", "/api/v1/upload", body, http.Header{"Content-Type": {ct}}), 200, &out)
	return out.Files
}

// osMkdirTemp makes a folder for benchmark data outside any test's
// cleanup (benchmarks share one generated library per process).
func osMkdirTemp() (string, error) { return os.MkdirTemp("", "pinhole-bench-") }
