package web

import (
	"bytes"
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// The built web app (web/ui/dist, made by `make ui`). The "all:" prefix keeps
// dist/.gitkeep in the pattern, so the binary builds before the UI ever was.
//
//go:embed all:ui/dist
var uiFiles embed.FS

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the embed pattern guarantees the folder exists
	}
	return sub
}

// newUIHandler serves the single-page app built into dist: hashed files
// under /assets/ cached forever, and index.html (never cached, so a new
// binary's assets are picked up at once) for / and every client-side route
// outside /api/. When the UI was not built it serves a page that says so.
func newUIHandler(dist fs.FS) *uiApp {
	index, err := fs.ReadFile(dist, "index.html")
	built := err == nil
	if !built {
		index = []byte(notBuiltPage)
	}
	// Embedded files carry no modification time; the binary's start stands in
	// so If-Modified-Since works for index.html.
	return &uiApp{dist: dist, index: index, built: built, started: time.Now()}
}

// uiApp serves the built web app from dist.
type uiApp struct {
	dist    fs.FS
	index   []byte
	built   bool
	started time.Time
}

func (u *uiApp) ServeHTTP(w http.ResponseWriter, r *http.Request) { u.serve(w, r, nil) }

// serve answers r. boot, when not nil, is asked for data to inline into
// index.html (see bootData); index.html then varies by cookie and is never
// stored.
func (u *uiApp) serve(w http.ResponseWriter, r *http.Request, boot func() []byte) {
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
		if _, err := fs.Stat(u.dist, name); err != nil {
			// A missing hashed asset must not fall back to index.html: the
			// browser would try to run HTML as JavaScript.
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		http.ServeFileFS(w, r, u.dist, name)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if u.built && boot != nil {
		if data := boot(); data != nil {
			// The page carries the caller's own session: no cache may keep
			// it or hand it to another cookie, and no 304 may bring back a
			// page made for an earlier (or no) login.
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Add("Vary", "Cookie")
			page := inlineBoot(u.index, data)
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
			w.WriteHeader(http.StatusOK)
			if r.Method != http.MethodHead {
				_, _ = w.Write(page)
			}
			return
		}
	}
	w.Header().Set("Cache-Control", "no-cache")
	// Without a build the explanatory page still answers 200: the
	// server works, only the web app is absent.
	http.ServeContent(w, r, "index.html", u.started, bytes.NewReader(u.index))
}

// inlineBoot puts data (JSON, already escaped for a script element) into
// index.html as <script type="application/json" id="boot">: data, not
// code, so the Content-Security-Policy's script-src 'self' allows it.
func inlineBoot(index, data []byte) []byte {
	tag := make([]byte, 0, len(data)+64)
	tag = append(tag, `<script type="application/json" id="boot">`...)
	tag = append(tag, data...)
	tag = append(tag, "</script>\n"...)
	at := bytes.Index(index, []byte("</head>"))
	if at < 0 {
		at = 0
	}
	out := make([]byte, 0, len(index)+len(tag))
	out = append(out, index[:at]...)
	out = append(out, tag...)
	return append(out, index[at:]...)
}

const notBuiltPage = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Pinhole</title>
<style>body{font:16px system-ui,sans-serif;background:#1b1c1e;color:#e8e8ea;display:grid;place-items:center;min-height:100vh;margin:0;padding:20px}code{background:#2d2f33;padding:2px 6px;border-radius:4px}</style>
</head><body><main><h1>Pinhole</h1><p>The web app was not built: run <code>make build</code> and restart Pinhole.</p>
<p>The API is up: <a style="color:#8ab4f8" href="/api/v1/status">/api/v1/status</a></p></main></body></html>`

// uiHandler is built once: reading index.html from the embedded files is
// the only work it does. Servers use it unless Deps.UI names another build.
var uiHandler = newUIHandler(mustSub(uiFiles, "ui/dist"))

// serveUI is the embedded app as an echo route (for "/" and "/*" in the route
// table), with the boot data (web/boot.go) inlined into index.html.
func (s *Server) serveUI(c echo.Context) error {
	s.ui.serve(c.Response(), c.Request(), func() []byte { return s.bootData(c) })
	return nil
}
