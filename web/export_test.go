package web

import (
	"time"

	"github.com/labstack/echo/v4"

	"pinhole/app/auth"
)

// Echo exposes the router for route listings in tests.
func (s *Server) Echo() *echo.Echo { return s.e }

// Auth is the account service the server uses, for tests that make
// sessions, tokens and shares without going through the API.
func (s *Server) Auth() *auth.Service { return s.auth }

// SetStreamCheckEvery shortens how often live-update streams look for
// changes made by another process, for tests; it returns the old value.
func SetStreamCheckEvery(d time.Duration) time.Duration {
	old := streamCheckEvery
	streamCheckEvery = d
	return old
}

// TokenRoutes lists "METHOD /path" of every route whose access is decided
// by a token in its URL (share visitors, thumbnails, downloads), GET
// routes also as HEAD, for tests that walk what a visitor can reach.
func (s *Server) TokenRoutes() []string {
	var out []string
	for _, r := range s.table {
		if r.who != token {
			continue
		}
		out = append(out, r.method+" "+r.path)
		if r.method == "GET" {
			out = append(out, "HEAD "+r.path)
		}
	}
	return out
}

// DAVFolderName is a user's WebDAV folder name inside the upload folder.
func DAVFolderName(username string) string { return davFolderName(username) }
