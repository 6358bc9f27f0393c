package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"pinhole/db"
)

// Sign-in with an OpenID Connect provider (Authelia, Authentik, Keycloak,
// Pocket ID, …): the authorization code flow with PKCE (S256), a state
// bound to the browser that started it and a nonce bound into the ID
// token. See docs/security.md, "Sign-in with a provider".
const (
	// oidcFlowTTL is how long a started sign-in may take at the provider.
	oidcFlowTTL = 10 * time.Minute
	// maxOIDCFlows bounds the started sign-ins kept (anyone can start
	// one); the oldest gives way.
	maxOIDCFlows = 10000
	// discoveryRetry spaces out asking an unreachable provider again.
	discoveryRetry = 10 * time.Second
	// providerTimeout bounds each request to the provider.
	providerTimeout = 15 * time.Second
)

// How an account at the provider finds its Pinhole user the first time
// (OIDCConfig.LinkBy).
const (
	// LinkByEmail links the local account whose user name is the email
	// address the provider says it verified; never an unverified one.
	LinkByEmail = "email"
	// LinkByUsername links the local account whose user name is the
	// provider's user name: only for providers where the admin, not the
	// user, chooses names.
	LinkByUsername = "username"
	// LinkByNone never links: a name taken here is refused.
	LinkByNone = "none"
)

// OIDCConfig is the provider and what its accounts become here.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string // empty: a public client (PKCE alone)
	// RedirectURL is Pinhole's callback, registered at the provider.
	RedirectURL string
	Scopes      []string
	// Name is the provider's name on the sign-in button.
	Name string
	// GroupsClaim, UsernameClaim name the claims read.
	GroupsClaim, UsernameClaim string
	// Groups whose members get each role (the highest wins). When any is
	// set, the role follows the groups at every sign-in.
	AdminGroup, UserGroup, ViewerGroup string
	// DefaultRole is the role of new accounts in none of the groups (of
	// every new account when no group is set); empty refuses them (then
	// without groups only accounts linked to existing ones sign in).
	DefaultRole string
	// LinkBy: LinkByEmail, LinkByUsername or LinkByNone.
	LinkBy string
	// HTTPClient talks to the provider; nil: one with a timeout.
	HTTPClient *http.Client
}

// OIDCError is a refused sign-in with a provider. Kind is what the web app
// tells the person (a fixed sentence per kind); Err is for the log.
type OIDCError struct {
	Kind string
	Err  error
}

func (e *OIDCError) Error() string { return "sign-in with provider: " + e.Kind + ": " + e.Err.Error() }
func (e *OIDCError) Unwrap() error { return e.Err }

// Kinds of OIDCError.
const (
	OIDCUnavailable = "unavailable" // the provider cannot be reached
	OIDCState       = "state"       // unknown, used or expired sign-in, or another browser's
	OIDCProvider    = "provider"    // the provider refused the code or failed
	OIDCToken       = "token"       // the ID token did not verify
	OIDCNoRole      = "no_role"     // in no group that gets a role here
	OIDCNameTaken   = "name_taken"  // a local account has the name and may not be linked
	OIDCBadName     = "bad_name"    // no usable user name in the claims
)

func oidcErr(kind string, err error) error { return &OIDCError{Kind: kind, Err: err} }

// OIDC signs people in through a provider and opens ordinary sessions.
type OIDC struct {
	cfg    OIDCConfig
	svc    *Service
	client *http.Client

	discover  sync.Mutex
	provider  *oidc.Provider
	lastTry   time.Time
	lastError error

	mu    sync.Mutex
	flows map[[sha256.Size]byte]*oidcFlow
}

// oidcFlow is one started sign-in, found by the SHA-256 of its state.
type oidcFlow struct {
	binding  string // SHA-256 of the browser cookie's value
	nonce    string
	verifier string // PKCE
	expires  time.Time
}

// NewOIDC returns sign-in through the provider in cfg for the service's
// users. Nothing is asked of the provider until the first sign-in, so a
// provider that starts after Pinhole is no problem.
func NewOIDC(cfg OIDCConfig, s *Service) *OIDC {
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	if cfg.UsernameClaim == "" {
		cfg.UsernameClaim = "preferred_username"
	}
	if cfg.LinkBy == "" {
		cfg.LinkBy = LinkByEmail
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{oidc.ScopeOpenID, "profile", "email"}
	}
	if !slices.Contains(cfg.Scopes, oidc.ScopeOpenID) {
		cfg.Scopes = append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
	}
	if cfg.Name == "" {
		if u, err := url.Parse(cfg.Issuer); err == nil && u.Host != "" {
			cfg.Name = u.Hostname()
		} else {
			cfg.Name = "your provider"
		}
	}
	c := cfg.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: providerTimeout}
	}
	return &OIDC{cfg: cfg, svc: s, client: c, flows: map[[sha256.Size]byte]*oidcFlow{}}
}

// Name is the provider's name for the sign-in button.
func (o *OIDC) Name() string { return o.cfg.Name }

// providerNow discovers the provider (once; an unreachable one is asked
// again at most every discoveryRetry).
func (o *OIDC) providerNow(ctx context.Context) (*oidc.Provider, error) {
	o.discover.Lock()
	defer o.discover.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	if o.lastError != nil && time.Since(o.lastTry) < discoveryRetry {
		return nil, o.lastError
	}
	o.lastTry = time.Now()
	dctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, o.client), providerTimeout)
	defer cancel()
	p, err := oidc.NewProvider(dctx, o.cfg.Issuer)
	if err != nil {
		o.lastError = oidcErr(OIDCUnavailable, fmt.Errorf("discover %s: %w", o.cfg.Issuer, err))
		return nil, o.lastError
	}
	o.provider, o.lastError = p, nil
	return p, nil
}

func (o *OIDC) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: o.cfg.RedirectURL, Scopes: o.cfg.Scopes}
}

// Start begins a sign-in: the provider's address to send the browser to,
// and the value of the cookie that binds the sign-in to this browser
// (short-lived, HttpOnly; the web layer sets it).
func (o *OIDC) Start(ctx context.Context) (authURL, binding string, err error) {
	p, err := o.providerNow(ctx)
	if err != nil {
		return "", "", err
	}
	state, nonce, binding := NewToken(), NewToken(), NewToken()
	verifier := oauth2.GenerateVerifier()
	now := o.svc.now()
	o.mu.Lock()
	for k, f := range o.flows {
		if !now.Before(f.expires) {
			delete(o.flows, k)
		}
	}
	if len(o.flows) >= maxOIDCFlows {
		var oldest [sha256.Size]byte
		var at time.Time
		for k, f := range o.flows {
			if at.IsZero() || f.expires.Before(at) {
				oldest, at = k, f.expires
			}
		}
		delete(o.flows, oldest)
	}
	o.flows[sha256.Sum256([]byte(state))] = &oidcFlow{binding: HashToken(binding), nonce: nonce, verifier: verifier,
		expires: now.Add(oidcFlowTTL)}
	o.mu.Unlock()
	return o.oauth(p).AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), binding, nil
}

// take removes and returns the flow a state names: a state is good once,
// whatever happens next.
func (o *OIDC) take(state string) (*oidcFlow, bool) {
	if state == "" || len(state) > 200 {
		return nil, false
	}
	k := sha256.Sum256([]byte(state))
	o.mu.Lock()
	defer o.mu.Unlock()
	f, ok := o.flows[k]
	delete(o.flows, k)
	return f, ok
}

// identity is what the provider says about the person.
type identity struct {
	issuer, subject string
	email           string
	emailVerified   bool
	username        string
	groups          []string
}

// Finish completes a sign-in the provider sent back: the state must be
// one this server issued to this browser (binding), unused and not
// expired; the code is exchanged with the PKCE verifier; the ID token
// must be signed by the provider, for this client, unexpired, and carry
// the flow's nonce. Then the account is found, linked or created and an
// ordinary session opened.
func (o *OIDC) Finish(ctx context.Context, state, code, binding, ip, userAgent string) (Login, error) {
	f, ok := o.take(state)
	if !ok {
		return Login{}, oidcErr(OIDCState, errors.New("unknown or used state"))
	}
	if !o.svc.now().Before(f.expires) {
		return Login{}, oidcErr(OIDCState, errors.New("the sign-in expired"))
	}
	if binding == "" || !Equal(f.binding, HashToken(binding)) {
		return Login{}, oidcErr(OIDCState, errors.New("the state belongs to another browser"))
	}
	p, err := o.providerNow(ctx)
	if err != nil {
		return Login{}, err
	}
	pctx := context.WithValue(oidc.ClientContext(ctx, o.client), oauth2.HTTPClient, o.client)
	tok, err := o.oauth(p).Exchange(pctx, code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		return Login{}, oidcErr(OIDCProvider, fmt.Errorf("exchange the code: %w", err))
	}
	id, err := o.verify(pctx, p, tok, f.nonce)
	if err != nil {
		return Login{}, err
	}
	u, prev, err := o.account(ctx, id)
	if err != nil {
		return Login{}, err
	}
	if err := o.svc.DB.RememberLoginClient(ctx, u.ID, ip); err != nil {
		return Login{}, err
	}
	l, err := o.svc.open(ctx, u, db.SignInOIDC, ip, userAgent)
	l.PreviousRole = prev
	return l, err
}

// verify checks the ID token of a token response and gathers the
// person's claims from it and the userinfo endpoint.
func (o *OIDC) verify(ctx context.Context, p *oidc.Provider, tok *oauth2.Token, nonce string) (identity, error) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return identity{}, oidcErr(OIDCToken, errors.New("the token response has no id_token"))
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID, Now: o.svc.now}).Verify(ctx, raw)
	if err != nil {
		return identity{}, oidcErr(OIDCToken, err)
	}
	if idt.Nonce == "" || !Equal(idt.Nonce, nonce) {
		return identity{}, oidcErr(OIDCToken, errors.New("the ID token's nonce is not this sign-in's"))
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return identity{}, oidcErr(OIDCToken, fmt.Errorf("read claims: %w", err))
	}
	// With several audiences, the token must say it was issued to us
	// (OpenID Connect Core 3.1.3.7).
	if len(idt.Audience) > 1 && claimString(claims, "azp") != o.cfg.ClientID {
		return identity{}, oidcErr(OIDCToken, errors.New("the ID token has several audiences and another authorized party"))
	}
	if p.UserInfoEndpoint() != "" {
		// Claims such as email and groups often come only from here.
		ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return identity{}, oidcErr(OIDCProvider, fmt.Errorf("userinfo: %w", err))
		}
		if ui.Subject != idt.Subject {
			return identity{}, oidcErr(OIDCToken, errors.New("userinfo is about another subject than the ID token"))
		}
		more := map[string]any{}
		if err := ui.Claims(&more); err != nil {
			return identity{}, oidcErr(OIDCProvider, fmt.Errorf("read userinfo: %w", err))
		}
		for k, v := range more {
			if _, signed := claims[k]; !signed {
				claims[k] = v
			}
		}
	}
	id := identity{issuer: idt.Issuer, subject: idt.Subject, email: claimString(claims, "email"),
		emailVerified: claimBool(claims, "email_verified"), username: claimString(claims, o.cfg.UsernameClaim),
		groups: claimStrings(claims, o.cfg.GroupsClaim)}
	if id.username == "" {
		id.username = id.email
	}
	return id, nil
}

func claimString(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return strings.TrimSpace(s)
}

// claimBool reads a boolean claim; some providers send "true".
func claimBool(m map[string]any, k string) bool {
	switch v := m[k].(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// claimStrings reads a list claim (groups), or a single string.
func claimStrings(m map[string]any, k string) []string {
	switch v := m[k].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func (o *OIDC) groupsSet() bool {
	return o.cfg.AdminGroup != "" || o.cfg.UserGroup != "" || o.cfg.ViewerGroup != ""
}

// role is the role the person's groups give, or the default (empty refuses).
func (o *OIDC) role(groups []string) string {
	in := func(g string) bool { return g != "" && slices.Contains(groups, g) }
	switch {
	case in(o.cfg.AdminGroup):
		return db.RoleAdmin
	case in(o.cfg.UserGroup):
		return db.RoleUser
	case in(o.cfg.ViewerGroup):
		return db.RoleViewer
	}
	return o.cfg.DefaultRole
}

// account finds the user an identity signs in as: the one it is linked
// to; else an existing local account it may be linked to (LinkBy, never
// the break-glass admin, never by an unverified email); else a new user.
// With groups configured the role follows them at every sign-in. prev is
// the user's role before a change made here (empty when none).
func (o *OIDC) account(ctx context.Context, id identity) (u db.User, prev string, err error) {
	d := o.svc.DB
	role := o.role(id.groups)
	u, err = d.UserByIdentity(ctx, id.issuer, id.subject)
	switch {
	case err == nil:
		if err := d.TouchIdentity(ctx, id.issuer, id.subject, id.email); err != nil {
			return u, "", err
		}
		if !o.groupsSet() {
			return u, "", nil // the admin manages roles in Pinhole
		}
		if role == "" {
			return u, "", oidcErr(OIDCNoRole, fmt.Errorf("%s is in no group that gets a role", u.Username))
		}
		return o.followGroups(ctx, u, role)
	case !errors.Is(err, db.ErrNotFound):
		return u, "", err
	}
	if role == "" && o.groupsSet() {
		return u, "", oidcErr(OIDCNoRole, fmt.Errorf("%s (%s) is in no group that gets a role and there is no default role", id.username, id.subject))
	}
	link := ""
	switch o.cfg.LinkBy {
	case LinkByEmail:
		if id.email != "" && id.emailVerified {
			link = id.email
		}
	case LinkByUsername:
		link = id.username
	}
	if link != "" {
		local, err := d.UserByName(ctx, link)
		if err == nil && !o.svc.IsBreakGlass(local.Username) {
			has, err := d.HasIdentity(ctx, local.ID, id.issuer)
			if err != nil {
				return u, "", err
			}
			if !has {
				if err := d.LinkIdentity(ctx, db.Identity{Issuer: id.issuer, Subject: id.subject, UserID: local.ID, Email: id.email}); err != nil {
					return u, "", err
				}
				o.svc.forgetLinks()
				if o.groupsSet() {
					return o.followGroups(ctx, local, role)
				}
				return local, "", nil
			}
		} else if err != nil && !errors.Is(err, db.ErrNotFound) {
			return u, "", err
		}
	}
	if role == "" {
		// No groups and no default role: only existing accounts sign in.
		return u, "", oidcErr(OIDCNoRole, fmt.Errorf("%s (%s) matches no account here and there is no default role", id.username, id.subject))
	}
	name := id.username
	if err := CheckUsername(name); err != nil {
		return u, "", oidcErr(OIDCBadName, fmt.Errorf("user name %q from claim %s: %w", name, o.cfg.UsernameClaim, err))
	}
	if o.svc.IsBreakGlass(name) {
		return u, "", oidcErr(OIDCNameTaken, fmt.Errorf("%q is the break-glass admin's name", name))
	}
	u, err = d.CreateIdentityUser(ctx, name, role, db.Identity{Issuer: id.issuer, Subject: id.subject, Email: id.email})
	if errors.Is(err, db.ErrConflict) {
		return u, "", oidcErr(OIDCNameTaken, fmt.Errorf("an account named %q exists and may not be linked (link by %s)", name, o.cfg.LinkBy))
	}
	if err == nil {
		o.svc.forgetLinks()
	}
	return u, "", err
}

// followGroups gives u the role its groups give. The last admin keeps the
// role (Pinhole never loses its administrator); the sign-in goes on.
func (o *OIDC) followGroups(ctx context.Context, u db.User, role string) (db.User, string, error) {
	if u.Role == role {
		return u, "", nil
	}
	err := o.svc.SetRole(ctx, u.ID, role)
	if errors.Is(err, db.ErrConflict) {
		return u, "", nil
	}
	if err != nil {
		return u, "", err
	}
	prev := u.Role
	u, err = o.svc.DB.UserByID(ctx, u.ID)
	return u, prev, err
}
