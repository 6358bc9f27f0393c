package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"pinhole/app/auth"
	"pinhole/db"
)

// SessionCookie is the name of the login cookie.
const SessionCookie = "pinhole_session"

// caller is who made a request: a session (nil for anonymous), whether
// it came from the cookie, which is what CSRF protection is about, and
// the reader it is to the library, made once from the session's role and
// handed to every database read.
type caller struct {
	session   *db.Session
	viaCookie bool
	reader    db.Reader // the zero Reader (anonymous) sees no private photo
}

func (c caller) role() string {
	if c.session == nil {
		return ""
	}
	return c.session.Role
}

func callerOf(c echo.Context) caller {
	if v, ok := c.Get("caller").(caller); ok {
		return v
	}
	return caller{}
}

// identify finds the session a request carries, from the Authorization
// header or the cookie. An invalid token makes the caller anonymous; the
// route's access rule then decides.
func (s *Server) identify(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if tokenAuthorised(c) || isDAV(c) {
			// Thumbnails and downloads are authorised by the token in the
			// URL alone; skipping the session lookup saves a query on every
			// image a browser loads (they carry the cookie too). WebDAV
			// takes an app password and never a cookie or session, so a
			// page in a browser cannot ride on the login (no CSRF).
			return next(c)
		}
		var tok string
		viaCookie := false
		if h := c.Request().Header.Get("Authorization"); h != "" {
			if t, ok := strings.CutPrefix(h, "Bearer "); ok {
				tok = strings.TrimSpace(t)
			}
		} else if ck, err := c.Cookie(SessionCookie); err == nil {
			tok, viaCookie = ck.Value, true
		}
		if tok != "" {
			sess, err := s.auth.Session(c.Request().Context(), tok)
			if err == nil {
				c.Set("caller", caller{session: &sess, viaCookie: viaCookie, reader: db.ReaderOf(sess.Role, sess.UserID)})
			} else if !errors.Is(err, auth.ErrUnauthorized) {
				return err
			}
		}
		return next(c)
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// require enforces a route's access rule, and CSRF protection for
// state-changing requests authenticated by the cookie.
func (s *Server) require(who access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			cl := callerOf(c)
			if cl.session != nil && cl.viaCookie && !safeMethod(c.Request().Method) {
				got := c.Request().Header.Get("X-CSRF-Token")
				if got == "" || !auth.Equal(got, cl.session.CSRF) {
					return echo.NewHTTPError(http.StatusForbidden, "missing or wrong X-CSRF-Token header; reload the page")
				}
			}
			switch who {
			case anyone, token, basic:
				return next(c)
			}
			if cl.session == nil {
				return echo.NewHTTPError(http.StatusUnauthorized, "log in first")
			}
			if must, err := s.auth.MustEnrolTOTP(c.Request().Context(), *cl.session); err != nil {
				return err
			} else if must && !enrolRoute(c.Path()) {
				return echo.NewHTTPError(http.StatusForbidden, errEnrolFirst)
			}
			role := cl.role()
			switch {
			case who == admin && role != db.RoleAdmin:
				return echo.NewHTTPError(http.StatusForbidden, "only an admin can do this")
			case who == user && role != db.RoleAdmin && role != db.RoleUser:
				return echo.NewHTTPError(http.StatusForbidden, "viewers can only look; ask an admin for the user role")
			}
			return next(c)
		}
	}
}

// bindJSON decodes a JSON body strictly. Only application/json is
// accepted: a cross-site HTML form cannot send it, which protects the
// cookie-less endpoints (login, setup) from forged submissions too.
func bindJSON(c echo.Context, v any) error {
	ct, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type"))
	if ct != "application/json" {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "send the request body as JSON (Content-Type: application/json)")
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "request body too large")
		}
		var slow *SlowBodyError
		if errors.As(err, &slow) {
			return err // the error map answers 408
		}
		if errors.Is(err, io.EOF) {
			return echo.NewHTTPError(http.StatusBadRequest, "empty request body; send JSON")
		}
		return echo.NewHTTPError(http.StatusBadRequest, "bad JSON: "+err.Error())
	}
	return nil
}

// idParam reads a positive integer path parameter.
func idParam(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("%s must be a positive number", name))
	}
	return id, nil
}

// sessionCookie sets (or with an empty value, clears) the login cookie.
func sessionCookie(c echo.Context, value string, expires time.Time) {
	ck := &http.Cookie{
		Name:     SessionCookie,
		Value:    value,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		Secure:   c.Scheme() == "https",
	}
	if value == "" {
		ck.MaxAge = -1
	} else {
		ck.Expires = expires
	}
	c.SetCookie(ck)
}

// thumbToken is the secret the caller's thumbnail, download and video
// URLs carry: their own, which serves only what their role may see and
// dies with a role or password change, their account, or a rotation.
func (s *Server) thumbToken(ctx context.Context, cl caller) (string, error) {
	if cl.session == nil {
		return "", echo.NewHTTPError(http.StatusUnauthorized, "log in first")
	}
	return s.auth.ThumbToken(ctx, cl.session.UserID)
}
