package web

import (
	"bytes"
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// The built web app (web/ui/dist, made by `make ui`). The "all:" prefix keeps
// dist/.gitkeep in the pattern, so the binary builds before the UI ever was.
//
//go:embed all:ui/dist
var uiFiles embed.FS

// UIHandler serves the embedded single-page app: hashed files under /assets/
// cached forever, and index.html (never cached, so a new binary's assets are
// picked up at once) for / and every client-side route outside /api/.
// When the UI was not built it serves a page that says so.
func UIHandler() http.Handler {
	dist, err := fs.Sub(uiFiles, "ui/dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder exists
	}
	return newUIHandler(dist)
}

func newUIHandler(dist fs.FS) http.Handler {
	index, err := fs.ReadFile(dist, "index.html")
	built := err == nil
	if !built {
		index = []byte(notBuiltPage)
	}
	// Embedded files carry no modification time; the binary's start stands in
	// so If-Modified-Since works for index.html.
	started := time.Now()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := path.Clean("/" + r.URL.Path)
		if p == "/api" || strings.HasPrefix(p, "/api/") {
			http.NotFound(w, r)
			return
		}
		if strings.HasPrefix(p, "/assets/") {
			name := strings.TrimPrefix(p, "/")
			if _, err := fs.Stat(dist, name); err != nil {
				// A missing hashed asset must not fall back to index.html: the
				// browser would try to run HTML as JavaScript.
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			http.ServeFileFS(w, r, dist, name)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// Without a build the explanatory page still answers 200: the
		// server works, only the web app is absent.
		http.ServeContent(w, r, "index.html", started, bytes.NewReader(index))
	})
}

const notBuiltPage = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Pinhole</title>
<style>body{font:16px system-ui,sans-serif;background:#1b1c1e;color:#e8e8ea;display:grid;place-items:center;min-height:100vh;margin:0;padding:20px}code{background:#2d2f33;padding:2px 6px;border-radius:4px}</style>
</head><body><main><h1>Pinhole</h1><p>The web app was not built: run <code>make build</code> and restart Pinhole.</p>
<p>The API is up: <a style="color:#8ab4f8" href="/api/v1/status">/api/v1/status</a></p></main></body></html>`

// uiHandler is built once: reading index.html from the embedded files is
// the only work it does.
var uiHandler = UIHandler()

// serveUI is UIHandler as an echo route (for "/" and "/*" in the route table).
func (s *Server) serveUI(c echo.Context) error {
	uiHandler.ServeHTTP(c.Response(), c.Request())
	return nil
}
