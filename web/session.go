package web

import (
	"context"
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
	ThumbToken string  `json:"thumb_token,omitempty"`
	ExpiresAt  string  `json:"expires_at"`
	Token      string  `json:"token,omitempty"`
	// Uploads says whether this user can upload now (web/upload.go), so
	// the app never offers an upload the server would refuse.
	Uploads uploadsInfo `json:"uploads"`
	// Method is how the session was opened: "password" or "oidc".
	Method string `json:"method"`
	// TOTPSetupRequired: the user's role must use two-factor sign-in and
	// they have none; the session may only set it up (and log out). It
	// carries no thumbnail token until then.
	TOTPSetupRequired bool `json:"totp_setup_required,omitempty"`
}

// info is the session answer for a session of user u.
func (s *Server) info(ctx context.Context, u db.User, sess db.Session) (sessionInfo, error) {
	out := sessionInfo{User: u, CSRFToken: sess.CSRF, ExpiresAt: sess.ExpiresAt, Uploads: s.uploadsFor(u.Role), Method: sess.Method}
	must, err := s.auth.MustEnrolTOTP(ctx, sess)
	if err != nil {
		return out, err
	}
	if must {
		out.TOTPSetupRequired = true
		return out, nil
	}
	if out.ThumbToken, err = s.auth.ThumbToken(ctx, u.ID); err != nil {
		return out, err
	}
	return out, nil
}

func (s *Server) sessionAnswer(c echo.Context, code int, l auth.Login, bearer bool) error {
	out, err := s.info(c.Request().Context(), l.User, l.Session)
	if err != nil {
		return err
	}
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
	if l.Pending != "" {
		// The password was right; the code comes next (POST /session/totp).
		return c.JSON(http.StatusOK, pendingAnswer{TOTPRequired: true, PendingToken: l.Pending, ExpiresAt: l.PendingExpires.UTC().Format(db.TimeLayout)})
	}
	s.log.Info("login", "user", l.User.Username, "ip", c.RealIP())
	return s.sessionAnswer(c, http.StatusOK, l, in.Bearer)
}

// pendingAnswer is the login answer when a second step is needed.
type pendingAnswer struct {
	TOTPRequired bool   `json:"totp_required"`
	PendingToken string `json:"pending_token"`
	ExpiresAt    string `json:"expires_at"`
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
	out, err := s.info(ctx, u, *sess)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
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
