package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// appPasswordsAnswer lists the caller's app passwords with what WebDAV
// needs: whether it works for them now, and where their files go.
type appPasswordsAnswer struct {
	AppPasswords any     `json:"app_passwords"`
	Username     string  `json:"username"`
	DAV          davInfo `json:"dav"`
}

func (s *Server) listAppPasswords(c echo.Context) error {
	ctx := c.Request().Context()
	sess := callerOf(c).session
	u, err := s.deps.DB.UserByID(ctx, sess.UserID)
	if err != nil {
		return err
	}
	list, err := s.deps.DB.AppPasswords(ctx, u.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, appPasswordsAnswer{AppPasswords: list, Username: u.Username, DAV: s.davFor(u)})
}

// createAppPassword makes an app password and answers it once, in clear,
// with the user name and WebDAV path to set up a phone app with.
func (s *Server) createAppPassword(c echo.Context) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	sess := callerOf(c).session
	u, err := s.deps.DB.UserByID(ctx, sess.UserID)
	if err != nil {
		return err
	}
	p, secret, err := s.auth.CreateAppPassword(ctx, u.ID, u.Role, in.Name)
	if err != nil {
		return err
	}
	s.log.Info("app password created", "user", u.Username, "name", p.Name, "ip", c.RealIP())
	return c.JSON(http.StatusCreated, map[string]any{"app_password": p, "password": secret, "username": u.Username, "dav": s.davFor(u)})
}

// revokeAppPassword deletes one of the caller's app passwords; a device
// using it is refused from its next request.
func (s *Server) revokeAppPassword(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	sess := callerOf(c).session
	if err := s.deps.DB.DeleteAppPassword(c.Request().Context(), id, sess.UserID); err != nil {
		return err
	}
	s.log.Info("app password revoked", "user", sess.Username, "id", id)
	return c.NoContent(http.StatusNoContent)
}
