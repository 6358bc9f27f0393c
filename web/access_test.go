package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"pinhole/app/auth"
	"pinhole/app/testkit"
	"pinhole/db"
	"pinhole/web"
)

// Issue 13 items 4, 6, 8, 12: sign-in limits under concurrency, per-user
// thumbnail secrets, trusted proxies, and secrets kept out of the
// database file. Live updates (item 7) are in events_test.go.

// from is an HTTP client whose connections leave from ip: any 127/8
// address works on Linux's loopback, so a test can be several clients.
func from(t *testing.T, ip string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// storm sends n requests at once and returns their statuses and
// Retry-After headers.
func storm(t *testing.T, hc *http.Client, n int, url string, body func(i int) any) (codes []int, retry []string) {
	t.Helper()
	codes, retry = make([]int, n), make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			js, _ := json.Marshal(body(i))
			req, _ := http.NewRequest("POST", url, bytes.NewReader(js))
			req.Header.Set("Content-Type", "application/json")
			<-start
			resp, err := hc.Do(req)
			if err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes[i], retry[i] = resp.StatusCode, resp.Header.Get("Retry-After")
		}()
	}
	close(start)
	wg.Wait()
	return codes, retry
}

// checkStorm asserts that at most PairLimit of the requests had their
// password checked (and answered 401), the rest 429 with Retry-After.
func checkStorm(t *testing.T, what string, codes []int, retry []string, checks int64) {
	t.Helper()
	wrong, limited := 0, 0
	for i, c := range codes {
		switch c {
		case http.StatusUnauthorized:
			wrong++
		case http.StatusTooManyRequests:
			limited++
			if retry[i] == "" || retry[i] == "0" {
				t.Errorf("%s: a 429 with Retry-After %q", what, retry[i])
			}
		default:
			t.Errorf("%s: status %d", what, c)
		}
	}
	t.Logf("%s: %d passwords verified, %d × 401, %d × 429", what, checks, wrong, limited)
	if checks > auth.PairLimit || wrong > auth.PairLimit {
		t.Errorf("%s: %d passwords verified and %d wrong-password answers, want at most %d", what, checks, wrong, auth.PairLimit)
	}
	if limited < len(codes)-auth.PairLimit {
		t.Errorf("%s: only %d of %d refused with 429", what, limited, len(codes))
	}
}

// 200 wrong passwords for one name sent at once over real HTTP with the
// real argon2id: at most ten are verified, the rest refused with 429; the
// owner, from their own address, logs in at once while the attacker's
// address stays refused even with the right password.
func TestConcurrentWrongLoginsReserveFirst(t *testing.T) {
	e := newEnv(t, nil)
	attacker := from(t, "127.0.0.2")
	before := auth.PasswordChecks()
	codes, retry := storm(t, attacker, 200, e.ts.URL+"/api/v1/session", func(i int) any {
		return map[string]any{"username": "admin", "password": fmt.Sprintf("guess %d", i)}
	})
	checkStorm(t, "200 logins", codes, retry, auth.PasswordChecks()-before)

	owner := client{via: from(t, "127.0.0.3")}
	var out struct{ Token string }
	testkit.Decode(t, e.request(owner, "POST", "/api/v1/session", map[string]any{"username": "admin", "password": testPassword, "bearer": true}, nil), 200, &out)
	if out.Token == "" {
		t.Fatal("the owner's login gave no token")
	}
	resp := e.request(client{via: attacker}, "POST", "/api/v1/session", map[string]any{"username": "admin", "password": testPassword}, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the attacker's address with the right password: %d, want 429", resp.StatusCode)
	}
}

// The same for a share's password.
func TestConcurrentWrongSharePasswordsReserveFirst(t *testing.T) {
	e := newEnv(t, nil)
	sh, err := e.srv.Auth().CreateShare(context.Background(), e.album.ID, auth.ShareOptions{Password: "open sesame"}, e.admin.userID)
	if err != nil {
		t.Fatal(err)
	}
	before := auth.PasswordChecks()
	codes, retry := storm(t, from(t, "127.0.0.2"), 200, e.ts.URL+"/api/v1/s/"+sh.Token+"/unlock", func(i int) any {
		return map[string]any{"password": fmt.Sprintf("guess %d", i)}
	})
	checkStorm(t, "200 unlocks", codes, retry, auth.PasswordChecks()-before)

	var un struct{ Access string }
	testkit.Decode(t, e.request(client{via: from(t, "127.0.0.3")}, "POST", "/api/v1/s/"+sh.Token+"/unlock", map[string]any{"password": "open sesame"}, nil), 200, &un)
	if un.Access != sh.Access {
		t.Fatalf("unlock from another address gave %q", un.Access)
	}
}

// X-Forwarded-For is believed only from --trusted-proxies: a LAN client
// sending it picks nothing (limits and /metrics see its real address),
// while behind the trusted proxy each client has its own limit.
func TestTrustedProxiesOnly(t *testing.T) {
	e := newEnv(t, loopbackProxy) // 127.0.0.1 is the proxy
	guess := func(c client, xff string) int {
		resp := e.request(c, "POST", "/api/v1/session", map[string]any{"username": "viewer", "password": "wrong wrong"},
			http.Header{"X-Forwarded-For": {xff}})
		resp.Body.Close()
		return resp.StatusCode
	}
	lan := client{via: from(t, "127.0.0.2")}
	for i := 1; i <= auth.PairLimit+1; i++ {
		code := guess(lan, fmt.Sprintf("198.51.100.%d", i)) // a new spoofed address each time
		if i <= auth.PairLimit && code != 401 || i == auth.PairLimit+1 && code != 429 {
			t.Fatalf("untrusted client, spoofed attempt %d: %d (the header must be ignored)", i, code)
		}
	}
	// Through the proxy, the header names the client: one client's
	// failures do not limit another.
	proxy := client{}
	for i := 1; i <= auth.PairLimit+1; i++ {
		if code := guess(proxy, "203.0.113.7"); i <= auth.PairLimit && code != 401 || i == auth.PairLimit+1 && code != 429 {
			t.Fatalf("client 203.0.113.7 behind the proxy, attempt %d: %d", i, code)
		}
	}
	if code := guess(proxy, "203.0.113.8"); code != 401 {
		t.Fatalf("another client behind the proxy: %d, want its own budget (401)", code)
	}

	// /metrics is for loopback and admins. A LAN client claiming to be
	// localhost is refused; the proxy's word is taken.
	metrics := func(srv http.Handler, remote, xff string) int {
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.RemoteAddr = remote
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code
	}
	lanProxy := newEnv(t, func(d *web.Deps) { d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("192.168.1.2/32")} })
	plain := newEnv(t, nil)
	for _, tc := range []struct {
		name        string
		srv         http.Handler
		remote, xff string
		want        int
	}{
		{"LAN client spoofing localhost, no proxies", plain.srv.Handler(), "192.168.1.23:40000", "127.0.0.1", 401},
		{"LAN client spoofing localhost, not the proxy", lanProxy.srv.Handler(), "192.168.1.23:40000", "127.0.0.1", 401},
		{"LAN client spoofing a chain", lanProxy.srv.Handler(), "192.168.1.23:40000", "127.0.0.1, 192.168.1.2", 401},
		{"the proxy forwarding a LAN client", lanProxy.srv.Handler(), "192.168.1.2:5000", "192.168.1.23", 401},
		{"the proxy forwarding a client that spoofed localhost", lanProxy.srv.Handler(), "192.168.1.2:5000", "127.0.0.1, 192.168.1.23", 401},
		{"the proxy forwarding localhost", lanProxy.srv.Handler(), "192.168.1.2:5000", "127.0.0.1", 200},
		{"localhost, no proxies, a spoofed remote header", plain.srv.Handler(), "127.0.0.1:5000", "198.51.100.7", 200},
	} {
		if got := metrics(tc.srv, tc.remote, tc.xff); got != tc.want {
			t.Errorf("%s: /metrics %d, want %d", tc.name, got, tc.want)
		}
	}
}

// fetch is the status of a thumbnail, download or video URL with tok.
func (e *env) fetch(kind, hash, tok string) int {
	e.t.Helper()
	p := map[string]string{
		"thumb": "/api/v1/t/" + hash + "/" + tok + "/tile_224",
		"dl":    "/api/v1/dl/" + hash + "?t=" + tok,
		"video": "/api/v1/video/" + hash + "?t=" + tok,
	}[kind]
	return e.status(client{}, "GET", p, nil)
}

// sessionToken is the thumb_token GET /session gives c now.
func (e *env) sessionToken(c client) string {
	e.t.Helper()
	var s struct {
		ThumbToken string `json:"thumb_token"`
	}
	e.do(c, "GET", "/api/v1/session", nil, 200, &s)
	return s.ThumbToken
}

// Each user has their own thumbnail/download secret. A demoted user's
// old URLs stop at once (and the new ones serve only what a viewer may
// see); a deleted user's stop at once; a password change replaces the
// secret; the admin's keep working through all of it. A change made by
// another process (the users command) applies within seconds.
func TestPerUserLinkSecrets(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	admin, user, viewer := e.sessionToken(e.admin), e.sessionToken(e.user), e.sessionToken(e.viewer)
	if admin == user || user == viewer || admin == viewer {
		t.Fatal("two users share a thumbnail secret")
	}
	adminWorks := func(when string) {
		t.Helper()
		for _, k := range []string{"thumb", "dl"} {
			if got := e.fetch(k, e.priv.Hash, admin); got != 200 {
				t.Errorf("%s: the admin's %s of the private photo: %d", when, k, got)
			}
		}
		if got := e.fetch("video", e.video.Hash, admin); got != 200 {
			t.Errorf("%s: the admin's video: %d", when, got)
		}
	}
	// A viewer's secret never serves a private photo.
	for _, k := range []string{"thumb", "dl"} {
		if got := e.fetch(k, e.priv.Hash, viewer); got != 404 {
			t.Errorf("viewer's %s of the private photo: %d, want 404", k, got)
		}
		if got := e.fetch(k, e.pub.Hash, viewer); got != 200 {
			t.Errorf("viewer's %s of a public photo: %d", k, got)
		}
	}
	for _, k := range []string{"thumb", "dl"} {
		if got := e.fetch(k, e.priv.Hash, user); got != 200 {
			t.Fatalf("user's %s of the private photo before the demotion: %d", k, got)
		}
	}

	// Demoted: the old URLs die at once, all three kinds.
	e.do(e.admin, "PATCH", fmt.Sprintf("/api/v1/users/%d", e.user.userID), map[string]any{"role": "viewer"}, 200, nil)
	for _, k := range []string{"thumb", "dl"} {
		if got := e.fetch(k, e.priv.Hash, user); got != 403 {
			t.Errorf("demoted user's old %s URL: %d, want 403", k, got)
		}
	}
	if got := e.fetch("video", e.video.Hash, user); got != 403 {
		t.Errorf("demoted user's old video URL: %d, want 403", got)
	}
	demoted := e.sessionToken(e.user)
	if demoted == user {
		t.Fatal("the demotion kept the secret")
	}
	if got := e.fetch("thumb", e.priv.Hash, demoted); got != 404 {
		t.Errorf("demoted user's new secret on the private photo: %d, want 404", got)
	}
	if got := e.fetch("thumb", e.pub.Hash, demoted); got != 200 {
		t.Errorf("demoted user's new secret on a public photo: %d", got)
	}
	adminWorks("after the demotion")

	// Deleted: at once.
	if _, err := auth.AddUser(ctx, e.db, "temp", testPassword, db.RoleUser); err != nil {
		t.Fatal(err)
	}
	temp := e.login("temp", true)
	tempTok := e.sessionToken(temp)
	if got := e.fetch("dl", e.priv.Hash, tempTok); got != 200 {
		t.Fatalf("temp user's download: %d", got)
	}
	e.do(e.admin, "DELETE", fmt.Sprintf("/api/v1/users/%d", temp.userID), nil, 204, nil)
	for _, k := range []string{"thumb", "dl"} {
		if got := e.fetch(k, e.priv.Hash, tempTok); got != 403 {
			t.Errorf("deleted user's %s URL: %d, want 403", k, got)
		}
	}
	adminWorks("after the deletion")

	// Own password change: a new secret, the session kept.
	e.do(e.viewer, "PUT", "/api/v1/session/password", map[string]any{"old_password": testPassword, "new_password": "another long one"}, 204, nil)
	if got := e.fetch("thumb", e.pub.Hash, viewer); got != 403 {
		t.Errorf("viewer's secret after their password change: %d, want 403", got)
	}
	if nv := e.sessionToken(e.viewer); nv == viewer || e.fetch("thumb", e.pub.Hash, nv) != 200 {
		t.Error("the viewer's new secret does not work")
	}

	// Changed by another process (as `pinhole users passwd` does): the
	// server's table is refreshed within linkRefresh (2 s); allow 5×.
	other := e.sessionToken(e.user)
	if err := auth.Passwd(ctx, e.db, "user", "a third password"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for e.fetch("thumb", e.pub.Hash, other) != 403 {
		if time.Now().After(deadline) {
			t.Fatal("a secret replaced by another process still works after 10 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	adminWorks("at the end")
}

// The database file, its WAL and a backup never hold a share link, a
// share's access secret or a user's thumbnail secret in clear.
func TestNoSecretsInDatabaseFiles(t *testing.T) {
	e := newEnv(t, nil)
	secrets := map[string]string{"share link": e.share.Token, "share access": e.share.Access}
	var withPw struct{ Token string }
	e.do(e.user, "POST", fmt.Sprintf("/api/v1/albums/%d/shares", e.album.ID), map[string]any{"password": "open sesame"}, 201, &withPw)
	var un struct{ Access string }
	e.do(client{}, "POST", "/api/v1/s/"+withPw.Token+"/unlock", map[string]any{"password": "open sesame"}, 200, &un)
	secrets["password share link"], secrets["password share access"] = withPw.Token, un.Access
	for _, role := range []string{"admin", "user", "viewer"} {
		secrets[role+" thumbnail secret"] = e.sessionToken(e.clientFor(role))
	}
	var rot struct {
		ThumbToken string `json:"thumb_token"`
	}
	e.do(e.admin, "POST", "/api/v1/tokens/rotate", nil, 200, &rot)
	secrets["rotated thumbnail secret"] = rot.ThumbToken
	// The owner still sees the links: they are sealed, not lost.
	var list struct {
		Shares []struct{ URL string }
	}
	e.do(e.user, "GET", fmt.Sprintf("/api/v1/albums/%d/shares", e.album.ID), nil, 200, &list)
	urls := map[string]bool{}
	for _, s := range list.Shares {
		urls[s.URL] = true
	}
	if !urls["/s/"+e.share.Token] || !urls["/s/"+withPw.Token] {
		t.Fatalf("the owner's list lost the links: %+v", list.Shares)
	}

	backup := e.db.Path() + ".backup"
	if err := e.db.Backup(context.Background(), backup); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(backup); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	for _, f := range []string{e.db.Path(), e.db.Path() + "-wal", backup} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range secrets {
			if len(v) < 40 {
				t.Fatalf("%s %q is not a secret", name, v)
			}
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s holds the %s in clear", f, name)
			}
		}
	}
}
