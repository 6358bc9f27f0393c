// Package web is Pinhole's HTTP face: the JSON API under /api/v1 and the
// embedded web app at /, on echo. Handlers are thin: they parse the
// request, call the database or a service, and render JSON; errors are
// mapped to statuses in one place (errors.go).
package web

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"pinhole/db"
)

// Deps is what the server needs from the rest of Pinhole. The app package
// fills it; fields left nil disable what they serve.
type Deps struct {
	DB  *db.DB
	Log *slog.Logger
	// Status returns the detailed status document (index progress, watcher,
	// counts) for /api/v1/status.
	Status func(ctx context.Context) any
}

// Server is the configured echo instance.
type Server struct {
	e    *echo.Echo
	deps Deps
	log  *slog.Logger
}

// New builds the server and its routes.
func New(deps Deps) *Server {
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	s := &Server{e: e, deps: deps, log: deps.Log}
	e.HTTPErrorHandler = s.handleError
	e.Use(s.recoverPanics, s.logRequests, securityHeaders)
	s.routes()
	return s
}

// Handler is the server as an http.Handler (tests use it with httptest).
func (s *Server) Handler() http.Handler { return s.e }

// Echo exposes the router for route listings in tests.
func (s *Server) Echo() *echo.Echo { return s.e }

// Serve accepts connections on ln until ctx ends, then shuts down
// gracefully, letting requests in flight finish for up to 10 s.
func (s *Server) Serve(ctx context.Context, ln net.Listener, tlsCfg *tls.Config) error {
	srv := &http.Server{
		Handler:           s.e,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		TLSConfig:         tlsCfg,
	}
	errc := make(chan error, 1)
	go func() {
		if tlsCfg != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) {
		return e
	}
	return err
}

func (s *Server) routes() {
	s.e.GET("/healthz", s.health)
	api := s.e.Group("/api/v1")
	api.GET("/status", s.status)
	s.e.GET("/", s.index)
}

func (s *Server) health(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) status(c echo.Context) error {
	if s.deps.Status == nil {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	}
	return c.JSON(http.StatusOK, s.deps.Status(c.Request().Context()))
}

func (s *Server) index(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.HTML(http.StatusOK, placeholderPage)
}

const placeholderPage = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Pinhole</title>
<style>body{font:16px system-ui,sans-serif;background:#1c1c1e;color:#eee;display:grid;place-items:center;min-height:100vh;margin:0}</style>
</head><body><main><h1>Pinhole</h1><p>The library is being indexed. Status: <a style="color:#8ab4f8" href="/api/v1/status">/api/v1/status</a></p></main></body></html>`
