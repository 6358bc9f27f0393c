package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"pinhole/app/auth"
)

// A real OpenID Connect provider for the sign-in tests: zitadel/oidc's
// OP with its example storage and login page, on 127.0.0.1. Only the
// people it knows and their groups are ours (zitadel's example storage
// has no groups claim; opStorage adds one the way providers such as
// Authelia do).

// providerPassword is every provider account's password.
const providerPassword = "provider password"

type opUsers struct {
	mu     sync.Mutex
	byID   map[string]*storage.User
	groups map[string][]string
}

func (u *opUsers) GetUserByID(id string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.byID[id]
}

func (u *opUsers) GetUserByUsername(name string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, x := range u.byID {
		if x.Username == name {
			return x
		}
	}
	return nil
}

func (u *opUsers) ExampleClientID() string { return storage.ServiceUserID }

func (u *opUsers) groupsOf(id string) []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.groups[id]...)
}

// opStorage is the example storage plus a groups claim in the ID token
// and from the userinfo endpoint.
type opStorage struct {
	*storage.Storage
	users *opUsers
}

func (s *opStorage) addGroups(ui *oidc.UserInfo, subject string) {
	if g := s.users.groupsOf(subject); len(g) > 0 {
		ui.AppendClaims("groups", g)
	}
}

func (s *opStorage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, token op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, token, scopes); err != nil {
		return err
	}
	s.addGroups(ui, token.GetSubject())
	return nil
}

func (s *opStorage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, ui, tokenID, subject, origin); err != nil {
		return err
	}
	s.addGroups(ui, subject)
	return nil
}

var quietProvider sync.Once

type testProvider struct {
	issuer  string
	users   *opUsers
	clients map[string]*storage.Client
}

// newProvider starts the provider with these people: id → user name,
// email, whether the email is verified, groups.
func newProvider(t *testing.T) *testProvider {
	t.Helper()
	// The provider logs every request to the default logger; only its
	// warnings are worth a line in the test output.
	quietProvider.Do(func() {
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &testProvider{issuer: "http://" + ln.Addr().String(), clients: map[string]*storage.Client{},
		users: &opUsers{byID: map[string]*storage.User{}, groups: map[string][]string{}}}
	for _, u := range []struct {
		id, name, email string
		verified        bool
		groups          []string
	}{
		{"sub-ana", "ana", "ana@example.org", true, []string{"family-admins", "family"}},
		{"sub-bo", "bo", "bo@example.org", true, []string{"family"}},
		{"sub-kid", "kid", "kid@example.org", true, []string{"family-viewers"}},
		{"sub-cy", "cy", "cy@example.org", true, nil},
		{"sub-dan", "dan", "dan@example.org", false, []string{"family"}},
		{"sub-eve", "eve", "ev@example.org", true, []string{"family"}},
		{"sub-mal", "root", "mal@example.org", true, []string{"family"}},
	} {
		p.users.byID[u.id] = &storage.User{ID: u.id, Username: u.name, Password: providerPassword, FirstName: u.name,
			Email: u.email, EmailVerified: u.verified, PreferredLanguage: language.English}
		p.users.groups[u.id] = u.groups
	}
	st := &opStorage{Storage: storage.NewStorageWithClients(p.users, p.clients), users: p.users}
	srv := &http.Server{Handler: exampleop.SetupServer(p.issuer, st, nil, false), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return p
}

// setGroups changes a person's groups at the provider.
func (p *testProvider) setGroups(id string, groups ...string) {
	p.users.mu.Lock()
	p.users.groups[id] = groups
	p.users.mu.Unlock()
}

// register adds a confidential web client; call before the provider is
// used by it.
func (p *testProvider) register(id, secret string, redirects ...string) {
	p.clients[id] = storage.WebClient(id, secret, redirects...)
}

// signInConfig registers Pinhole (at base) as client "pinhole" and
// returns its sign-in configuration: admins, users and viewers by group,
// no default role.
func (p *testProvider) signInConfig(base string) *auth.OIDCConfig {
	redirect := base + "/api/v1/oidc/callback"
	p.register("pinhole", "pinhole secret", redirect)
	return &auth.OIDCConfig{Issuer: p.issuer, ClientID: "pinhole", ClientSecret: "pinhole secret", RedirectURL: redirect,
		Name: "Family Login", AdminGroup: "family-admins", UserGroup: "family", ViewerGroup: "family-viewers"}
}

// browser is an HTTP client with its own cookies, like one browser.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

var loginFormID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// signInAtProvider follows from (an address that leads to the provider's
// login page, such as Pinhole's /api/v1/oidc/start) through the
// provider's login with name and providerPassword, and stops at the first
// redirect whose address starts with stopAt, which it returns without
// following. b keeps its cookies.
func signInAtProvider(t *testing.T, b *http.Client, from, name, stopAt string) *url.URL {
	t.Helper()
	var stopped *url.URL
	c := *b
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), stopAt) {
			stopped = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, err := c.Get(from)
	if err != nil {
		t.Fatalf("open %s: %v", from, err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := loginFormID.FindSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("expected the provider's login page from %s, got %d at %s: %.300s", from, resp.StatusCode, resp.Request.URL, page)
	}
	login := resp.Request.URL.ResolveReference(&url.URL{Path: "/login/username"})
	resp, err = c.PostForm(login.String(), url.Values{"id": {string(m[1])}, "username": {name}, "password": {providerPassword}})
	if err != nil {
		t.Fatalf("sign in at the provider: %v", err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if stopped == nil {
		t.Fatalf("the provider did not send %s back to %s: %d %.300s", name, stopAt, resp.StatusCode, page)
	}
	return stopped
}

// TestProviderForBrowserTests checks the test provider publishes its
// discovery document. With PINHOLE_TEST_PROVIDER set to a Pinhole
// callback URL it also serves as the provider of the browser test
// (web/ui/tests/signin.test.js): it registers client "pinhole" (secret
// "pinhole secret") with that callback, prints "issuer URL" and serves
// until the test process is stopped.
func TestProviderForBrowserTests(t *testing.T) {
	p := newProvider(t)
	resp, err := http.Get(p.issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var disc struct {
		Issuer string   `json:"issuer"`
		PKCE   []string `json:"code_challenge_methods_supported"`
	}
	json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	if disc.Issuer != p.issuer || !slices.Contains(disc.PKCE, "S256") {
		t.Fatalf("discovery: %+v", disc)
	}
	cb := os.Getenv("PINHOLE_TEST_PROVIDER")
	if cb == "" {
		return
	}
	p.register("pinhole", "pinhole secret", cb)
	fmt.Printf("issuer %s\n", p.issuer)
	select {}
}
