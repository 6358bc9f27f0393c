package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"pinhole/app/auth"
	"pinhole/db"
	"pinhole/web"
)

// tamper passes Pinhole's requests to the provider and may rewrite the
// provider's token response on the way back: what a network attacker or
// a token injection would do. The provider itself is real.
type tamper struct {
	mu      sync.Mutex
	onToken func(body []byte) []byte
}

func (tp *tamper) set(f func([]byte) []byte) {
	tp.mu.Lock()
	tp.onToken = f
	tp.mu.Unlock()
}

func (tp *tamper) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	tp.mu.Lock()
	f := tp.onToken
	tp.mu.Unlock()
	if err != nil || f == nil || !strings.HasSuffix(req.URL.Path, "/oauth/token") {
		return resp, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	b = f(b)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// oidcEnv is newEnv whose server signs people in through a real provider
// (and with passwords, unless mod says otherwise).
func oidcEnv(t *testing.T, mod func(*web.Deps)) (*env, *testProvider, *tamper) {
	t.Helper()
	p := newProvider(t)
	tp := &tamper{}
	e := newEnv(t, func(d *web.Deps) {
		d.OIDC = p.signInConfig(d.PublicURL)
		d.OIDC.HTTPClient = &http.Client{Transport: tp, Timeout: 30 * time.Second}
		if mod != nil {
			mod(d)
		}
	})
	return e, p, tp
}

// startURL and callbackURL are Pinhole's sign-in addresses.
func (e *env) startURL() string    { return e.ts.URL + "/api/v1/oidc/start" }
func (e *env) callbackURL() string { return e.ts.URL + "/api/v1/oidc/callback" }

// finishAt follows the provider's redirect back to Pinhole in browser b
// and returns where b ended up: "/" when signed in, "/?signin_error=…"
// when refused.
func finishAt(t *testing.T, b *http.Client, callback *url.URL) *url.URL {
	t.Helper()
	resp, err := b.Get(callback.String())
	if err != nil {
		t.Fatalf("back to Pinhole: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("back to Pinhole: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	return resp.Request.URL
}

// oidcSignIn signs name in through the provider in b, start to finish.
func (e *env) oidcSignIn(t *testing.T, b *http.Client, name string) *url.URL {
	t.Helper()
	return finishAt(t, b, signInAtProvider(t, b, e.startURL(), name, e.callbackURL()))
}

// sessionIn is the session b's cookie opens (status and answer).
func (e *env) sessionIn(t *testing.T, b *http.Client) (int, map[string]any) {
	t.Helper()
	resp, err := b.Get(e.ts.URL + "/api/v1/session")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func userOf(s map[string]any) (name, role string) {
	u, _ := s["user"].(map[string]any)
	name, _ = u["username"].(string)
	role, _ = u["role"].(string)
	return name, role
}

// signedInAs fails unless b's session belongs to name with role.
func (e *env) signedInAs(t *testing.T, b *http.Client, name, role string) map[string]any {
	t.Helper()
	code, s := e.sessionIn(t, b)
	if n, r := userOf(s); code != 200 || n != name || r != role {
		t.Fatalf("session: %d %s (%s), want %s (%s): %v", code, n, r, name, role, s)
	}
	return s
}

// refused fails unless b landed on the login page with the reason and no
// session.
func (e *env) refused(t *testing.T, b *http.Client, at *url.URL, reason string) {
	t.Helper()
	if at.Path != "/" || at.Query().Get("signin_error") != reason {
		t.Errorf("landed on %s, want /?signin_error=%s", at, reason)
	}
	if code, s := e.sessionIn(t, b); code != 401 {
		t.Errorf("a refused sign-in has a session: %d %v", code, s)
	}
}

func (e *env) userCount(t *testing.T) int {
	t.Helper()
	n, err := e.db.CountUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The whole round trip: the login page names the provider, the browser
// goes there, signs in and comes back with an ordinary session; the first
// sign-in makes the account (role from the groups, no password), the next
// one finds it again.
func TestOIDCSignInRoundTrip(t *testing.T) {
	e, _, _ := oidcEnv(t, nil)
	var st struct {
		SignIn struct {
			Passwords bool              `json:"passwords"`
			Provider  map[string]string `json:"provider"`
		} `json:"sign_in"`
	}
	e.do(client{}, "GET", "/api/v1/status", nil, 200, &st)
	if !st.SignIn.Passwords || st.SignIn.Provider["name"] != "Family Login" || st.SignIn.Provider["start"] != e.startURL() {
		t.Fatalf("status sign_in %+v", st.SignIn)
	}
	before := e.userCount(t)

	b := browser(t)
	if at := e.oidcSignIn(t, b, "ana"); at.Path != "/" || at.RawQuery != "" {
		t.Fatalf("signed in, landed on %s", at)
	}
	s := e.signedInAs(t, b, "ana", "admin")
	if s["method"] != "oidc" || s["thumb_token"] == "" || s["csrf_token"] == "" {
		t.Errorf("session answer %v", s)
	}
	u, err := e.db.UserByName(context.Background(), "ana")
	if err != nil {
		t.Fatal(err)
	}
	if u.HasPassword || !u.OIDC || e.userCount(t) != before+1 {
		t.Errorf("new account %+v (users %d → %d)", u, before, e.userCount(t))
	}
	// The browser-binding cookie is gone once used.
	for _, ck := range b.Jar.Cookies(mustURL(t, e.callbackURL())) {
		if ck.Name == "pinhole_oidc" {
			t.Errorf("the sign-in cookie outlived the sign-in")
		}
	}
	// The session is an ordinary one: CSRF applies, and it is listed.
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/albums", strings.NewReader(`{"title":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("cookie request without CSRF header: %d, want 403", resp.StatusCode)
	}

	// Again, in another browser: the same account, no new user.
	b2 := browser(t)
	e.oidcSignIn(t, b2, "ana")
	s2 := e.signedInAs(t, b2, "ana", "admin")
	if userID(s2) != u.ID || e.userCount(t) != before+1 {
		t.Errorf("second sign-in is user %v, want %d; users %d", userID(s2), u.ID, e.userCount(t))
	}
	// A password sign-in to the provider's account finds no password.
	e.do(client{}, "POST", "/api/v1/session", map[string]any{"username": "ana", "password": ""}, 401, nil)
}

func userID(s map[string]any) int64 {
	u, _ := s["user"].(map[string]any)
	f, _ := u["id"].(float64)
	return int64(f)
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Roles come from the groups: the highest group wins, no matching group
// is refused (no default role), and a change of groups at the provider
// changes the role at the next sign-in.
func TestOIDCGroupsMapToRoles(t *testing.T) {
	e, p, _ := oidcEnv(t, nil)
	for _, c := range []struct{ name, role string }{{"ana", "admin"}, {"bo", "user"}, {"kid", "viewer"}} {
		b := browser(t)
		e.oidcSignIn(t, b, c.name)
		e.signedInAs(t, b, c.name, c.role)
	}
	before := e.userCount(t)
	b := browser(t)
	e.refused(t, b, e.oidcSignIn(t, b, "cy"), "no_role")
	if e.userCount(t) != before {
		t.Errorf("a refused person got an account")
	}

	p.setGroups("sub-bo", "family-viewers")
	b = browser(t)
	e.oidcSignIn(t, b, "bo")
	e.signedInAs(t, b, "bo", "viewer")
	p.setGroups("sub-bo")
	b = browser(t)
	e.refused(t, b, e.oidcSignIn(t, b, "bo"), "no_role")
}

// With a default role, people in no group get it.
func TestOIDCDefaultRole(t *testing.T) {
	e, _, _ := oidcEnv(t, func(d *web.Deps) { d.OIDC.DefaultRole = "viewer" })
	b := browser(t)
	e.oidcSignIn(t, b, "cy")
	e.signedInAs(t, b, "cy", "viewer")
}

// startFlow starts a sign-in in b and returns the provider address it
// sends b to (with the sign-in's nonce), without following it.
func (e *env) startFlow(t *testing.T, b *http.Client) *url.URL {
	t.Helper()
	c := *b
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(e.startURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	to, err := resp.Location()
	if resp.StatusCode != 302 || err != nil {
		t.Fatalf("start: %d %v", resp.StatusCode, err)
	}
	return to
}

// idToken is a real ID token the provider issues to client id (a flow the
// test runs itself, as that client) for name, carrying nonce.
func (p *testProvider) idToken(t *testing.T, id, secret, redirect, name, nonce string) string {
	t.Helper()
	var disc struct {
		Auth  string `json:"authorization_endpoint"`
		Token string `json:"token_endpoint"`
	}
	resp, err := http.Get(p.issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	cfg := oauth2.Config{ClientID: id, ClientSecret: secret, RedirectURL: redirect, Scopes: []string{"openid"},
		Endpoint: oauth2.Endpoint{AuthURL: disc.Auth, TokenURL: disc.Token}}
	ver := oauth2.GenerateVerifier()
	from := cfg.AuthCodeURL("test-state", oauth2.S256ChallengeOption(ver), oauth2.SetAuthURLParam("nonce", nonce))
	cb := signInAtProvider(t, browser(t), from, name, redirect)
	tok, err := cfg.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(ver))
	if err != nil {
		t.Fatalf("exchange as %s: %v", id, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("no id_token")
	}
	return raw
}

// swapIDToken rewrites a token response to carry another ID token.
func swapIDToken(t *testing.T, raw string) func([]byte) []byte {
	return func(body []byte) []byte {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("token response %s: %v", body, err)
			return body
		}
		m["id_token"] = raw
		out, _ := json.Marshal(m)
		return out
	}
}

// Everything that must refuse a sign-in does, and leaves no session and
// no new account behind.
func TestOIDCRefusals(t *testing.T) {
	e, p, tp := oidcEnv(t, nil)
	atCallback := func(b *http.Client, name string) *url.URL {
		return signInAtProvider(t, b, e.startURL(), name, e.callbackURL())
	}
	with := func(u *url.URL, k, v string) *url.URL {
		c := *u
		q := c.Query()
		q.Set(k, v)
		c.RawQuery = q.Encode()
		return &c
	}
	p.register("other", "other secret", "http://127.0.0.1:9/other/callback")
	// refusedKid: kid, who has no account yet, is refused and gets none.
	refusedKid := func(t *testing.T, b *http.Client, at *url.URL, reason string) {
		t.Helper()
		e.refused(t, b, at, reason)
		if _, err := e.db.UserByName(context.Background(), "kid"); err == nil {
			t.Errorf("a refused sign-in made an account")
		}
	}

	t.Run("wrong state", func(t *testing.T) {
		b := browser(t)
		cb := atCallback(b, "bo")
		// Sent by someone else (a link that makes the browser come back
		// with a state of the attacker's choosing)…
		bx := browser(t)
		e.refused(t, bx, finishAt(t, bx, with(cb, "state", auth.NewToken())), "state")
		e.refused(t, bx, finishAt(t, bx, with(cb, "state", "")), "state")
		// …did not spend the right one.
		finishAt(t, b, cb)
		e.signedInAs(t, b, "bo", "user")
		// In the browser itself a wrong state also ends its sign-in (its
		// cookie is cleared): the person starts again.
		b = browser(t)
		cb = atCallback(b, "bo")
		e.refused(t, b, finishAt(t, b, with(cb, "state", auth.NewToken())), "state")
		e.refused(t, b, finishAt(t, b, cb), "state")
	})
	t.Run("another browser", func(t *testing.T) {
		b := browser(t)
		cb := atCallback(b, "kid")
		// The link reaches a browser without the sign-in's cookie.
		refusedKid(t, browser(t), finishAt(t, browser(t), cb), "state")
		// And the state is spent: the starting browser cannot use it now.
		refusedKid(t, b, finishAt(t, b, cb), "state")
	})
	t.Run("replayed code", func(t *testing.T) {
		b := browser(t)
		cb := atCallback(b, "bo")
		binding := ""
		for _, ck := range b.Jar.Cookies(cb) {
			if ck.Name == "pinhole_oidc" {
				binding = ck.Value
			}
		}
		finishAt(t, b, cb)
		e.signedInAs(t, b, "bo", "user")
		// The same answer again, even with the browser's own cookie (say,
		// from a copy of its traffic): the state was spent.
		b2 := browser(t)
		b2.Jar.SetCookies(cb, []*http.Cookie{{Name: "pinhole_oidc", Value: binding, Path: "/api/v1/oidc/"}})
		e.refused(t, b2, finishAt(t, b2, cb), "state")
		// The old code with a fresh, valid state of the attacker's own:
		// the provider refuses a code used once (and its PKCE verifier is
		// another).
		b3 := browser(t)
		cb3 := atCallback(b3, "kid")
		refusedKid(t, b3, finishAt(t, b3, with(cb3, "code", cb.Query().Get("code"))), "provider")
	})
	t.Run("wrong nonce", func(t *testing.T) {
		// A token the provider really issued to Pinhole's client, for kid,
		// but with another sign-in's nonce, injected into this sign-in's
		// token response: state, binding, code and PKCE are all right.
		raw := p.idToken(t, "pinhole", "pinhole secret", e.callbackURL(), "kid", "another sign-in's nonce")
		b := browser(t)
		cb := atCallback(b, "kid")
		tp.set(swapIDToken(t, raw))
		defer tp.set(nil)
		refusedKid(t, b, finishAt(t, b, cb), "token")
	})
	t.Run("wrong audience", func(t *testing.T) {
		// A real token for kid with this sign-in's nonce, issued to
		// another client of the same provider.
		b := browser(t)
		authURL := e.startFlow(t, b)
		raw := p.idToken(t, "other", "other secret", "http://127.0.0.1:9/other/callback", "kid", authURL.Query().Get("nonce"))
		cb := signInAtProvider(t, b, authURL.String(), "kid", e.callbackURL())
		tp.set(swapIDToken(t, raw))
		defer tp.set(nil)
		refusedKid(t, b, finishAt(t, b, cb), "token")
	})
	t.Run("expired token", func(t *testing.T) {
		// The ID token lives an hour; Pinhole's clock passes it while the
		// token response is on its way.
		b := browser(t)
		cb := atCallback(b, "kid")
		tp.set(func(body []byte) []byte { e.advance(2 * time.Hour); return body })
		defer func() { tp.set(nil); e.advance(-2 * time.Hour) }()
		refusedKid(t, b, finishAt(t, b, cb), "token")
	})
	t.Run("expired sign-in", func(t *testing.T) {
		b := browser(t)
		cb := atCallback(b, "kid")
		e.advance(11 * time.Minute)
		defer e.advance(-11 * time.Minute)
		refusedKid(t, b, finishAt(t, b, cb), "state")
	})
	t.Run("refused at the provider", func(t *testing.T) {
		b := browser(t)
		cb := atCallback(b, "kid")
		q := url.Values{"error": {"access_denied"}, "state": {cb.Query().Get("state")}}
		refusedKid(t, b, finishAt(t, b, mustURL(t, e.callbackURL()+"?"+q.Encode())), "denied")
	})
	// After all that, kid signs in normally.
	b := browser(t)
	e.oidcSignIn(t, b, "kid")
	e.signedInAs(t, b, "kid", "viewer")
}

// The start of a sign-in: S256 PKCE, a state and a nonce go to the
// provider; the browser gets a short-lived HttpOnly, SameSite=Lax cookie
// on the sign-in's path only.
func TestOIDCStartBindsTheBrowser(t *testing.T) {
	e, _, _ := oidcEnv(t, nil)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(e.startURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	to, _ := resp.Location()
	q := to.Query()
	if resp.StatusCode != 302 || q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) < 43 ||
		len(q.Get("state")) < 43 || len(q.Get("nonce")) < 43 || q.Get("client_id") != "pinhole" ||
		q.Get("redirect_uri") != e.callbackURL() || q.Get("response_type") != "code" {
		t.Errorf("start: %d → %s", resp.StatusCode, to)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	var ck *http.Cookie
	for _, k := range resp.Cookies() {
		if k.Name == "pinhole_oidc" {
			ck = k
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/api/v1/oidc/" || ck.MaxAge != 600 || len(ck.Value) < 43 {
		t.Errorf("binding cookie %+v", ck)
	}
	// Two starts are two sign-ins: nothing is shared.
	resp2, err := c.Get(e.startURL())
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	to2, _ := resp2.Location()
	if to2.Query().Get("state") == q.Get("state") || to2.Query().Get("nonce") == q.Get("nonce") || to2.Query().Get("code_challenge") == q.Get("code_challenge") {
		t.Errorf("two starts share a state, nonce or challenge")
	}
	// Without a provider configured, the routes say so.
	plain := newEnv(t, nil)
	plain.do(client{}, "GET", "/api/v1/oidc/start", nil, 404, nil)
	var st struct {
		SignIn map[string]any `json:"sign_in"`
	}
	plain.do(client{}, "GET", "/api/v1/status", nil, 200, &st)
	if st.SignIn["provider"] != nil || st.SignIn["passwords"] != true {
		t.Errorf("status sign_in without a provider: %v", st.SignIn)
	}
}

// Existing local accounts are linked only as configured: by a verified
// email (never an unverified one), or by user name when the admin says
// the provider's names are theirs; never the break-glass admin; a name
// taken by an account that may not be linked is refused, not shared.
func TestOIDCLinksExistingAccountsSafely(t *testing.T) {
	ctx := context.Background()
	e, _, _ := oidcEnv(t, func(d *web.Deps) { d.BreakGlassAdmin = "root" })
	local := map[string]db.User{}
	for _, n := range []struct{ name, role string }{{"ev@example.org", "viewer"}, {"dan@example.org", "user"}, {"bo", "viewer"}, {"root", "admin"}} {
		u, err := auth.AddUser(ctx, e.db, n.name, testPassword, n.role)
		if err != nil {
			t.Fatal(err)
		}
		local[n.name] = u
	}

	// eve's verified email names a local account: that one, now with the
	// role of eve's groups; its password still works.
	b := browser(t)
	e.oidcSignIn(t, b, "eve")
	if s := e.signedInAs(t, b, "ev@example.org", "user"); userID(s) != local["ev@example.org"].ID {
		t.Errorf("eve signed in as user %d, want the local %d", userID(s), local["ev@example.org"].ID)
	}
	e.do(client{}, "POST", "/api/v1/session", map[string]any{"username": "ev@example.org", "password": testPassword}, 200, nil)

	// dan's email is not verified: the local dan@example.org is not his.
	b = browser(t)
	e.oidcSignIn(t, b, "dan")
	if s := e.signedInAs(t, b, "dan", "user"); userID(s) == local["dan@example.org"].ID {
		t.Errorf("linked by an unverified email")
	}
	if u, _ := e.db.UserByName(ctx, "dan@example.org"); u.OIDC {
		t.Errorf("dan@example.org was linked")
	}

	// bo's name is a local account's, and names are not trusted for
	// linking here: refused, and the local bo stays unlinked.
	b = browser(t)
	e.refused(t, b, e.oidcSignIn(t, b, "bo"), "name_taken")
	// The provider's "root" may never become the break-glass admin.
	b = browser(t)
	e.refused(t, b, e.oidcSignIn(t, b, "root"), "name_taken")
	for _, n := range []string{"bo", "root"} {
		if u, _ := e.db.UserByName(ctx, n); u.OIDC {
			t.Errorf("%s was linked", n)
		}
	}

	// Linking by user name, for providers whose admin picks the names.
	e2, _, _ := oidcEnv(t, func(d *web.Deps) { d.BreakGlassAdmin = "root"; d.OIDC.LinkBy = auth.LinkByUsername })
	bo, err := auth.AddUser(ctx, e2.db, "bo", testPassword, "viewer")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.AddUser(ctx, e2.db, "root", testPassword, "admin"); err != nil {
		t.Fatal(err)
	}
	b = browser(t)
	e2.oidcSignIn(t, b, "bo")
	if s := e2.signedInAs(t, b, "bo", "user"); userID(s) != bo.ID {
		t.Errorf("bo by name: user %d, want %d", userID(s), bo.ID)
	}
	b = browser(t)
	e2.refused(t, b, e2.oidcSignIn(t, b, "root"), "name_taken")
}

// With local-login off, passwords are refused — answered exactly like a
// wrong password, so the break-glass admin's name does not stand out —
// except the break-glass admin's, which still goes through the sign-in
// limits; the provider signs everyone else in.
func TestLocalLoginOffKeepsTheBreakGlassAdmin(t *testing.T) {
	e, _, _ := oidcEnv(t, nil)
	// As web.Deps.LocalLoginOff and BreakGlassAdmin set it, once the test
	// accounts are signed in.
	e.srv.Auth().SetSignIn(false, "admin")
	var st struct {
		SignIn map[string]any `json:"sign_in"`
	}
	e.do(client{}, "GET", "/api/v1/status", nil, 200, &st)
	if st.SignIn["passwords"] != false {
		t.Errorf("status sign_in %v", st.SignIn)
	}
	var refused map[string]string
	e.do(client{}, "POST", "/api/v1/session", map[string]any{"username": "user", "password": testPassword}, 401, &refused)
	var wrong map[string]string
	e.do(client{}, "POST", "/api/v1/session", map[string]any{"username": "nobody", "password": testPassword}, 401, &wrong)
	if refused["error"] != wrong["error"] || refused["error"] != "wrong user name or password" {
		t.Errorf("a refused account answers %q, an unknown one %q", refused["error"], wrong["error"])
	}
	e.do(client{}, "POST", "/api/v1/session", map[string]any{"username": "admin", "password": testPassword}, 200, nil)
	// The break-glass admin is limited like anyone: ten wrong passwords
	// from this address, then even the right one waits.
	for i := range auth.PairLimit {
		e.do(client{}, "POST", "/api/v1/session", map[string]any{"username": "admin", "password": fmt.Sprintf("wrong %d", i)}, 401, nil)
	}
	resp := e.request(client{}, "POST", "/api/v1/session", map[string]any{"username": "admin", "password": testPassword}, nil)
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("11th try: %d (Retry-After %q), want 429", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	b := browser(t)
	e.oidcSignIn(t, b, "bo")
	e.signedInAs(t, b, "bo", "user")
}

// Sessions from the provider skip Pinhole's two-factor rule (the
// provider does its own); password sessions of the same role do not.
func TestOIDCSessionsSkipTheTOTPRule(t *testing.T) {
	e, _, _ := oidcEnv(t, nil)
	e.do(e.admin, "PUT", "/api/v1/settings/totp", map[string]any{"required_roles": []string{"admin"}}, 200, nil)
	b := browser(t)
	e.oidcSignIn(t, b, "ana")
	s := e.signedInAs(t, b, "ana", "admin")
	if s["totp_setup_required"] != nil {
		t.Errorf("an OIDC session must set up TOTP: %v", s)
	}
	resp, err := b.Get(e.ts.URL + "/api/v1/users")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("OIDC admin lists users: %d", resp.StatusCode)
	}
	e.do(e.admin, "GET", "/api/v1/users", nil, 403, nil)
}
