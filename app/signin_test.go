package app

import (
	"testing"

	"pinhole/app/config"
	"pinhole/web"
)

// The sign-in options reach the web server as they were given.
func TestWithSignInPassesTheOptions(t *testing.T) {
	c := &config.Config{PublicURL: "https://photos.example.com", LocalLogin: false, BreakGlassAdmin: "root",
		OIDCIssuer: "https://auth.example.com", OIDCClientID: "pinhole", OIDCClientSecret: "s", OIDCScopes: []string{"openid", "groups"},
		OIDCName: "Family", OIDCGroupsClaim: "roles", OIDCUserClaim: "nickname", OIDCAdminGroup: "a", OIDCUserGroup: "u",
		OIDCViewerGroup: "v", OIDCDefaultRole: "viewer", OIDCLinkBy: "username"}
	d := withSignIn(c, web.Deps{Version: "kept"})
	o := d.OIDC
	if d.Version != "kept" || !d.LocalLoginOff || d.BreakGlassAdmin != "root" || d.PublicURL != c.PublicURL || o == nil ||
		o.Issuer != c.OIDCIssuer || o.ClientID != "pinhole" || o.ClientSecret != "s" || o.RedirectURL != "https://photos.example.com/api/v1/oidc/callback" ||
		len(o.Scopes) != 2 || o.Name != "Family" || o.GroupsClaim != "roles" || o.UsernameClaim != "nickname" || o.AdminGroup != "a" ||
		o.UserGroup != "u" || o.ViewerGroup != "v" || o.DefaultRole != "viewer" || o.LinkBy != "username" {
		t.Errorf("deps %+v, oidc %+v", d, o)
	}
	if d := withSignIn(&config.Config{LocalLogin: true}, web.Deps{}); d.OIDC != nil || d.LocalLoginOff {
		t.Errorf("without a provider: %+v", d)
	}
}
