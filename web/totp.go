package web

import (
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"

	"pinhole/db"
)

// errEnrolFirst answers a session whose role must use two-factor sign-in
// and whose user has not set it up, on every route but enrolRoute's.
const errEnrolFirst = "your role must use two-factor sign-in: set it up first (the web app shows how), then continue"

// enrolRoute reports the routes a session that must set up two-factor
// sign-in may still use: its own session (to read it and log out) and
// the set-up itself.
func enrolRoute(path string) bool {
	return path == "/api/v1/session" || path == "/api/v1/account/totp"
}

// loginTOTP is the second step of a password sign-in.
func (s *Server) loginTOTP(c echo.Context) error {
	var in struct {
		Pending string `json:"pending_token"`
		Code    string `json:"code"`
		Bearer  bool   `json:"bearer"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	l, err := s.auth.LoginTOTP(c.Request().Context(), in.Pending, in.Code, c.RealIP(), c.Request().UserAgent())
	if err != nil {
		return err
	}
	s.log.Info("login", "user", l.User.Username, "ip", c.RealIP(), "method", "password+totp")
	return s.sessionAnswer(c, http.StatusOK, l, in.Bearer)
}

// me is the caller's account.
func (s *Server) me(c echo.Context) (db.User, error) {
	return s.deps.DB.UserByID(c.Request().Context(), callerOf(c).session.UserID)
}

func (s *Server) totpStatus(c echo.Context) error {
	u, err := s.me(c)
	if err != nil {
		return err
	}
	st, err := s.auth.TOTPStatusOf(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// totpBegin makes a new secret and shows it as text, as an otpauth:// URI
// and as a QR code (a PNG in a data: URL, drawn here: no third party).
func (s *Server) totpBegin(c echo.Context) error {
	u, err := s.me(c)
	if err != nil {
		return err
	}
	en, err := s.auth.BeginTOTP(c.Request().Context(), u)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]string{"secret": en.Secret, "uri": en.URI,
		"qr": "data:image/png;base64," + base64.StdEncoding.EncodeToString(en.QRPNG)})
}

// totpConfirm turns two-factor sign-in on with a first code and answers
// the recovery codes, shown only this once.
func (s *Server) totpConfirm(c echo.Context) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	u, err := s.me(c)
	if err != nil {
		return err
	}
	codes, err := s.auth.ConfirmTOTP(c.Request().Context(), u, in.Code)
	if err != nil {
		return err
	}
	s.log.Info("two-factor sign-in on", "user", u.Username)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"recovery_codes": codes})
}

// totpDisable turns the caller's two-factor sign-in off (or cancels a
// set-up in progress).
func (s *Server) totpDisable(c echo.Context) error {
	var in struct {
		Code     string `json:"code"`
		Password string `json:"password"`
	}
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &in); err != nil {
			return err
		}
	}
	u, err := s.me(c)
	if err != nil {
		return err
	}
	if err := s.auth.DisableTOTP(c.Request().Context(), u, in.Code, in.Password); err != nil {
		return err
	}
	if u.TOTP {
		s.log.Info("two-factor sign-in off", "user", u.Username)
	}
	return c.NoContent(http.StatusNoContent)
}

// totpReset is an admin turning someone's two-factor sign-in off.
func (s *Server) totpReset(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := s.deps.DB.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if err := s.auth.ResetTOTP(ctx, id); err != nil {
		return err
	}
	s.log.Info("two-factor sign-in reset", "user", u.Username, "by", callerOf(c).session.Username)
	return c.NoContent(http.StatusNoContent)
}

type totpSettings struct {
	RequiredRoles []string `json:"required_roles"`
}

func (s *Server) totpSettings(c echo.Context) error {
	roles, err := s.auth.TOTPRequiredRoles(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, totpSettings{RequiredRoles: roles})
}

func (s *Server) setTOTPSettings(c echo.Context) error {
	var in totpSettings
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.RequiredRoles == nil {
		return echo.NewHTTPError(http.StatusBadRequest, "required_roles must be a list of roles (empty: nobody must)")
	}
	roles, err := s.auth.SetTOTPRequiredRoles(c.Request().Context(), in.RequiredRoles)
	if err != nil {
		return err
	}
	s.log.Info("two-factor sign-in required", "roles", roles, "by", callerOf(c).session.Username)
	return c.JSON(http.StatusOK, totpSettings{RequiredRoles: roles})
}
