package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"math/bits"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"pinhole/app/auth"
	"pinhole/app/testkit"
	"pinhole/web"
)

// The security review's findings, each kept by a test: session fixation,
// secrets in logs, token comparison, share token entropy, headers on every
// kind of response, hostile upload names and symlinked folders. The basics
// (brute force, CSRF, traversal, upload refusals, the authorization
// matrix) are in security_test.go and matrix_test.go.

// A session cookie the browser already carries (planted by an attacker on
// a shared machine or through a sibling subdomain) never becomes a login:
// logging in always issues a fresh token, and the planted value stays
// worthless before and after.
func TestSessionFixation(t *testing.T) {
	e := newEnv(t, nil)
	planted := "AttackerChosenSessionValue-0123456789abcdefghijk" // the shape of a real token
	withPlanted := func(method, path string, body any) *http.Response {
		return e.request(client{cookie: planted}, method, path, body, nil)
	}
	resp := withPlanted("POST", "/api/v1/session", map[string]any{"username": "user", "password": testPassword})
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("login with a planted cookie: %d", resp.StatusCode)
	}
	var issued string
	for _, ck := range resp.Cookies() {
		if ck.Name == web.SessionCookie {
			issued = ck.Value
		}
	}
	if issued == "" || issued == planted {
		t.Fatalf("login kept the planted cookie value (issued %q)", issued)
	}
	// The planted value opens nothing, the issued one does.
	resp = withPlanted("GET", "/api/v1/session", nil)
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("planted cookie after the victim's login: %d, want 401", resp.StatusCode)
	}
	e.do(client{cookie: issued}, "GET", "/api/v1/session", nil, 200, nil)

	// Logging in again while logged in gives another token; logging out
	// kills the one in use.
	second := e.login("user", false)
	if second.cookie == issued {
		t.Fatal("a second login reused the session token")
	}
	e.do(second, "DELETE", "/api/v1/session", nil, 204, nil)
	resp = e.request(client{cookie: second.cookie}, "GET", "/api/v1/session", nil, nil)
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("cookie after logout: %d, want 401", resp.StatusCode)
	}
	// A bearer login with a planted cookie gets a fresh token too.
	var out struct{ Token string }
	resp = withPlanted("POST", "/api/v1/session", map[string]any{"username": "viewer", "password": testPassword, "bearer": true})
	testkit.Decode(t, resp, 200, &out)
	if out.Token == "" || out.Token == planted {
		t.Fatalf("bearer login token %q", out.Token)
	}
}

// syncBuffer is a log sink the server's goroutines may write to at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Nothing secret reaches the log, even at debug level: passwords (right
// and wrong), session and bearer tokens, CSRF tokens, thumbnail and
// download tokens, share links, share passwords and access secrets. Logs
// end up in journald and bug reports.
func TestNoSecretsInLogs(t *testing.T) {
	logs := &syncBuffer{}
	e := newEnv(t, func(d *web.Deps) {
		d.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	secrets := map[string]string{"password": testPassword, "admin bearer": e.admin.bearer, "user bearer": e.user.bearer,
		"viewer bearer": e.viewer.bearer, "share token": e.share.Token, "share access": e.share.Access,
		"thumb token": e.thumbToken("admin"), "viewer thumb token": e.thumbToken("viewer")}

	wrong := "Wrong-Guess-Password-42"
	secrets["wrong password"] = wrong
	resp := e.request(client{}, "POST", "/api/v1/session", map[string]any{"username": "user", "password": wrong}, nil)
	resp.Body.Close()
	ck := e.login("user", false)
	secrets["session cookie"], secrets["csrf token"] = ck.cookie, ck.csrf

	// Images and downloads by URL token, good and bad.
	tok := e.thumbToken("admin")
	for _, p := range []string{
		"/api/v1/t/" + e.pub.Hash + "/" + tok + "/fit_720",
		"/api/v1/t/" + e.pub.Hash + "/" + e.share.Access + "/tile_224",
		"/api/v1/dl/" + e.pub.Hash + "?t=" + tok,
		"/api/v1/video/" + e.video.Hash + "?t=" + tok,
		"/api/v1/t/" + e.pub.Hash + "/" + strings.Repeat("x", 43) + "/fit_720", // refused
		"/api/v1/dl/" + strings.Repeat("0", 40) + "?t=" + tok,                  // 404
		"/api/v1/s/" + e.share.Token,
		"/api/v1/s/" + e.share.Token + "/photos",
	} {
		resp := e.request(client{}, "GET", p, nil, nil)
		resp.Body.Close()
	}
	// A password-protected share made through the API, unlocked.
	sharePw := "Share-Password-Sesame"
	var sh struct{ Token string }
	e.do(ck, "POST", fmt.Sprintf("/api/v1/albums/%d/shares", e.album.ID), map[string]any{"password": sharePw}, 201, &sh)
	e.do(client{}, "POST", "/api/v1/s/"+sh.Token+"/unlock", map[string]any{"password": "not it"}, 401, nil)
	var un struct{ Access string }
	e.do(client{}, "POST", "/api/v1/s/"+sh.Token+"/unlock", map[string]any{"password": sharePw}, 200, &un)
	resp = e.request(client{}, "GET", "/api/v1/s/"+sh.Token, nil, http.Header{"X-Share-Access": {un.Access}}) // counts a view
	testkit.Decode(t, resp, 200, nil)
	secrets["api share token"], secrets["api share access"], secrets["share password"] = sh.Token, un.Access, sharePw
	// A password change, a user created by the admin, token rotation.
	newPw := "Another-Long-Password-7"
	secrets["new password"] = newPw
	e.do(ck, "PUT", "/api/v1/session/password", map[string]any{"old_password": testPassword, "new_password": newPw}, 204, nil)
	e.do(e.admin, "POST", "/api/v1/users", map[string]any{"username": "newbie", "password": "Newbie-Password-99", "role": "viewer"}, 201, nil)
	secrets["new user's password"] = "Newbie-Password-99"
	var rot struct {
		ThumbToken string `json:"thumb_token"`
	}
	e.do(e.admin, "POST", "/api/v1/tokens/rotate", nil, 200, &rot)
	secrets["rotated thumb token"] = rot.ThumbToken
	e.do(client{}, "GET", "/api/v1/t/"+e.pub.Hash+"/"+tok+"/tile_224", nil, 403, nil) // the old token, now refused
	body, ct := testkit.Multipart([2]string{"upload.jpg", string(testkit.JPEG(testkit.Photo{Seed: 91}))})
	resp = e.request(e.user, "POST", "/api/v1/upload", body, http.Header{"Content-Type": {ct}})
	resp.Body.Close()
	e.do(ck, "DELETE", "/api/v1/session", nil, 204, nil)

	out := logs.String()
	// The capture works: logins and requests are in it.
	if !strings.Contains(out, "msg=login") || !strings.Contains(out, "msg=request") || strings.Count(out, "\n") < 20 {
		t.Fatalf("the log capture missed the requests:\n%s", out)
	}
	for name, v := range secrets {
		if len(v) < 8 {
			t.Fatalf("%s %q is too short to search for", name, v)
		}
		if strings.Contains(out, v) {
			t.Errorf("the log contains the %s", name)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", out)
	}
}

// Secrets are compared whole: a token wrong in only its first or only its
// last character, cut short or extended, is refused like any other. (By
// code review: sessions and share links are looked up by SHA-256 of the
// token, thumbnail tokens and CSRF tokens compared with auth.Equal, which
// is crypto/subtle's constant-time compare; nothing compares them with ==.)
func TestTokensComparedWhole(t *testing.T) {
	e := newEnv(t, nil)
	variants := func(tok string) map[string]string {
		flip := func(i int) string {
			b := []byte(tok)
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			return string(b)
		}
		return map[string]string{"first byte": flip(0), "last byte": flip(len(tok) - 1),
			"one short": tok[:len(tok)-1], "one more": tok + "A"}
	}
	ck := e.login("user", false)
	tok := e.thumbToken("admin")
	cases := []struct {
		name, secret string
		try          func(v string) int
	}{
		{"bearer token", e.user.bearer, func(v string) int {
			return e.status(client{bearer: v}, "GET", "/api/v1/session", nil)
		}},
		{"session cookie", ck.cookie, func(v string) int {
			return e.status(client{cookie: v}, "GET", "/api/v1/session", nil)
		}},
		{"csrf token", ck.csrf, func(v string) int {
			c := ck
			c.csrf = v
			return e.status(c, "POST", "/api/v1/albums", map[string]any{"title": "x"})
		}},
		{"thumbnail token", tok, func(v string) int {
			return e.status(client{}, "GET", "/api/v1/t/"+e.pub.Hash+"/"+v+"/tile_224", nil)
		}},
		{"download token", tok, func(v string) int {
			return e.status(client{}, "GET", "/api/v1/dl/"+e.pub.Hash+"?t="+v, nil)
		}},
		{"share link", e.share.Token, func(v string) int {
			return e.status(client{}, "GET", "/api/v1/s/"+v+"/photos", nil)
		}},
		{"share access", e.share.Access, func(v string) int {
			return e.status(client{}, "GET", "/api/v1/t/"+e.pub.Hash+"/"+v+"/tile_224", nil)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.try(tc.secret); got >= 300 && !(tc.name == "csrf token" && got == 201) {
				t.Fatalf("the right %s: %d", tc.name, got)
			}
			for how, v := range variants(tc.secret) {
				if got := tc.try(v); got < 400 || got >= 500 {
					t.Errorf("%s wrong in its %s: %d, want a 4xx refusal", tc.name, how, got)
				}
			}
		})
	}
}

// status sends a request and returns only its status.
func (e *env) status(c client, method, path string, body any) int {
	e.t.Helper()
	resp := e.request(c, method, path, body, nil)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// Share links and access secrets carry at least 128 random bits: 1000
// shares give 2000 distinct tokens of URL-safe base64 that decode to ≥ 16
// bytes, whose bits are balanced and share no common prefix.
func TestShareTokenEntropy(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	seen := map[string]bool{}
	ones, total := 0, 0
	var all []string
	for i := range 1000 {
		sh, err := e.srv.Auth().CreateShare(ctx, e.album.ID, auth.ShareOptions{}, e.admin.userID)
		if err != nil {
			t.Fatalf("share %d: %v", i, err)
		}
		for _, tok := range []string{sh.Token, sh.Access} {
			if seen[tok] {
				t.Fatalf("token %q issued twice", tok)
			}
			seen[tok] = true
			all = append(all, tok)
			for _, r := range tok {
				if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
					t.Fatalf("token %q has %q, not URL-safe base64", tok, r)
				}
			}
			raw, err := base64.RawURLEncoding.DecodeString(tok)
			if err != nil || len(raw) < 16 {
				t.Fatalf("token %q decodes to %d bytes (%v), want ≥ 16 (128 bits)", tok, len(raw), err)
			}
			for _, b := range raw {
				ones += bits.OnesCount8(b)
			}
			total += 8 * len(raw)
		}
	}
	// 512 000 random bits: the share of ones is 0.5 ± 0.002 (3σ ≈ 0.0021).
	if f := float64(ones) / float64(total); f < 0.495 || f > 0.505 {
		t.Errorf("%.4f of the token bits are ones: not random", f)
	}
	// Sorted neighbours share the longest prefixes; random 43-character
	// tokens share a few characters at most.
	slices.Sort(all)
	longest := 0
	for i := 1; i < len(all); i++ {
		n := 0
		for n < len(all[i]) && n < len(all[i-1]) && all[i][n] == all[i-1][n] {
			n++
		}
		longest = max(longest, n)
	}
	if longest > 6 {
		t.Errorf("two tokens share a %d-character prefix", longest)
	}
	// The API hands out the same kind of token.
	var sh struct{ Token string }
	e.do(e.user, "POST", fmt.Sprintf("/api/v1/albums/%d/shares", e.album.ID), map[string]any{}, 201, &sh)
	if raw, err := base64.RawURLEncoding.DecodeString(sh.Token); err != nil || len(raw) < 16 {
		t.Errorf("API share token %q: %d bytes, %v", sh.Token, len(raw), err)
	}
}

// Every kind of response carries the security headers: JSON, the web
// app's HTML, thumbnails, placeholders, downloads, video ranges, 304s and
// every error, including the router's own 404 and 405.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.thumbToken("admin")
	thumb := "/api/v1/t/" + e.pub.Hash + "/" + tok + "/tile_224"
	cases := []struct {
		name, method, path string
		c                  client
		header             http.Header
		code               int
	}{
		{"json", "GET", "/api/v1/photos", e.viewer, nil, 200},
		{"status", "GET", "/api/v1/status", client{}, nil, 200},
		{"html app", "GET", "/", client{}, nil, 200},
		{"html deep link", "GET", "/albums/1", client{}, nil, 200},
		{"thumbnail", "GET", thumb, client{}, nil, 200},
		{"thumbnail 304", "GET", thumb, client{}, http.Header{"If-None-Match": {`"` + e.pub.Hash + `-tile_224"`}}, 304},
		{"placeholder", "GET", "/api/v1/t/" + e.pub.Hash + "/" + strings.Repeat("x", 43) + "/tile_224", client{}, nil, 403},
		{"download", "GET", "/api/v1/dl/" + e.pub.Hash + "?t=" + tok, client{}, nil, 200},
		{"video range", "GET", "/api/v1/video/" + e.video.Hash + "?t=" + tok, client{}, http.Header{"Range": {"bytes=0-99"}}, 206},
		{"head", "HEAD", "/api/v1/photos", e.viewer, nil, 200},
		{"401", "GET", "/api/v1/photos", client{}, nil, 401},
		{"403", "GET", "/api/v1/users", e.viewer, nil, 403},
		{"400", "GET", "/api/v1/photos?limit=zero", e.viewer, nil, 400},
		{"api 404", "GET", "/api/v1/nope", e.viewer, nil, 404},
		// The router's own 405 (under /api/ a wrong method gets the JSON 404).
		{"405", "PUT", "/healthz", client{}, nil, 405},
		{"api wrong method", "PUT", "/api/v1/status", client{}, nil, 404},
		{"415", "POST", "/api/v1/session", client{}, http.Header{"Content-Type": {"text/plain"}}, 415},
		{"metrics", "GET", "/metrics", e.admin, nil, 200},
		{"healthz", "GET", "/healthz", client{}, nil, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := e.request(tc.c, tc.method, tc.path, nil, tc.header)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.code {
				t.Fatalf("%s %s: %d, want %d", tc.method, tc.path, resp.StatusCode, tc.code)
			}
			h := resp.Header
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("no nosniff (%d)", resp.StatusCode)
			}
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "script-src 'self'", "base-uri 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %s (%d)", csp, want, resp.StatusCode)
				}
			}
			if strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
				t.Errorf("CSP %q allows inline or eval'd scripts", csp)
			}
			if h.Get("X-Frame-Options") != "DENY" {
				t.Errorf("X-Frame-Options %q", h.Get("X-Frame-Options"))
			}
			if rp := h.Get("Referrer-Policy"); rp != "same-origin" && rp != "no-referrer" && rp != "strict-origin" {
				// Thumbnail and download URLs carry tokens: they must not
				// leak to other sites through the Referer header.
				t.Errorf("Referrer-Policy %q", rp)
			}
		})
	}
}

// uploadOne uploads one file and returns the status and the JSON body.
func (e *env) uploadOne(name string, data []byte) (int, string) {
	e.t.Helper()
	body, ct := testkit.Multipart([2]string{name, string(data)})
	resp := e.request(e.user, "POST", "/api/v1/upload", body, http.Header{"Content-Type": {ct}})
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

// rawUpload sends a multipart body whose Content-Disposition is written
// byte for byte (for names a well-behaved client would escape).
func (e *env) rawUpload(disposition string, data []byte) (int, string) {
	e.t.Helper()
	var b bytes.Buffer
	b.WriteString("--XyZ\r\nContent-Disposition: " + disposition + "\r\nContent-Type: application/octet-stream\r\n\r\n")
	b.Write(data)
	b.WriteString("\r\n--XyZ--\r\n")
	resp := e.request(e.user, "POST", "/api/v1/upload", &b, http.Header{"Content-Type": {"multipart/form-data; boundary=XyZ"}})
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(out)
}

// snapshot returns every file under dir (relative path → content), with
// symlinks as "-> target".
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.Type()&os.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			out[rel] = "-> " + target
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[rel] = string(b)
		return nil
	})
	return out
}

// Upload file names from hostile or odd clients: saved under a plain name
// inside the upload folder or refused with a 4xx that says why, never a
// 5xx, and an existing file, folder or link of the same name is never
// written through or replaced.
func TestUploadFileNames(t *testing.T) {
	e := newEnv(t, nil)
	up := filepath.Join(e.root, "Uploads")
	outside := filepath.Join(filepath.Dir(e.root), "outside.jpg")
	testkit.WriteFile(t, filepath.Dir(e.root), "outside.jpg", []byte("outside, must stay"))
	// What is already in the upload folder.
	testkit.WriteFile(t, up, "family.jpg", []byte("the family's original"))
	if err := os.Mkdir(filepath.Join(up, "folder.jpg"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(up, "link.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(filepath.Dir(e.root), "not-yet.jpg"), filepath.Join(up, "dangling.jpg")); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, e.root)

	long := strings.Repeat("a", 251) + ".jpg" // 255 bytes: the longest name Linux allows
	for i, tc := range []struct {
		name   string
		saveAs string // "" when it must be refused
	}{
		{"Férias em Lisboa – 東京 📷.jpg", "Uploads/Férias em Lisboa – 東京 📷.jpg"},
		{"CON.jpg", "Uploads/CON.jpg"}, // reserved on Windows only; a plain name here
		{"nul", ""},                    // no extension: not a photo
		{"family.jpg", "Uploads/family (1).jpg"},
		{"folder.jpg", "Uploads/folder (1).jpg"},
		{"link.jpg", "Uploads/link (1).jpg"},
		{"dangling.jpg", "Uploads/dangling (1).jpg"},
		{long, "Uploads/" + long},
		{strings.Repeat("b", 252) + ".jpg", ""}, // 256 bytes
		{strings.Repeat("é", 130) + ".jpg", ""}, // 264 bytes in 134 characters
		{"photo.jpg.exe", ""},
		{"..", ""},
		{"a/../b.jpg", ""},
		{"/abs/path.jpg", ""},
		{`C:\Users\me\photo.jpg`, ""},
		{"//server/share/photo.jpg", ""},
		{"tab\tname.jpg", ""},
		{"bidi\u202egpj.exe", ""}, // a right-to-left override hiding .exe
	} {
		code, body := e.uploadOne(tc.name, testkit.JPEG(testkit.Photo{Seed: uint64(200 + i)}))
		if code >= 500 {
			t.Errorf("%q: %d %s", tc.name, code, body)
			continue
		}
		switch {
		case tc.saveAs == "" && code < 400:
			t.Errorf("%q was accepted: %d %s", tc.name, code, body)
		case tc.saveAs != "" && (code != 200 || !strings.Contains(body, `"path":"`+tc.saveAs+`"`)):
			t.Errorf("%q: %d %s, want saved as %s", tc.name, code, body, tc.saveAs)
		}
	}
	// A second upload with the longest name gets a shortened free name
	// (see TestUploadLongNameCollisions), and the first one is left alone.
	if code, body := e.uploadOne(long, testkit.JPEG(testkit.Photo{Seed: 300})); code != 200 || !strings.Contains(body, `"path":"Uploads/`+long[:247]+` (1).jpg"`) {
		t.Errorf("second %d-byte name: %d %s, want saved under a shortened name", len(long), code, body)
	}
	// NUL and other bytes a browser would never send, written raw.
	for _, disp := range []string{
		"form-data; name=\"files\"; filename=\"evil\x00.jpg\"",
		"form-data; name=\"files\"; filename=\"../../evil.jpg\"",
		"form-data; name=\"files\"; filename*=UTF-8''..%2F..%2Fevil.jpg",
		"form-data; name=\"files\"; filename=\"evil\r.jpg\"",
	} {
		if code, body := e.rawUpload(disp, testkit.JPEG(testkit.Photo{Seed: 400})); code < 400 || code >= 500 {
			t.Errorf("Content-Disposition %q: %d %s, want a 4xx refusal", disp, code, body)
		}
	}
	after := snapshot(t, e.root)
	for rel, content := range before {
		if after[rel] != content {
			t.Errorf("%s was changed by an upload", rel)
		}
	}
	if b, _ := os.ReadFile(outside); string(b) != "outside, must stay" {
		t.Errorf("the file a link in the upload folder points to was written: %q", b)
	}
	for _, p := range []string{"not-yet.jpg", "evil.jpg", "evil\x00.jpg"} {
		if _, err := os.Lstat(filepath.Join(filepath.Dir(e.root), p)); err == nil {
			t.Errorf("an upload created %s outside the originals", p)
		}
	}
	for rel := range after {
		if _, ok := before[rel]; ok {
			continue
		}
		if !strings.HasPrefix(rel, "Uploads"+string(filepath.Separator)) || strings.Count(rel, string(filepath.Separator)) != 1 {
			t.Errorf("an upload created %s, outside the upload folder", rel)
		}
		if strings.ContainsAny(rel, "\x00\r\t\\") || strings.Contains(rel, "evil") {
			t.Errorf("an upload created %q", rel)
		}
	}
}

// A folder inside the originals that is (or becomes) a symlink to a place
// outside them is not served: downloads, thumbnails and video of photos
// reached through it are refused, directly or through a chain of links.
func TestSymlinkedFolderOutsideNotServed(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.thumbToken("admin")
	outside := filepath.Join(filepath.Dir(e.root), "elsewhere")
	// The same files, outside the originals.
	testkit.WriteFile(t, outside, "tram.jpg", testkit.JPEG(testkit.Photo{Seed: 1}))
	testkit.WriteFile(t, outside, "secret.jpg", testkit.JPEG(testkit.Photo{Seed: 2}))
	lisbon := filepath.Join(e.root, "2019", "Lisbon")
	if err := os.RemoveAll(lisbon); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, lisbon); err != nil {
		t.Fatal(err)
	}
	check := func(label string) {
		t.Helper()
		for _, p := range []string{
			"/api/v1/dl/" + e.pub.Hash + "?t=" + tok,
			"/api/v1/t/" + e.pub.Hash + "/" + tok + "/fit_720",
			"/api/v1/t/" + e.priv.Hash + "/" + tok + "/tile_224",
			"/api/v1/dl/" + e.pub.Hash + "?t=" + e.share.Access,
		} {
			resp := e.request(client{}, "GET", p, nil, nil)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound || bytes.Equal(b, testkit.JPEG(testkit.Photo{Seed: 1})) {
				t.Errorf("%s: GET %s: %d (%d bytes), want 404", label, p, resp.StatusCode, len(b))
			}
		}
		if e.thumbs.calls.Load() != 0 {
			t.Errorf("%s: the thumbnailer was asked to read through the link", label)
		}
	}
	check("folder link")
	// link → link inside the originals → outside.
	if err := os.Remove(lisbon); err != nil {
		t.Fatal(err)
	}
	hop := filepath.Join(e.root, "2020", "hop")
	if err := os.Symlink(outside, hop); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(hop, lisbon); err != nil {
		t.Fatal(err)
	}
	check("chain of links")
	// A rescan does not bring them back either: the link is not followed.
	if _, err := e.ix.Scan(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	var page struct{ Photos []struct{ ID int64 } }
	e.do(e.admin, "GET", "/api/v1/photos?folder=2019/Lisbon", nil, 200, &page)
	if len(page.Photos) != 0 {
		t.Errorf("after a rescan the linked folder lists %d photos", len(page.Photos))
	}
	// Photos elsewhere are still served.
	e.do(client{}, "GET", "/api/v1/dl/"+e.photo("2020/cat.jpg").Hash+"?t="+tok, nil, 200, nil)
}
