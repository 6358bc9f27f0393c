package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"pinhole/app/auth"
	"pinhole/db"
)

// apiError is the JSON body of every error response.
type apiError struct {
	Error string `json:"error"`
	// Code names an error a client acts on (the message is in the
	// reader's language, so it cannot be matched): "sign_in_expired".
	Code string `json:"code,omitempty"`
}

// statusOf maps an error to an HTTP status: the one place that does.
func statusOf(err error) (int, string) {
	var he *echo.HTTPError
	var rl *auth.RateLimitError
	var mbe *http.MaxBytesError
	var slow *SlowBodyError
	switch {
	case errors.As(err, &he):
		return he.Code, fmt.Sprint(he.Message)
	case errors.As(err, &rl):
		return http.StatusTooManyRequests, rl.Error()
	case errors.As(err, &slow):
		return http.StatusRequestTimeout, slow.Error()
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request too large: the limit is %d MB", mbe.Limit>>20)
	case errors.Is(err, auth.ErrUnauthorized):
		return http.StatusUnauthorized, strings.TrimSuffix(err.Error(), ": "+auth.ErrUnauthorized.Error())
	case errors.Is(err, auth.ErrForbidden):
		return http.StatusForbidden, strings.TrimSuffix(err.Error(), ": "+auth.ErrForbidden.Error())
	case errors.Is(err, db.ErrNotYours):
		return http.StatusForbidden, strings.TrimSuffix(err.Error(), ": "+db.ErrNotYours.Error())
	case errors.Is(err, db.ErrNotFound):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, db.ErrConflict):
		return http.StatusConflict, strings.TrimSuffix(err.Error(), ": "+db.ErrConflict.Error())
	case errors.Is(err, db.ErrInvalid):
		return http.StatusBadRequest, strings.TrimSuffix(err.Error(), ": "+db.ErrInvalid.Error())
	case db.IsFull(err):
		return http.StatusInsufficientStorage, "the data disk is full: nothing was saved; free some space on it and try again"
	case db.IsBusy(err):
		return http.StatusServiceUnavailable, "the database is busy (a backup or scan may be running); try again in a moment"
	}
	return http.StatusInternalServerError, "internal error"
}

func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := statusOf(err)
	var rl *auth.RateLimitError
	if errors.As(err, &rl) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(rl.RetryAfter.Seconds())+1))
	}
	if code == http.StatusInternalServerError && errors.Is(err, context.Canceled) {
		return // the client went away
	}
	if code >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(code)
		return
	}
	lang := readerLanguage(c.Request())
	c.Response().Header().Set("Content-Language", lang)
	c.Response().Header().Add("Vary", "Accept-Language")
	body := apiError{Error: say(lang, msg)}
	if errors.Is(err, auth.ErrSignInExpired) {
		body.Code = "sign_in_expired"
	}
	_ = c.JSON(code, body)
}

func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					// net/http's way to cut a response short (a video
					// stream whose conversion failed): the client sees a
					// broken transfer, never a clean end.
					panic(r)
				}
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
		s.metrics.observe(st, time.Since(start))
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
