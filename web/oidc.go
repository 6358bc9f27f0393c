package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"pinhole/app/auth"
	"pinhole/db"
)

// oidcCookie binds a started sign-in with the provider to the browser
// that started it: the provider's answer is taken only with it, so a
// sign-in link made by someone else cannot log this browser into their
// account. HttpOnly, SameSite=Lax (sent on the provider's top-level
// redirect back), only on /api/v1/oidc/, for the flow's ten minutes.
const oidcCookie = "pinhole_oidc"

// signInInfo tells the login page how people sign in here.
func (s *Server) signInInfo() SignInInfo {
	out := SignInInfo{Passwords: s.auth.LocalLogin()}
	if s.oidc != nil {
		out.Provider = &SignInProvider{Name: s.oidc.Name(), Start: s.deps.PublicURL + "/api/v1/oidc/start"}
	}
	return out
}

func (s *Server) oidcCookie(c echo.Context, value string) {
	ck := &http.Cookie{Name: oidcCookie, Value: value, Path: "/api/v1/oidc/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: c.Scheme() == "https", MaxAge: 600}
	if value == "" {
		ck.MaxAge = -1
	}
	c.SetCookie(ck)
}

// backToLogin sends the browser to the web app's login page with a
// reason it shows in a fixed sentence (never text from the request).
func backToLogin(c echo.Context, kind string) error {
	return c.Redirect(http.StatusSeeOther, "/?signin_error="+url.QueryEscape(kind))
}

// oidcStart sends the browser to the provider's sign-in page.
func (s *Server) oidcStart(c echo.Context) error {
	if s.oidc == nil {
		return echo.NewHTTPError(http.StatusNotFound, "sign-in with a provider is not configured on this server")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	to, binding, err := s.oidc.Start(c.Request().Context())
	if err != nil {
		s.log.Warn("oidc sign-in cannot start", "err", err)
		return backToLogin(c, auth.OIDCUnavailable)
	}
	s.oidcCookie(c, binding)
	return c.Redirect(http.StatusFound, to)
}

// oidcCallback is where the provider sends the browser back: with a
// right state, code and binding cookie, an ordinary session is opened
// and the web app loads; otherwise the login page says why.
func (s *Server) oidcCallback(c echo.Context) error {
	if s.oidc == nil {
		return echo.NewHTTPError(http.StatusNotFound, "sign-in with a provider is not configured on this server")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	q := c.QueryParams()
	binding := ""
	if ck, err := c.Cookie(oidcCookie); err == nil {
		binding = ck.Value
	}
	s.oidcCookie(c, "")
	if e := q.Get("error"); e != "" {
		s.log.Info("oidc sign-in refused by the provider", "error", e, "ip", c.RealIP())
		return backToLogin(c, "denied")
	}
	l, err := s.oidc.Finish(c.Request().Context(), q.Get("state"), q.Get("code"), binding, c.RealIP(), c.Request().UserAgent())
	if err != nil {
		var oe *auth.OIDCError
		if errors.As(err, &oe) {
			s.log.Warn("oidc sign-in refused", "reason", oe.Kind, "err", oe.Err, "ip", c.RealIP())
			return backToLogin(c, oe.Kind)
		}
		s.log.Error("oidc sign-in failed", "err", err, "ip", c.RealIP())
		return backToLogin(c, "internal")
	}
	if l.PreviousRole != "" {
		// Their open streams were filtered for the old role.
		s.events.endUser(l.User.ID, 0, "the account's role changed")
		s.log.Info("role changed", "user", l.User.Username, "from", l.PreviousRole, "to", l.User.Role, "by", "provider groups")
	}
	s.log.Info("login", "user", l.User.Username, "ip", c.RealIP(), "method", "oidc")
	sessionCookie(c, l.Token, db.ParseTime(l.Session.ExpiresAt))
	return c.Redirect(http.StatusSeeOther, "/")
}
