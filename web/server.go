// Package web is Pinhole's HTTP face: the JSON API under /api/v1 and the
// embedded web app at /, on echo. Handlers are thin: they parse the
// request, call the database or a service, and render JSON; errors are
// mapped to statuses in one place (errors.go), and who may call what is
// decided in one route table (routes below).
package web

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"pinhole/app/auth"
	"pinhole/app/index"
	"pinhole/db"
)

// Deps is what the server needs from the rest of Pinhole. The app package
// fills it; optional fields left nil or zero disable what they serve.
type Deps struct {
	// DB is required.
	DB  *db.DB
	Log *slog.Logger
	// Status returns the detailed status document (index progress, watcher,
	// counts) that logged-in callers get from /api/v1/status, cut to what
	// the caller may see; it embeds pub, what everyone is told.
	Status func(ctx context.Context, v StatusView, pub PublicStatus) any
	// Version is reported by /api/v1/status to everyone.
	Version string
	// Originals is the absolute originals folder. Downloads, video and
	// uploads need it; without it they answer 503.
	Originals string
	// Options come from app/config, which alone holds their defaults; web
	// keeps none of its own, so a value left out here is not silently
	// replaced by one that may differ from the documented default.
	//
	// ReadOnly refuses uploads (the originals are never written), unless
	// UploadWritable allows writing into UploadFolder alone.
	ReadOnly bool
	// UploadWritable lets uploads and WebDAV write into UploadFolder while
	// the rest of the originals stays read-only.
	UploadWritable bool
	// UploadFolder is the folder inside Originals uploads go to,
	// UploadLimitMB caps one upload request, MaxMegapixels refuses uploaded
	// images declaring more pixels. Uploads are off, saying which is
	// missing, unless all three are set.
	UploadFolder  string
	UploadLimitMB int64
	MaxMegapixels int
	// SessionTTL is how long a login lasts. Required: New panics when it
	// is not positive, since every login would expire at once.
	SessionTTL time.Duration
	// MetricsPublic serves /metrics to anyone, not only admins and loopback.
	MetricsPublic bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (web/proxies.go); empty: the connection's address is the
	// client's, whatever the headers say.
	TrustedProxies []netip.Prefix
	// Keys seal share links and derive users' thumbnail secrets from the
	// server key; nil: keys that last as long as the process.
	Keys *auth.Keys
	// Thumbs renders thumbnails; nil serves placeholders.
	Thumbs Thumbnailer
	// Index indexes uploads and runs rescans; nil saves uploads without
	// indexing them (the watcher will) and answers rescans with 503.
	Index Indexer
	// Metrics, when set, writes extra Prometheus lines (e.g. cache stats).
	Metrics func(w io.Writer)
	// Tiles serves map tiles; nil answers them with 503 (the map's
	// clusters still work).
	Tiles TileServer
	// Online pauses and resumes the online geocoder and tile upstream;
	// nil answers /api/v1/settings/online with 503.
	Online OnlineSwitch
	// Helpers reports whether the thumbnail renderer found heif-convert
	// and ffmpeg; photos needing a missing one are listed as problems.
	// nil means neither was found.
	Helpers func() (heif, ffmpeg bool)
	// Refusals tells which files the thumbnail renderer gives no
	// thumbnail and why, for problem tiles and the Problems list; nil
	// knows none.
	Refusals Refusals
	// Conns caps open connections and slow request bodies (web/conns.go).
	Conns ConnLimits
	// Videos converts the videos browsers cannot play (web/video.go); nil
	// serves every video as it is.
	Videos Transcoder
	// UI is the built web app (index.html and assets/); nil serves the
	// one embedded in the binary. Tests set their own.
	UI fs.FS

	// PublicURL is where people open Pinhole ("https://photos.example.com");
	// sign-in with the provider starts there, so its cookie is on the host
	// the provider sends people back to.
	PublicURL string
	// OIDC signs people in through an OpenID Connect provider (web/oidc.go);
	// nil: passwords only.
	OIDC *auth.OIDCConfig
	// LocalLoginOff refuses password sign-ins to every account but
	// BreakGlassAdmin.
	LocalLoginOff   bool
	BreakGlassAdmin string

	// Trash moves photos to the Trash and empties it (web/trash.go); nil
	// answers the Trash routes with 503.
	Trash Trasher
	// Dupes groups near-duplicate photos (web/dupes.go); nil answers the
	// list with 503.
	Dupes Dupes
}

// StatusView says who asks for the status document: admins see all of
// it; others no absolute paths or error details, and those who may not
// see private photos no counts that include them.
type StatusView struct {
	Admin  bool
	Reader db.Reader
}

// PublicStatus is what /api/v1/status tells anyone, logged in or not.
type PublicStatus struct {
	Status        string      `json:"status"` // ok, or degraded when something needs an admin
	Version       string      `json:"version"`
	SetupRequired bool        `json:"setup_required"`
	ThumbSizes    []ThumbSize `json:"thumb_sizes"`
	// SignIn says how people sign in: with passwords, with a provider.
	SignIn SignInInfo `json:"sign_in"`
}

// SignInInfo is how the login page offers to sign in.
type SignInInfo struct {
	Passwords bool            `json:"passwords"`
	Provider  *SignInProvider `json:"provider,omitempty"`
}

// SignInProvider is the configured OpenID Connect provider: its name for
// the button and where its sign-in starts.
type SignInProvider struct {
	Name  string `json:"name"`
	Start string `json:"start"`
}

// Refusals is what the web server asks the thumbnail renderer about files
// it gives no thumbnail.
type Refusals interface {
	Refusal(hash string) (db.RenderRefusal, bool)
	All() []db.RenderRefusal
}

// Indexer is what the web server needs from the indexer.
type Indexer interface {
	// Changed indexes these paths (relative to the originals) now.
	Changed(ctx context.Context, rels []string) error
	// Rescan starts a scan of the whole library in the background and
	// reports false when one is already running.
	Rescan() bool
	// Progress is the live progress sent over /api/v1/events.
	Progress() index.Progress
}

// Server is the configured echo instance.
type Server struct {
	e       *echo.Echo
	deps    Deps
	log     *slog.Logger
	auth    *auth.Service
	events  *broker
	metrics *httpMetrics
	started time.Time
	table   []route // the route table, for tests that walk it by access
	ui      *uiApp
	oidc    *auth.OIDC // nil: no sign-in with a provider

	davState davState // WebDAV's locks and indexing queue (web/dav.go)
}

// New builds the server and its routes.
func New(deps Deps) *Server {
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.SessionTTL <= 0 {
		panic("web.New: Deps.SessionTTL must be positive (app passes --session-ttl)")
	}
	if deps.Version == "" {
		deps.Version = "dev"
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.IPExtractor = clientIP(deps.TrustedProxies)
	s := &Server{e: e, deps: deps, log: deps.Log, auth: auth.NewService(deps.DB, deps.SessionTTL, deps.Keys),
		events: newBroker(), metrics: newHTTPMetrics(), started: time.Now(), ui: uiHandler}
	if deps.UI != nil {
		s.ui = newUIHandler(deps.UI)
	}
	s.auth.SetSignIn(!deps.LocalLoginOff, deps.BreakGlassAdmin)
	if deps.OIDC != nil {
		s.oidc = auth.NewOIDC(*deps.OIDC, s.auth)
	}
	e.HTTPErrorHandler = s.handleError
	e.JSONSerializer = readersJSON{}
	e.Use(s.recoverPanics, s.logRequests, securityHeaders,
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
			Limit:   "1M",
			Skipper: func(c echo.Context) bool { return c.Path() == "/api/v1/upload" || isDAVUpload(c) },
		}),
		compressJSON(noGzip),
		s.identify)
	s.routes()
	return s
}

// compressJSON gzips responses of 1 KiB and more at the fastest level:
// JSON still shrinks about 6×. klauspost/compress does it in about half the
// CPU of the standard library, which matters on a Pi: with the standard
// library, compression was a quarter of the server's CPU under the search
// benchmark. zstd stays off: its encoders cost megabytes each.
func compressJSON(skip func(echo.Context) bool) echo.MiddlewareFunc {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(1024), gzhttp.CompressionLevel(gzip.BestSpeed), gzhttp.EnableZstd(false))
	if err != nil {
		panic(err) // the options above are constant
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skip(c) {
				return next(c)
			}
			res := c.Response()
			orig := res.Writer
			var err error
			wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				res.Writer = w
				c.SetRequest(r)
				err = next(c)
			})).ServeHTTP(orig, c.Request())
			// An error is written by the error handler after this returns,
			// uncompressed, straight to the connection.
			res.Writer = orig
			return err
		}
	}
}

// noGzip leaves images, map tiles, video, downloads and the event stream
// alone: they are compressed already or must flush as they go.
func noGzip(c echo.Context) bool {
	return tokenAuthorised(c) || strings.HasPrefix(c.Path(), "/api/v1/tiles/") || c.Path() == "/api/v1/events" ||
		isDAV(c) && c.Request().Method != "PROPFIND" // WebDAV serves originals as they are; listings are XML
}

// tokenAuthorised reports routes authorised by the token in their URL alone
// (thumbnails, downloads, video), which need no session lookup.
func tokenAuthorised(c echo.Context) bool {
	p := c.Path()
	for _, pre := range []string{"/api/v1/t/", "/api/v1/dl/", "/api/v1/video/", "/api/v1/motion/"} {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}

// Handler is the server as an http.Handler (tests use it with httptest),
// with request bodies guarded against trickling as Serve does.
func (s *Server) Handler() http.Handler { return guardBodies(s.deps.Conns, s.e) }

// Serve accepts connections on ln until ctx ends, then shuts down
// gracefully, letting requests in flight finish for up to 10 s.
// Connections over the limits of Deps.Conns are closed as they arrive;
// headers must come within 10 s, bodies keep a minimum rate.
func (s *Server) Serve(ctx context.Context, ln net.Listener, tlsCfg *tls.Config) error {
	ln = newLimitListener(ln, s.deps.Conns, s.log)
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		TLSConfig:         tlsCfg,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	errc := make(chan error, 1)
	go func() {
		if tlsCfg != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	go s.purgeSessions(ctx)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.events.close()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) {
		return e
	}
	return err
}

// purgeSessions deletes expired sessions hourly so the table stays small.
func (s *Server) purgeSessions(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := s.deps.DB.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("purge sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// noHead are the GET routes without a HEAD twin.
var noHead = map[string]bool{"/api/v1/events": true, "/api/v1/oidc/start": true, "/api/v1/oidc/callback": true}

// access is who may call a route.
type access int

const (
	anyone access = iota // no login needed
	viewer               // any logged-in role
	user                 // user or admin
	admin                // admin only
	token                // a thumbnail/download/share token in the URL, checked by the handler
	basic                // HTTP Basic with an app password, checked by the handler (WebDAV, web/dav.go)
)

type route struct {
	method, path string
	who          access
	h            echo.HandlerFunc
}

// routes is the one table of every route and who may call it. The
// authorization matrix test walks the router's own list against it.
func (s *Server) routes() {
	const v1 = "/api/v1"
	table := []route{
		{"GET", "/healthz", anyone, s.health},
		{"GET", "/metrics", anyone, s.serveMetrics},                       // admin or loopback, checked inside
		{"GET", "/", anyone, s.serveUI}, {"GET", "/*", anyone, s.serveUI}, // the web app (web/ui.go)

		{"GET", v1 + "/status", anyone, s.status},
		{"POST", v1 + "/setup", anyone, s.setup},
		{"POST", v1 + "/session", anyone, s.login},
		{"GET", v1 + "/session", viewer, s.currentSession},
		{"DELETE", v1 + "/session", viewer, s.logout},
		{"PUT", v1 + "/session/password", viewer, s.changePassword},
		{"GET", v1 + "/sessions", viewer, s.listSessions},
		{"DELETE", v1 + "/sessions/:id", viewer, s.revokeSession},

		{"GET", v1 + "/users", admin, s.listUsers},
		{"POST", v1 + "/users", admin, s.createUser},
		{"PATCH", v1 + "/users/:id", admin, s.editUser},
		{"DELETE", v1 + "/users/:id", admin, s.deleteUser},
		{"POST", v1 + "/tokens/rotate", admin, s.rotateTokens},
		{"GET", v1 + "/settings/online", admin, s.onlineSettings},    // web/settings.go
		{"PUT", v1 + "/settings/online", admin, s.setOnlineSettings}, // web/settings.go

		{"GET", v1 + "/photos", viewer, s.listPhotos},
		{"GET", v1 + "/photos/months", viewer, s.photoMonths},
		{"POST", v1 + "/photos/batch", user, s.batchPhotos},
		{"GET", v1 + "/photos/:id", viewer, s.photoDetail},
		{"PATCH", v1 + "/photos/:id", user, s.editPhoto},
		{"POST", v1 + "/photos/batch-edit", user, s.batchEdit}, // web/batch.go

		{"GET", v1 + "/t/:hash/:token/:size", token, s.thumb},
		{"GET", v1 + "/dl/:hash", token, s.download},
		{"GET", v1 + "/video/:hash", token, s.video},
		{"GET", v1 + "/video/:hash/status", token, s.videoStatus}, // web/video.go
		{"GET", v1 + "/motion/:hash", token, s.motion},            // web/motion.go: a motion photo's embedded video
		{"POST", v1 + "/upload", user, s.upload},

		{"GET", v1 + "/albums", viewer, s.listAlbums},
		{"POST", v1 + "/albums", user, s.createAlbum},
		{"PUT", v1 + "/albums/order", user, s.orderAlbums},
		{"GET", v1 + "/albums/:id", viewer, s.getAlbum},
		{"PATCH", v1 + "/albums/:id", user, s.editAlbum},
		{"DELETE", v1 + "/albums/:id", user, s.deleteAlbum},
		{"POST", v1 + "/albums/:id/photos", user, s.addToAlbum},
		{"DELETE", v1 + "/albums/:id/photos", user, s.removeFromAlbum},
		{"PUT", v1 + "/albums/:id/order", user, s.orderAlbum},
		{"GET", v1 + "/albums/:id/shares", user, s.albumShares},
		{"POST", v1 + "/albums/:id/shares", user, s.createShare},

		{"GET", v1 + "/shares", user, s.listShares},
		{"PATCH", v1 + "/shares/:id", user, s.editShare},
		{"DELETE", v1 + "/shares/:id", user, s.revokeShare},
		{"GET", v1 + "/s/:token", token, s.visitShare},
		{"POST", v1 + "/s/:token/unlock", token, s.unlockShare},
		{"GET", v1 + "/s/:token/photos", token, s.sharePhotos},
		{"GET", v1 + "/s/:token/photos/:id", token, s.sharePhoto},

		{"GET", v1 + "/folders", viewer, s.folders},
		{"GET", v1 + "/calendar", viewer, s.calendar},
		{"GET", v1 + "/places", viewer, s.places},
		{"GET", v1 + "/places/search", viewer, s.searchPlaces}, // web/batch.go
		{"GET", v1 + "/cameras", viewer, s.cameras},
		{"GET", v1 + "/search/suggest", viewer, s.suggest},     // web/suggest.go
		{"GET", v1 + "/geo", viewer, s.geo},                    // web/geo.go
		{"GET", v1 + "/tiles/:style/:z/:x/:y", viewer, s.tile}, // web/tiles.go

		{"DELETE", v1 + "/caches/:name", admin, s.clearCache},
		{"POST", v1 + "/index/rescan", admin, s.rescan},
		{"GET", v1 + "/events", viewer, s.eventStream},
		{"GET", v1 + "/problems", viewer, s.problems}, // web/problems.go; viewers see no private photos' files
		{"GET", v1 + "/memories", viewer, s.memories}, // web/memories.go

		// Sign-in with a provider and two-factor sign-in (web/oidc.go, web/totp.go).
		{"POST", v1 + "/session/totp", anyone, s.loginTOTP},
		{"GET", v1 + "/oidc/start", anyone, s.oidcStart},
		{"GET", v1 + "/oidc/callback", anyone, s.oidcCallback},
		{"GET", v1 + "/account/totp", viewer, s.totpStatus},
		{"POST", v1 + "/account/totp", viewer, s.totpBegin},
		{"PUT", v1 + "/account/totp", viewer, s.totpConfirm},
		{"DELETE", v1 + "/account/totp", viewer, s.totpDisable},
		{"DELETE", v1 + "/users/:id/totp", admin, s.totpReset},
		{"GET", v1 + "/settings/totp", admin, s.totpSettings},
		{"PUT", v1 + "/settings/totp", admin, s.setTOTPSettings},
		{"GET", v1 + "/app-passwords", user, s.listAppPasswords},         // web/apppasswords.go
		{"POST", v1 + "/app-passwords", user, s.createAppPassword},       // web/apppasswords.go
		{"DELETE", v1 + "/app-passwords/:id", user, s.revokeAppPassword}, // web/apppasswords.go

		// The Trash (web/trash.go): viewers may not trash.
		{"GET", v1 + "/trash", user, s.listTrash},
		{"POST", v1 + "/trash", user, s.trashPhotos},
		{"POST", v1 + "/trash/restore", user, s.restoreTrash},
		{"POST", v1 + "/trash/empty", user, s.emptyTrash},
		{"GET", v1 + "/dupes", user, s.listDupes},             // web/dupes.go
		{"POST", v1 + "/dupes/dismiss", user, s.dismissDupes}, // web/dupes.go
		{"POST", v1 + "/dupes/resolve", user, s.resolveDupes}, // web/dupes.go

		// Private spaces and partner sharing (web/spaces.go).
		{"GET", v1 + "/space", viewer, s.space},
		{"PUT", v1 + "/space", user, s.setSpace},
		{"POST", v1 + "/space/partners", user, s.sharePartner},
		{"DELETE", v1 + "/space/partners/:id", viewer, s.revokePartner},
		{"PUT", v1 + "/photos/:id/only-me", user, s.setOnlyMe},
		{"PUT", v1 + "/photos/only-me", user, s.setOnlyMeMany},
		{"GET", v1 + "/space/folders", admin, s.spaceFolders},
		{"PUT", v1 + "/space/folders", admin, s.assignFolder},
		{"DELETE", v1 + "/space/folders", admin, s.unassignFolder},
	}
	table = append(table, s.davRoutes()...)    // web/dav.go
	table = append(table, s.peopleRoutes()...) // web/people.go
	table = append(table, s.trackRoutes()...)  // web/tracks.go
	s.table = table
	for _, r := range table {
		s.e.Add(r.method, r.path, r.h, s.require(r.who))
		// HEAD answers like GET without the body (net/http drops it), for
		// link checkers and caches; not for the endless event stream, nor
		// for the sign-in redirects (a HEAD would start or spend a sign-in).
		if r.method == "GET" && !noHead[r.path] {
			s.e.Add("HEAD", r.path, r.h, s.require(r.who))
		}
	}
	// Unknown API paths answer JSON 404 rather than the web app.
	s.e.Any(v1+"/*", func(c echo.Context) error {
		return echo.NewHTTPError(http.StatusNotFound, "no such API route")
	})
}

func (s *Server) health(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// status tells anyone whether the server is up and needs setup; logged-in
// callers get the full document.
func (s *Server) status(c echo.Context) error {
	ctx := c.Request().Context()
	n, err := s.deps.DB.CountUsers(ctx)
	if err != nil {
		return err
	}
	pub := PublicStatus{Status: "ok", Version: s.deps.Version, SetupRequired: n == 0, ThumbSizes: thumbSizes, SignIn: s.signInInfo()}
	cl := callerOf(c)
	if cl.session == nil || s.deps.Status == nil {
		return c.JSON(http.StatusOK, pub)
	}
	return c.JSON(http.StatusOK, s.deps.Status(ctx, StatusView{Admin: cl.role() == db.RoleAdmin, Reader: cl.reader}, pub))
}
