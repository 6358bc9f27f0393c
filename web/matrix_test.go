package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"pinhole/app/auth"
	"pinhole/app/maps"
	"pinhole/app/testkit"
	"pinhole/app/upstream"
	"pinhole/db"
	"pinhole/web"
)

// roles of the matrix, in the order of each row's statuses.
var roles = []string{"anon", "viewer", "user", "admin", "visitor"}

// matrixCase builds one request for a role: its path and JSON body (or an
// upload), and which client sends it.
type matrixCase struct {
	prep func(e *env, role string) (path string, body any, header http.Header)
	// fresh: send with a new session of the role (the request ends it).
	fresh bool
	// as, when set, is the client a logged-in role sends with (a request
	// that would spoil the shared sessions, such as a password change).
	as   func(e *env, role string) client
	want [5]int
}

func (e *env) clientFor(role string) client {
	switch role {
	case "admin":
		return e.admin
	case "user":
		return e.user
	case "viewer":
		return e.viewer
	}
	return client{role: role}
}

// freshSession opens another session for the role's user without a
// password check, for requests that end the session they use.
func (e *env) freshSession(role string) (client, int64) {
	c := e.clientFor(role)
	tok := auth.NewToken()
	s, err := e.db.CreateSession(context.Background(), auth.HashToken(tok), c.userID, auth.NewToken(), time.Hour, "", "")
	if err != nil {
		e.t.Fatal(err)
	}
	return client{role: role, bearer: tok, userID: c.userID}, s.ID
}

// tokenFor is the thumbnail token a role has: visitors the share's access
// secret, anonymous callers none that works.
// newAccount makes another user of the role, with testPassword, logged in.
func (e *env) newAccount(role string, n int) client {
	u, err := auth.AddUser(context.Background(), e.db, fmt.Sprintf("%s%d", role, n), testPassword, role)
	if err != nil {
		e.t.Fatal(err)
	}
	tok := auth.NewToken()
	if _, err := e.db.CreateSession(context.Background(), auth.HashToken(tok), u.ID, auth.NewToken(), time.Hour, "", ""); err != nil {
		e.t.Fatal(err)
	}
	return client{role: role, bearer: tok, userID: u.ID}
}

// onlineSwitch is the server's pause switch (app's adapter keeps it in the
// settings table); the web layer only needs its state.
type onlineSwitch struct{ p *upstream.Pause }

func (o onlineSwitch) OnlineState() web.OnlineState {
	return web.OnlineState{Paused: o.p.Paused()}
}

func (o onlineSwitch) SetOnlinePaused(_ context.Context, paused bool) (web.OnlineState, error) {
	o.p.Set(paused)
	return o.OnlineState(), nil
}

func (e *env) tokenFor(role string) string {
	switch role {
	case "anon":
		return "not-a-valid-token-aaaaaaaaaaaaaaaaaa"
	case "visitor":
		return e.share.Access
	}
	return e.thumbToken(role)
}

func (e *env) shareTokenFor(role string) string {
	if role == "anon" {
		return "not-a-valid-token-aaaaaaaaaaaaaaaaaa"
	}
	return e.share.Token
}

func (e *env) newAlbum(withPhoto bool) db.Album {
	a, err := e.db.CreateAlbum(context.Background(), "scratch", "")
	if err != nil {
		e.t.Fatal(err)
	}
	if withPhoto {
		if _, err := e.db.AddToAlbum(context.Background(), a.ID, []int64{e.pub.ID}); err != nil {
			e.t.Fatal(err)
		}
	}
	return a
}

func fixed(path string, body any) func(*env, string) (string, any, http.Header) {
	return func(*env, string) (string, any, http.Header) { return path, body, nil }
}

// TestAuthorizationMatrix sends every route's request as each role. Each
// row's request is one that succeeds for the roles allowed, so a row whose
// route lost its role check, or gained a wrong one, fails.
func TestAuthorizationMatrix(t *testing.T) {
	// Map tiles (the offline base map) and the online services switch are
	// present, so their rows can succeed.
	// So is a sign-in provider (a real one, web/oidcop_test.go).
	provider := newProvider(t)
	e := newEnv(t, func(d *web.Deps) {
		d.Tiles = maps.New(maps.Options{Dir: t.TempDir()})
		d.Online = onlineSwitch{upstream.NewPause(false)}
		d.OIDC = provider.signInConfig(d.PublicURL)
		withTrash(t, false)(d)
		withDupes(d)
	})
	if _, err := auth.AddUser(context.Background(), e.db, "matrix", testPassword, "viewer"); err != nil {
		t.Fatal(err)
	}
	seq := 0
	next := func() int { seq++; return seq }
	var enrolling client // the account a PUT /api/v1/account/totp row confirms for
	videoAlbum := e.newAlbum(false)
	moving := e.addFiles([2]any{"2021/PXL_1.MP.jpg", testkit.Container(testkit.MotionStill(5), testkit.MotionMP4(t), 0)})
	if _, err := e.db.AddToAlbum(context.Background(), videoAlbum.ID, []int64{e.video.ID, moving.ID}); err != nil {
		t.Fatal(err)
	}
	videoShare, err := e.srv.Auth().CreateShare(context.Background(), videoAlbum.ID, auth.ShareOptions{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	// People: one on a public photo, and a fresh pair for each merge.
	faces := func(seed uint64, names ...string) []byte {
		var fs []testkit.Face
		for i, n := range names {
			fs = append(fs, testkit.Face{Name: n, X: 0.1 + 0.4*float64(i), Y: 0.2, W: 0.3, H: 0.3})
		}
		return testkit.JPEG(testkit.Photo{W: 32, H: 24, Seed: seed, RawXMP: testkit.FacesXMP(testkit.MWG, 32, 24, fs...)})
	}
	e.addFiles([2]any{"people/matrix.jpg", faces(500, "Matrix Person")})
	person, err := e.db.PersonNamed(context.Background(), db.Reader{Kind: db.Owner}, "Matrix Person")
	if err != nil {
		t.Fatal(err)
	}
	// A GPX track (web/tracks.go).
	testkit.WriteFile(t, e.root, "tracks/matrix.gpx", testkit.GPX("Matrix walk",
		testkit.GPXLine(time.Date(2020, 5, 1, 9, 0, 0, 0, time.UTC), time.Minute, 5, 38.7, -9.1, 0.001, 0.001)))
	if _, err := e.ix.Changed(context.Background(), []string{"tracks/matrix.gpx"}); err != nil {
		t.Fatal(err)
	}
	mtracks, err := e.db.Tracks(context.Background())
	if err != nil || len(mtracks) != 1 {
		t.Fatalf("matrix track: %v, %v", mtracks, err)
	}
	track := mtracks[0]
	const (
		ok, created, noContent, accepted = 200, 201, 204, 202
		unauth, forbidden, notFound      = 401, 403, 404
	)
	// Statuses: anon, viewer, user, admin, visitor.
	everyone := [5]int{ok, ok, ok, ok, ok}
	loggedIn := [5]int{unauth, ok, ok, ok, unauth}
	users := [5]int{unauth, forbidden, ok, ok, unauth}
	admins := [5]int{unauth, forbidden, forbidden, ok, unauth}
	tokens := [5]int{forbidden, ok, ok, ok, ok}
	cases := map[string]matrixCase{
		"GET /healthz": {prep: fixed("/healthz", nil), want: everyone},
		"GET /metrics": {prep: fixed("/metrics", nil), want: everyone}, // from loopback; see TestMetricsAccess
		"GET /":        {prep: fixed("/", nil), want: everyone},
		"GET /*":       {prep: fixed("/albums/1", nil), want: everyone}, // client-side routes get the web app

		"GET /api/v1/status": {prep: fixed("/api/v1/status", nil), want: everyone},
		// Setup is for anyone while no account exists (newEnv's own setup
		// gets 201); once one does, it is refused to everyone.
		"POST /api/v1/setup": {prep: fixed("/api/v1/setup", map[string]any{"username": "x", "password": testPassword}),
			want: [5]int{409, 409, 409, 409, 409}},
		"POST /api/v1/session": {prep: fixed("/api/v1/session", map[string]any{"username": "matrix", "password": testPassword, "bearer": true}), want: everyone},
		"GET /api/v1/session":  {prep: fixed("/api/v1/session", nil), want: loggedIn},
		"DELETE /api/v1/session": {prep: fixed("/api/v1/session", nil), fresh: true,
			want: [5]int{unauth, noContent, noContent, noContent, unauth}},
		// Each role changes the password of an account of its own (a change
		// logs the user's other sessions out).
		"PUT /api/v1/session/password": {prep: fixed("/api/v1/session/password", map[string]any{"old_password": testPassword, "new_password": "another long one"}),
			as:   func(e *env, role string) client { return e.newAccount(role, next()) },
			want: [5]int{unauth, noContent, noContent, noContent, unauth}},
		"GET /api/v1/sessions": {prep: fixed("/api/v1/sessions", nil), want: loggedIn},
		"DELETE /api/v1/sessions/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			id := int64(999999)
			if role != "anon" && role != "visitor" {
				_, id = e.freshSession(role)
			}
			return fmt.Sprintf("/api/v1/sessions/%d", id), nil, nil
		}, want: [5]int{unauth, noContent, noContent, noContent, unauth}},

		"GET /api/v1/users": {prep: fixed("/api/v1/users", nil), want: admins},
		"POST /api/v1/users": {prep: func(e *env, role string) (string, any, http.Header) {
			return "/api/v1/users", map[string]any{"username": fmt.Sprintf("new%d", next()), "password": testPassword, "role": "viewer"}, nil
		}, want: [5]int{unauth, forbidden, forbidden, created, unauth}},
		"PATCH /api/v1/users/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/users/%d", e.viewer.userID), map[string]any{"role": "viewer"}, nil
		}, want: admins},
		"DELETE /api/v1/users/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			u, err := e.db.CreateUser(context.Background(), fmt.Sprintf("gone%d", next()), "x", "viewer")
			if err != nil {
				e.t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/users/%d", u.ID), nil, nil
		}, want: [5]int{unauth, forbidden, forbidden, noContent, unauth}},
		"POST /api/v1/tokens/rotate": {prep: fixed("/api/v1/tokens/rotate", nil), want: admins},
		// The matrix server has a pause switch (newEnv gives none).
		"GET /api/v1/settings/online": {prep: fixed("/api/v1/settings/online", nil), want: admins},
		"PUT /api/v1/settings/online": {prep: fixed("/api/v1/settings/online", map[string]any{"paused": false}), want: admins},

		"GET /api/v1/photos":        {prep: fixed("/api/v1/photos", nil), want: loggedIn},
		"GET /api/v1/photos/months": {prep: fixed("/api/v1/photos/months", nil), want: loggedIn},
		"POST /api/v1/photos/batch": {prep: func(e *env, role string) (string, any, http.Header) {
			return "/api/v1/photos/batch", map[string]any{"photo_ids": []int64{e.pub.ID}, "favorite": true}, nil
		}, want: users},
		"GET /api/v1/photos/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/photos/%d", e.pub.ID), nil, nil
		}, want: loggedIn},
		"PATCH /api/v1/photos/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/photos/%d", e.pub.ID), map[string]any{"title": "Tram 28"}, nil
		}, want: users},
		"POST /api/v1/photos/batch-edit": {prep: func(e *env, role string) (string, any, http.Header) {
			return "/api/v1/photos/batch-edit", map[string]any{"photo_ids": []int64{e.pub.ID}, "rating": 3}, nil
		}, want: users},

		"GET /api/v1/tracks": {prep: fixed("/api/v1/tracks", nil), want: loggedIn},
		"GET /api/v1/tracks/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/tracks/%d", track.ID), nil, nil
		}, want: loggedIn},
		"GET /api/v1/tracks/:id/photos": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/tracks/%d/photos", track.ID), nil, nil
		}, want: loggedIn},
		"POST /api/v1/tracks/:id/accept": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/tracks/%d/accept", track.ID), map[string]any{}, nil
		}, want: users},
		"GET /api/v1/photos/:id/track-suggestion": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/photos/%d/track-suggestion", e.pub.ID), nil, nil
		}, want: loggedIn},

		"GET /api/v1/t/:hash/:token/:size": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/t/%s/%s/tile_224", e.pub.Hash, e.tokenFor(role)), nil, nil
		}, want: tokens},
		"GET /api/v1/dl/:hash": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/dl/%s?t=%s", e.pub.Hash, e.tokenFor(role)), nil, nil
		}, want: tokens},
		// A visitor plays a video of the album shared with them (the one
		// outside it is checked below the table).
		"GET /api/v1/video/:hash": {prep: func(e *env, role string) (string, any, http.Header) {
			tok := e.tokenFor(role)
			if role == "visitor" {
				tok = videoShare.Access
			}
			return fmt.Sprintf("/api/v1/video/%s?t=%s", e.video.Hash, tok), nil, nil
		}, want: tokens},
		"GET /api/v1/video/:hash/status": {prep: func(e *env, role string) (string, any, http.Header) {
			tok := e.tokenFor(role)
			if role == "visitor" {
				tok = videoShare.Access
			}
			return fmt.Sprintf("/api/v1/video/%s/status?t=%s", e.video.Hash, tok), nil, nil
		}, want: tokens},
		// The motion of a motion photo plays like a video, for visitors too.
		"GET /api/v1/motion/:hash": {prep: func(e *env, role string) (string, any, http.Header) {
			tok := e.tokenFor(role)
			if role == "visitor" {
				tok = videoShare.Access
			}
			return fmt.Sprintf("/api/v1/motion/%s?t=%s", moving.Hash, tok), nil, nil
		}, want: tokens},
		"POST /api/v1/upload": {prep: func(e *env, role string) (string, any, http.Header) {
			body, ct := testkit.Multipart([2]string{fmt.Sprintf("up%d.jpg", seq), string(testkit.JPEG(testkit.Photo{Seed: uint64(1000 + next())}))})
			return "/api/v1/upload", body, http.Header{"Content-Type": {ct}}
		}, want: users},

		"GET /api/v1/albums":  {prep: fixed("/api/v1/albums", nil), want: loggedIn},
		"POST /api/v1/albums": {prep: fixed("/api/v1/albums", map[string]any{"title": "New"}), want: [5]int{unauth, forbidden, created, created, unauth}},
		"PUT /api/v1/albums/order": {prep: func(e *env, role string) (string, any, http.Header) {
			return "/api/v1/albums/order", map[string]any{"album_ids": []int64{e.album.ID}}, nil
		}, want: [5]int{unauth, forbidden, noContent, noContent, unauth}},
		"GET /api/v1/albums/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/albums/%d", e.album.ID), nil, nil
		}, want: loggedIn},
		"PATCH /api/v1/albums/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/albums/%d", e.album.ID), map[string]any{"description": "Summer"}, nil
		}, want: users},
		"DELETE /api/v1/albums/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/albums/%d", e.newAlbum(false).ID), nil, nil
		}, want: [5]int{unauth, forbidden, noContent, noContent, unauth}},
		"POST /api/v1/albums/:id/photos": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/albums/%d/photos", e.newAlbum(false).ID), map[string]any{"photo_ids": []int64{e.pub.ID}}, nil
		}, want: users},
		"DELETE /api/v1/albums/:id/photos": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/albums/%d/photos", e.newAlbum(true).ID), map[string]any{"photo_ids": []int64{e.pub.ID}}, nil
		}, want: users},
		"PUT /api/v1/albums/:id/order": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/albums/%d/order", e.album.ID), map[string]any{"photo_ids": []int64{e.pub.ID}}, nil
		}, want: [5]int{unauth, forbidden, noContent, noContent, unauth}},
		"GET /api/v1/albums/:id/shares": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/albums/%d/shares", e.album.ID), nil, nil
		}, want: users},
		"POST /api/v1/albums/:id/shares": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/albums/%d/shares", e.album.ID), map[string]any{"expires_in_days": 1}, nil
		}, want: [5]int{unauth, forbidden, created, created, unauth}},

		"GET /api/v1/shares": {prep: fixed("/api/v1/shares", nil), want: users},
		"DELETE /api/v1/shares/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			sh, err := e.srv.Auth().CreateShare(context.Background(), e.album.ID, auth.ShareOptions{}, 0)
			if err != nil {
				e.t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/shares/%d", sh.ID), nil, nil
		}, want: [5]int{unauth, forbidden, noContent, noContent, unauth}},
		"PATCH /api/v1/shares/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/shares/%d", e.share.ID), map[string]any{"downloads": true}, nil
		}, want: [5]int{unauth, forbidden, ok, ok, unauth}},
		"GET /api/v1/s/:token": {prep: func(e *env, role string) (string, any, http.Header) {
			return "/api/v1/s/" + e.shareTokenFor(role), nil, nil
		}, want: [5]int{notFound, ok, ok, ok, ok}},
		"POST /api/v1/s/:token/unlock": {prep: func(e *env, role string) (string, any, http.Header) {
			return "/api/v1/s/" + e.shareTokenFor(role) + "/unlock", map[string]any{"password": ""}, nil
		}, want: [5]int{notFound, ok, ok, ok, ok}},
		"GET /api/v1/s/:token/photos": {prep: func(e *env, role string) (string, any, http.Header) {
			return "/api/v1/s/" + e.shareTokenFor(role) + "/photos", nil, nil
		}, want: [5]int{notFound, ok, ok, ok, ok}},
		"GET /api/v1/s/:token/photos/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/s/%s/photos/%d", e.shareTokenFor(role), e.pub.ID), nil, nil
		}, want: [5]int{notFound, ok, ok, ok, ok}},

		"GET /api/v1/people": {prep: fixed("/api/v1/people", nil), want: loggedIn},
		"GET /api/v1/people/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/people/%d", person.ID), nil, nil
		}, want: loggedIn},
		"GET /api/v1/people/:id/avatar": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/people/%d/avatar", person.ID), nil, nil
		}, want: loggedIn},
		"PATCH /api/v1/people/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/people/%d", person.ID), map[string]any{"name": "Matrix Person", "hidden": false}, nil
		}, want: users},
		"POST /api/v1/people/:id/merge": {prep: func(e *env, role string) (string, any, http.Header) {
			n := next()
			keep, gone := fmt.Sprintf("Keep %d", n), fmt.Sprintf("Gone %d", n)
			e.addFiles([2]any{fmt.Sprintf("people/merge%d.jpg", n), faces(uint64(600+n), keep, gone)})
			a, err1 := e.db.PersonNamed(context.Background(), db.Reader{Kind: db.Owner}, keep)
			b, err2 := e.db.PersonNamed(context.Background(), db.Reader{Kind: db.Owner}, gone)
			if err1 != nil || err2 != nil {
				e.t.Fatal(err1, err2)
			}
			return fmt.Sprintf("/api/v1/people/%d/merge", a.ID), map[string]any{"from": b.ID}, nil
		}, want: users},

		"GET /api/v1/folders":        {prep: fixed("/api/v1/folders?path=2019", nil), want: loggedIn},
		"GET /api/v1/calendar":       {prep: fixed("/api/v1/calendar", nil), want: loggedIn},
		"GET /api/v1/places":         {prep: fixed("/api/v1/places?country=PT", nil), want: loggedIn},
		"GET /api/v1/places/search":  {prep: fixed("/api/v1/places/search?q=lisb", nil), want: loggedIn},
		"GET /api/v1/cameras":        {prep: fixed("/api/v1/cameras", nil), want: loggedIn},
		"GET /api/v1/search/suggest": {prep: fixed("/api/v1/search/suggest?q=lisbn", nil), want: loggedIn},
		"GET /api/v1/geo":            {prep: fixed("/api/v1/geo?zoom=3&bbox=-20,30,20,60", nil), want: loggedIn},
		// The offline base map serves every logged-in caller.
		"GET /api/v1/tiles/:style/:z/:x/:y": {prep: fixed("/api/v1/tiles/dark/0/0/0", nil), want: loggedIn},

		"DELETE /api/v1/caches/:name": {prep: fixed("/api/v1/caches/thumbs", nil), want: [5]int{unauth, forbidden, forbidden, ok, unauth}},
		"POST /api/v1/index/rescan":   {prep: fixed("/api/v1/index/rescan", nil), want: [5]int{unauth, forbidden, forbidden, accepted, unauth}},
		"GET /api/v1/events":          {prep: fixed("/api/v1/events", nil), want: loggedIn},
		"GET /api/v1/problems":        {prep: fixed("/api/v1/problems", nil), want: loggedIn},
		"GET /api/v1/memories":        {prep: fixed("/api/v1/memories?date=2025-06-14", nil), want: loggedIn},

		// The second step of a sign-in, for a fresh account with two-factor
		// sign-in on, whose password was just given.
		"POST /api/v1/session/totp": {prep: func(e *env, role string) (string, any, http.Header) {
			n := next()
			c := e.newAccount("viewer", n)
			secret := e.beginTOTP(c)
			e.do(c, "PUT", "/api/v1/account/totp", map[string]any{"code": code(e.t, secret, e.now())}, 200, nil)
			e.nextStep()
			p := e.password(client{}, fmt.Sprintf("viewer%d", n))
			return "/api/v1/session/totp", map[string]any{"pending_token": p.PendingToken, "code": code(e.t, secret, e.now())}, nil
		}, want: everyone},
		// Sign-in with the provider starts for anyone (and ends at its
		// login page); coming back with a sign-in of one's own opens a
		// session (and ends at the web app).
		"GET /api/v1/oidc/start": {prep: fixed("/api/v1/oidc/start", nil), want: everyone},
		"GET /api/v1/oidc/callback": {prep: func(e *env, role string) (string, any, http.Header) {
			b := browser(e.t)
			cb := signInAtProvider(e.t, b, e.startURL(), "bo", e.callbackURL())
			h := http.Header{}
			for _, ck := range b.Jar.Cookies(cb) {
				h.Add("Cookie", ck.Name+"="+ck.Value)
			}
			return cb.RequestURI(), nil, h
		}, want: everyone},
		"GET /api/v1/account/totp":  {prep: fixed("/api/v1/account/totp", nil), want: loggedIn},
		"POST /api/v1/account/totp": {prep: fixed("/api/v1/account/totp", nil), want: loggedIn},
		// Each role confirms a set-up of a fresh account of its own.
		"PUT /api/v1/account/totp": {prep: func(e *env, role string) (string, any, http.Header) {
			r := role
			if r == "anon" || r == "visitor" {
				r = "viewer" // (they send no session anyway)
			}
			enrolling = e.newAccount(r, next())
			return "/api/v1/account/totp", map[string]any{"code": code(e.t, e.beginTOTP(enrolling), e.now())}, nil
		}, as: func(*env, string) client { return enrolling }, want: loggedIn},
		"DELETE /api/v1/account/totp": {prep: fixed("/api/v1/account/totp", nil), want: [5]int{unauth, noContent, noContent, noContent, unauth}},
		"DELETE /api/v1/users/:id/totp": {prep: func(e *env, role string) (string, any, http.Header) {
			return fmt.Sprintf("/api/v1/users/%d/totp", e.newAccount("viewer", next()).userID), nil, nil
		}, want: [5]int{unauth, forbidden, forbidden, noContent, unauth}},
		"GET /api/v1/settings/totp": {prep: fixed("/api/v1/settings/totp", nil), want: admins},
		"PUT /api/v1/settings/totp": {prep: fixed("/api/v1/settings/totp", map[string]any{"required_roles": []string{}}), want: admins},

		// The Trash: a photo no other row uses goes in and comes back out;
		// emptying names a photo that is not in the Trash (nothing to do).
		"GET /api/v1/trash": {prep: fixed("/api/v1/trash", nil), want: users},
		"POST /api/v1/trash": {prep: func(e *env, role string) (string, any, http.Header) {
			return "/api/v1/trash", map[string]any{"photo_ids": []int64{e.photo("2020/cat.jpg").ID}}, nil
		}, want: users},
		"POST /api/v1/trash/restore": {prep: func(e *env, role string) (string, any, http.Header) {
			return "/api/v1/trash/restore", map[string]any{"photo_ids": []int64{e.photo("2020/cat.jpg").ID}}, nil
		}, want: users},
		"POST /api/v1/trash/empty": {prep: func(e *env, role string) (string, any, http.Header) {
			return "/api/v1/trash/empty", map[string]any{"photo_ids": []int64{e.pub.ID}}, nil
		}, want: users},

		// Near-duplicate review: two photos of its own for each request,
		// one kept and the other moved to the Trash, or both dismissed.
		"GET /api/v1/dupes": {prep: fixed("/api/v1/dupes", nil), want: users},
		"POST /api/v1/dupes/resolve": {prep: func(e *env, role string) (string, any, http.Header) {
			a, b := e.dupePair(next())
			return "/api/v1/dupes/resolve", map[string]any{"photo_ids": []int64{a, b}, "keep": a}, nil
		}, want: users},
		"POST /api/v1/dupes/dismiss": {prep: func(e *env, role string) (string, any, http.Header) {
			a, b := e.dupePair(next())
			return "/api/v1/dupes/dismiss", map[string]any{"photo_ids": []int64{a, b}}, nil
		}, want: users},
	}
	for k, v := range davMatrixRows(e, next) { // web/dav_test.go
		cases[k] = v
	}
	for k, v := range spacesMatrixRows(e, next) { // web/spaces_test.go
		cases[k] = v
	}
	// Every GET route but the event stream and the sign-in redirects
	// answers HEAD the same way.
	for k, tc := range cases {
		if path, ok := strings.CutPrefix(k, "GET "); ok && path != "/api/v1/events" && !strings.HasPrefix(path, "/api/v1/oidc/") {
			cases["HEAD "+path] = tc
		}
	}
	// The catch-all for unknown API paths answers 404 to everyone, for
	// every method echo registers it under.
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE", "PROPFIND", "REPORT"} {
		cases[m+" /api/v1/*"] = matrixCase{prep: fixed("/api/v1/no/such/route", nil), want: [5]int{404, 404, 404, 404, 404}}
	}

	var keys []string
	seen := map[string]bool{}
	for _, r := range e.srv.Echo().Routes() {
		k := r.Method + " " + r.Path
		if seen[k] {
			continue
		}
		seen[k] = true
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t.Logf("%d routes × %d roles", len(keys), len(roles))
	for _, k := range keys {
		tc, ok := cases[k]
		if !ok {
			t.Errorf("route %s has no row in the authorization matrix: add one", k)
			continue
		}
		method := strings.Fields(k)[0]
		for i, role := range roles {
			path, body, header := tc.prep(e, role)
			c := e.clientFor(role)
			if tc.fresh && (role != "anon" && role != "visitor") {
				c, _ = e.freshSession(role)
			}
			if tc.as != nil && (role != "anon" && role != "visitor") {
				c = tc.as(e, role)
			}
			resp := e.request(c, method, path, body, header)
			// WebDAV answers its clients' XML (web/dav.go, davError).
			if method != "HEAD" && resp.StatusCode >= 400 && !strings.HasPrefix(path, "/api/v1/t/") && !strings.HasPrefix(path, "/dav") {
				b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
				if !strings.Contains(string(b), `"error"`) {
					t.Errorf("%s as %s: error body %q is not JSON {\"error\"}", k, role, b)
				}
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want[i] {
				t.Errorf("%s as %s: status %d, want %d", k, role, resp.StatusCode, tc.want[i])
			}
		}
	}
	for k := range cases {
		if !seen[k] && !strings.HasSuffix(k, " /api/v1/*") {
			t.Errorf("matrix row %s names no route", k)
		}
	}
	// A visitor's secret opens nothing outside the shared album.
	resp := e.request(client{}, "GET", fmt.Sprintf("/api/v1/video/%s?t=%s", e.video.Hash, e.share.Access), nil, nil)
	resp.Body.Close()
	if resp.StatusCode != notFound {
		t.Errorf("video outside the shared album as its visitor: %d, want 404", resp.StatusCode)
	}
}
