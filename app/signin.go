package app

import (
	"pinhole/app/auth"
	"pinhole/app/config"
	"pinhole/web"
)

// withSignIn adds the sign-in options (passwords, the break-glass admin,
// an OpenID Connect provider) to the web server's dependencies.
func withSignIn(c *config.Config, d web.Deps) web.Deps {
	d.PublicURL = c.PublicURL
	d.LocalLoginOff = !c.LocalLogin
	d.BreakGlassAdmin = c.BreakGlassAdmin
	if c.OIDCIssuer != "" {
		d.OIDC = &auth.OIDCConfig{
			Issuer:        c.OIDCIssuer,
			ClientID:      c.OIDCClientID,
			ClientSecret:  c.OIDCClientSecret,
			RedirectURL:   c.OIDCRedirectURL(),
			Scopes:        c.OIDCScopes,
			Name:          c.OIDCName,
			GroupsClaim:   c.OIDCGroupsClaim,
			UsernameClaim: c.OIDCUserClaim,
			AdminGroup:    c.OIDCAdminGroup,
			UserGroup:     c.OIDCUserGroup,
			ViewerGroup:   c.OIDCViewerGroup,
			DefaultRole:   c.OIDCDefaultRole,
			LinkBy:        c.OIDCLinkBy,
		}
	}
	return d
}
