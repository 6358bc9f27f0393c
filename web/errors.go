package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/labstack/echo/v4"

	"pinhole/db"
)

// apiError is the JSON body of every error response.
type apiError struct {
	Error string `json:"error"`
}

// statusOf maps an error to an HTTP status: the one place that does.
func statusOf(err error) (int, string) {
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		return he.Code, fmt.Sprint(he.Message)
	case errors.Is(err, db.ErrNotFound):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, db.ErrConflict):
		return http.StatusConflict, err.Error()
	case errors.Is(err, db.ErrInvalid):
		return http.StatusBadRequest, err.Error()
	}
	return http.StatusInternalServerError, "internal error"
}

func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := statusOf(err)
	if code >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(code)
		return
	}
	_ = c.JSON(code, apiError{Error: msg})
}

func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("handler panic", "path", c.Path(), "panic", r, "stack", string(debug.Stack()))
				err = echo.NewHTTPError(http.StatusInternalServerError, "internal error")
			}
		}()
		return next(c)
	}
}

// logRequests logs one line per request. Query strings are left out: they
// may carry download tokens.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		st := c.Response().Status
		level := slog.LevelDebug
		if st >= 500 {
			level = slog.LevelWarn
		}
		s.log.Log(c.Request().Context(), level, "request", "method", c.Request().Method, "route", c.Path(),
			"status", st, "bytes", c.Response().Size, "duration_ms", time.Since(start).Milliseconds())
		return nil
	}
}

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}
