package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"pinhole/db"
	"pinhole/thumbs"
)

// ThumbSource is the original a thumbnail is made from.
type ThumbSource struct {
	Path        string // absolute, checked to be inside the originals
	Hash        string // content hash; keys the thumbnail cache
	MIME        string
	Orientation int // 0: read it from the file
}

// Thumb is a rendered thumbnail: a file to send, or the bytes themselves.
type Thumb struct {
	Path        string
	Data        []byte
	ETag        string // quoted; one is derived from hash and size if empty
	ContentType string // image/jpeg if empty
}

// Thumbnailer renders thumbnails. The thumbs package's service fits behind
// a small adapter written by the app package.
type Thumbnailer interface {
	Thumb(ctx context.Context, src ThumbSource, size string) (Thumb, error)
	// Placeholder is a neutral image of that size shown instead of a
	// thumbnail that cannot be had (bad token, unreadable file).
	Placeholder(size, reason string) []byte
	// Reason turns a Thumb error into a short sentence for the placeholder
	// ("video preview needs ffmpeg").
	Reason(err error) string
}

// ThumbSizes are the thumbnail size names the API accepts: thumbs.Sizes's
// (PhotoPrism's, so people recognise them).
var ThumbSizes = thumbs.SizeNames()

func validSize(s string) bool {
	for _, n := range ThumbSizes {
		if n == s {
			return true
		}
	}
	return false
}

// validHash accepts a lower-case hex content hash (SHA-1 today).
func validHash(h string) bool {
	if len(h) < 40 || len(h) > 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if !(h[i] >= '0' && h[i] <= '9' || h[i] >= 'a' && h[i] <= 'f') {
			return false
		}
	}
	return true
}

// validToken accepts the URL-safe base64 tokens auth makes.
func validToken(t string) bool {
	if len(t) < 20 || len(t) > 100 {
		return false
	}
	for i := 0; i < len(t); i++ {
		ch := t[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
			return false
		}
	}
	return true
}

// cleanRel checks a path relative to the originals that came from a
// request: no absolute paths, no "..", no backslashes or NULs. It returns
// the cleaned path ("" for the root).
func cleanRel(p string) (string, error) {
	bad := fmt.Errorf("path %q must be a folder inside the originals: %w", p, db.ErrInvalid)
	if len(p) > 1024 || strings.ContainsAny(p, "\\\x00") || strings.HasPrefix(p, "/") {
		return "", bad
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return "", bad
		}
	}
	c := path.Clean("/" + p)[1:]
	return c, nil
}

// scopeForToken decides what a thumbnail/download token may fetch: a
// user's own secret what their role may see now (every photo for users
// and admins, non-private ones for viewers), a share's access secret that
// album's non-private ones. A secret of a deleted account, or one
// replaced by a role or password change or a rotation, is no one's.
func (s *Server) scopeForToken(ctx context.Context, tok string) (db.FileScope, bool, error) {
	if !validToken(tok) {
		return db.FileScope{}, false, nil
	}
	owner, ok, err := s.auth.LinkOwner(ctx, tok)
	if err != nil {
		return db.FileScope{}, false, err
	}
	if ok {
		if !slices.Contains(db.Roles, owner.Role) {
			return db.FileScope{}, false, nil
		}
		return db.FileScope{Reader: db.ReaderOf(owner.Role, owner.UserID)}, true, nil
	}
	sh, err := s.auth.ShareByAccess(ctx, tok)
	if errors.Is(err, db.ErrNotFound) {
		return db.FileScope{}, false, nil
	} else if err != nil {
		return db.FileScope{}, false, err
	}
	// A visitor fetches what the share's page lists, no more: the album's
	// photos that are neither private nor archived.
	return db.FileScope{Reader: db.ShareReader(sh), NoOriginals: !sh.Downloads}, true, nil
}

// resolveOriginal turns a path from the database into an absolute path,
// refusing anything that ends up outside the originals, symlinks included.
func (s *Server) resolveOriginal(rel string) (string, error) {
	root := s.deps.Originals
	if root == "" {
		return "", echo.NewHTTPError(http.StatusServiceUnavailable, "the originals folder is not configured")
	}
	clean, err := cleanRel(rel)
	if err != nil || clean == "" {
		return "", fmt.Errorf("file %q: %w", rel, db.ErrNotFound)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", echo.NewHTTPError(http.StatusServiceUnavailable, "the originals folder is not available")
	}
	real, err := filepath.EvalSymlinks(filepath.Join(realRoot, filepath.FromSlash(clean)))
	if err != nil {
		return "", fmt.Errorf("file %s is not on disk: %w", clean, db.ErrNotFound)
	}
	if r, err := filepath.Rel(realRoot, real); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("file %s points outside the originals: %w", clean, db.ErrNotFound)
	}
	return real, nil
}

var greyPNG = func() []byte {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = 0x88
	}
	img.Set(0, 0, color.Gray{Y: 0x88})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}()

// placeholder answers with a neutral image instead of a thumbnail, never
// cached, so a browser's <img> shows grey rather than a broken icon.
func (s *Server) placeholder(c echo.Context, code int, size, reason string) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Pinhole-Error", reason)
	if c.QueryParam("ph") == "0" {
		// The web app's grid asks for no placeholder picture: an <img>
		// that fails lets it draw a tile saying why, in the theme's
		// colours, instead of a grey picture with small print.
		return c.JSON(code, map[string]string{"error": reason})
	}
	if s.deps.Thumbs != nil {
		if b := s.deps.Thumbs.Placeholder(size, reason); len(b) > 0 {
			return c.Blob(code, http.DetectContentType(b), b)
		}
	}
	return c.Blob(code, "image/png", greyPNG)
}

func (s *Server) thumb(c echo.Context) error {
	hash, tok, size := c.Param("hash"), c.Param("token"), c.Param("size")
	if !validSize(size) {
		return echo.NewHTTPError(http.StatusBadRequest, "unknown thumbnail size; use one of "+strings.Join(ThumbSizes, ", "))
	}
	if !validHash(hash) {
		return echo.NewHTTPError(http.StatusBadRequest, "malformed photo hash")
	}
	ctx := c.Request().Context()
	scope, ok, err := s.scopeForToken(ctx, tok)
	if err != nil {
		return err
	}
	if !ok {
		return s.placeholder(c, http.StatusForbidden, size, "this link's token is no longer valid")
	}
	if scope.NoOriginals && (size == "fit_2560" || size == "fit_4096") {
		// A share without downloads shows screen-sized images, not
		// near-originals.
		size = "fit_1920"
	}
	f, err := s.deps.DB.FileByHash(ctx, hash, scope)
	if errors.Is(err, db.ErrNotFound) {
		return s.placeholder(c, http.StatusNotFound, size, "no such photo")
	} else if err != nil {
		return err
	}
	abs, err := s.resolveOriginal(f.Path)
	if err != nil {
		return s.placeholder(c, http.StatusNotFound, size, "the original file is not available")
	}
	if s.deps.Thumbs == nil {
		return s.placeholder(c, http.StatusServiceUnavailable, size, "thumbnails are not available")
	}
	t, err := s.deps.Thumbs.Thumb(ctx, ThumbSource{Path: abs, Hash: hash, MIME: f.MIME, Orientation: f.Orientation}, size)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.Debug("thumbnail failed", "hash", hash, "size", size, "err", err)
		reason := s.deps.Thumbs.Reason(err)
		if reason == "" || strings.ContainsAny(reason, "/\\") || (f.Name != "" && strings.Contains(reason, f.Name)) {
			// The reason goes to anyone holding the URL, share visitors
			// included: never a path or a file name.
			reason = "this file cannot be shown"
		}
		return s.placeholder(c, http.StatusUnprocessableEntity, size, reason)
	}
	if t.ETag == "" {
		t.ETag = `"` + hash + "-" + size + `"`
	}
	if t.ContentType == "" {
		t.ContentType = "image/jpeg"
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("ETag", t.ETag)
	h.Set("Content-Type", t.ContentType)
	if t.Path != "" {
		fh, err := os.Open(t.Path)
		if err != nil {
			return fmt.Errorf("open thumbnail: %w", err)
		}
		defer fh.Close()
		http.ServeContent(c.Response(), c.Request(), "", time.Time{}, fh)
		return nil
	}
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, bytes.NewReader(t.Data))
	return nil
}

func (s *Server) download(c echo.Context) error {
	f, err := s.tokenFile(c, false)
	if err != nil {
		return err
	}
	return s.serveOriginal(c, f, false)
}

// tokenFile finds the file a download or video URL names, as its token
// may see it.
func (s *Server) tokenFile(c echo.Context, inline bool) (db.MediaFile, error) {
	hash, tok := c.Param("hash"), c.QueryParam("t")
	if !validHash(hash) {
		return db.MediaFile{}, echo.NewHTTPError(http.StatusBadRequest, "malformed file hash")
	}
	ctx := c.Request().Context()
	scope, ok, err := s.scopeForToken(ctx, tok)
	if err != nil {
		return db.MediaFile{}, err
	}
	if !ok {
		return db.MediaFile{}, echo.NewHTTPError(http.StatusForbidden, "this download link's token is missing or no longer valid")
	}
	if scope.NoOriginals && !inline {
		// Videos still stream: a shared video must play.
		return db.MediaFile{}, echo.NewHTTPError(http.StatusForbidden, "the owner has turned off downloads for this shared album")
	}
	f, err := s.deps.DB.FileByHash(ctx, hash, scope)
	if err != nil {
		return db.MediaFile{}, err
	}
	if inline && f.Kind != "video" {
		return db.MediaFile{}, fmt.Errorf("file %s is not a video: %w", hash, db.ErrNotFound)
	}
	return f, nil
}

// openOriginal opens an indexed file below the originals for reading. The
// path comes from the database, yet it is checked again: os.Root refuses
// paths that leave the originals, through ".." or through symlinks
// pointing outside. Errors name the file by its hash, never by its folder:
// a share visitor must not learn how the owner files things.
func (s *Server) openOriginal(hash, path string) (*os.File, os.FileInfo, error) {
	if s.deps.Originals == "" {
		return nil, nil, echo.NewHTTPError(http.StatusServiceUnavailable, "the originals folder is not configured")
	}
	root, err := os.OpenRoot(s.deps.Originals)
	if err != nil {
		return nil, nil, echo.NewHTTPError(http.StatusServiceUnavailable, "the originals folder is not available")
	}
	defer root.Close() // files opened through it stay open
	clean, err := cleanRel(path)
	if err != nil {
		return nil, nil, fmt.Errorf("file %s: %w", hash, db.ErrNotFound)
	}
	fh, err := root.Open(filepath.FromSlash(clean))
	if err != nil {
		s.log.Debug("original not readable", "path", clean, "err", err)
		return nil, nil, fmt.Errorf("file %s is not readable on disk: %w", hash, db.ErrNotFound)
	}
	st, err := fh.Stat()
	if err != nil || !st.Mode().IsRegular() {
		fh.Close()
		return nil, nil, fmt.Errorf("file %s: %w", hash, db.ErrNotFound)
	}
	return fh, st, nil
}

// serveOriginal streams an original file, with Range support. inline
// serves videos for <video>; otherwise it is a download named like the
// original.
func (s *Server) serveOriginal(c echo.Context, f db.MediaFile, inline bool) error {
	hash := c.Param("hash")
	fh, st, err := s.openOriginal(hash, f.Path)
	if err != nil {
		return err
	}
	defer fh.Close()
	ct := f.MIME
	if ct == "" {
		ct = mime.TypeByExtension(strings.ToLower(path.Ext(f.Name)))
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := c.Response().Header()
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("ETag", `"`+hash+`"`)
	disp := "attachment"
	if inline {
		disp = "inline"
	}
	cd := mime.FormatMediaType(disp, map[string]string{"filename": f.Name})
	if cd == "" { // a name mime cannot encode
		cd = disp + `; filename="` + hash + path.Ext(f.Name) + `"`
	}
	h.Set("Content-Disposition", cd)
	http.ServeContent(c.Response(), c.Request(), "", st.ModTime(), fh)
	return nil
}
