package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"pinhole/app/auth"
	"pinhole/db"
)

type credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
	// Bearer asks for the token in the body (API clients) instead of the
	// cookie alone.
	Bearer bool `json:"bearer"`
}

// sessionInfo is what the login and current-session routes answer.
type sessionInfo struct {
	User       db.User `json:"user"`
	CSRFToken  string  `json:"csrf_token"`
	ThumbToken string  `json:"thumb_token"`
	ExpiresAt  string  `json:"expires_at"`
	Token      string  `json:"token,omitempty"`
	// Uploads says whether this user can upload now (web/upload.go), so
	// the app never offers an upload the server would refuse.
	Uploads uploadsInfo `json:"uploads"`
}

func (s *Server) sessionAnswer(c echo.Context, code int, l auth.Login, bearer bool) error {
	tt, err := s.auth.ThumbToken(c.Request().Context(), l.User.ID)
	if err != nil {
		return err
	}
	out := sessionInfo{User: l.User, CSRFToken: l.Session.CSRF, ThumbToken: tt, ExpiresAt: l.Session.ExpiresAt, Uploads: s.uploadsFor(l.User.Role)}
	if bearer {
		out.Token = l.Token
	} else {
		sessionCookie(c, l.Token, db.ParseTime(l.Session.ExpiresAt))
	}
	return c.JSON(code, out)
}

func (s *Server) login(c echo.Context) error {
	var in credentials
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	l, err := s.auth.Login(c.Request().Context(), in.Username, in.Password, c.RealIP(), c.Request().UserAgent())
	if err != nil {
		return err
	}
	s.log.Info("login", "user", l.User.Username, "ip", c.RealIP())
	return s.sessionAnswer(c, http.StatusOK, l, in.Bearer)
}

func (s *Server) setup(c echo.Context) error {
	var in credentials
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	l, err := s.auth.Setup(c.Request().Context(), in.Username, in.Password, c.RealIP(), c.Request().UserAgent())
	if err != nil {
		return err
	}
	s.log.Info("first admin created", "user", l.User.Username, "ip", c.RealIP())
	return s.sessionAnswer(c, http.StatusCreated, l, in.Bearer)
}

func (s *Server) currentSession(c echo.Context) error {
	sess := callerOf(c).session
	ctx := c.Request().Context()
	u, err := s.deps.DB.UserByID(ctx, sess.UserID)
	if err != nil {
		return err
	}
	tt, err := s.auth.ThumbToken(ctx, u.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sessionInfo{User: u, CSRFToken: sess.CSRF, ThumbToken: tt, ExpiresAt: sess.ExpiresAt, Uploads: s.uploadsFor(u.Role)})
}

func (s *Server) logout(c echo.Context) error {
	sess := callerOf(c).session
	if err := s.deps.DB.DeleteSession(c.Request().Context(), sess.ID, sess.UserID); err != nil {
		return err
	}
	s.events.endSession(sess.ID, "logged out")
	sessionCookie(c, "", time.Time{})
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) changePassword(c echo.Context) error {
	var in struct {
		Old string `json:"old_password"`
		New string `json:"new_password"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	sess := callerOf(c).session
	if err := s.auth.ChangePassword(c.Request().Context(), *sess, in.Old, in.New); err != nil {
		return err
	}
	// The other sessions were logged out; so are their live updates.
	s.events.endUser(sess.UserID, sess.ID, "the password changed")
	return c.NoContent(http.StatusNoContent)
}

type sessionView struct {
	db.Session
	Current bool `json:"current"`
}

// listSessions shows the caller's sessions; admins see everyone's.
func (s *Server) listSessions(c echo.Context) error {
	me := callerOf(c).session
	of := me.UserID
	if me.Role == db.RoleAdmin {
		of = 0
	}
	list, err := s.deps.DB.Sessions(c.Request().Context(), of)
	if err != nil {
		return err
	}
	out := make([]sessionView, len(list))
	for i, ss := range list {
		out[i] = sessionView{ss, ss.ID == me.ID}
	}
	return c.JSON(http.StatusOK, map[string]any{"sessions": out})
}

func (s *Server) revokeSession(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	me := callerOf(c).session
	of := me.UserID
	if me.Role == db.RoleAdmin {
		of = 0
	}
	if err := s.deps.DB.DeleteSession(c.Request().Context(), id, of); err != nil {
		return err
	}
	s.events.endSession(id, "the session was revoked")
	if id == me.ID {
		sessionCookie(c, "", time.Time{})
	}
	return c.NoContent(http.StatusNoContent)
}
