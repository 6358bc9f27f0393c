package web

// WebDAV at /dav/ for phone backup apps (PhotoSync, FolderSync) and sync
// tools (rclone). Each user signs in with HTTP Basic: their user name and
// an app password made in Settings, never the account password and never
// the session cookie (so no page in a browser can make requests with it:
// CSRF does not apply). They see their own folder inside the upload
// folder, Uploads/<user>/, as the WebDAV root, and nothing else.
//
// What a client may do there:
//   - list it (so an app's "upload only new" can compare), read its files;
//   - create folders, and new files under a name the library takes or a
//     client's temporary name ("IMG_1.jpg.part"). Every file is checked
//     exactly as a browser upload is (web/upload.go, stagedUpload):
//     content sniffed, size limit, decode bombs refused. It is written
//     under a hidden temporary name, synced, and renamed into place only
//     once its body arrived whole and passed, then indexed at once;
//   - replace, rename or delete its own unfinished uploads: files the
//     library does not index (a client's "IMG_1.jpg.part"), and empty
//     folders;
//   - never overwrite, move or delete a file in the library (403 with the
//     reason). Uploading the very same bytes again is accepted and
//     changes nothing, so a re-run of a backup does not fail.

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/net/webdav"

	"pinhole/app/auth"
	"pinhole/app/index"
	"pinhole/app/meta"
	"pinhole/db"
)

// davPrefix is where WebDAV is served.
const davPrefix = "/dav"

// davMethods are the methods served below /dav/ (HEAD comes with GET).
var davMethods = []string{"OPTIONS", "PROPFIND", "PROPPATCH", "MKCOL", "GET", "PUT", "DELETE", "COPY", "MOVE", "LOCK", "UNLOCK"}

// davRoutes are WebDAV's rows of the route table. /dav itself (what a
// client given the address without the slash asks first) answers OPTIONS
// and PROPFIND as the root; GET /dav stays the web app's.
func (s *Server) davRoutes() []route {
	out := []route{{"OPTIONS", davPrefix, basic, s.dav}, {"PROPFIND", davPrefix, basic, s.dav}}
	for _, m := range davMethods {
		out = append(out, route{m, davPrefix + "/*", basic, s.dav})
	}
	return out
}

// isDAV reports requests routed to WebDAV.
func isDAV(c echo.Context) bool {
	p := c.Path()
	return p == davPrefix || p == davPrefix+"/*"
}

// isDAVUpload reports a WebDAV PUT, whose body is an upload (limited by
// --upload-limit-mb, not the 1 MB of JSON bodies).
func isDAVUpload(c echo.Context) bool { return isDAV(c) && c.Request().Method == http.MethodPut }

// davRealm is the Basic realm clients show when asking for a password.
const davRealm = `Basic realm="Pinhole WebDAV: your user name and an app password from Settings", charset="UTF-8"`

// davInfo says whether WebDAV works for a user, and where their files go.
type davInfo struct {
	Enabled bool   `json:"enabled"`
	Path    string `json:"path"`             // the WebDAV address's path, "/dav/"
	Folder  string `json:"folder,omitempty"` // their WebDAV root inside the originals
	Reason  string `json:"reason,omitempty"` // why not, and what to do
}

// davFor is WebDAV's state for a user: uploads must work for their role
// (web/upload.go, uploadsFor), and their folder is Uploads/<name>.
func (s *Server) davFor(u db.User) davInfo {
	up := s.uploadsFor(u.Role)
	info := davInfo{Enabled: up.Enabled, Path: davPrefix + "/", Reason: up.Reason}
	if up.Folder != "" {
		info.Folder = path.Join(up.Folder, davFolderName(u.Username))
	}
	return info
}

// davFolderName is a user's folder name inside the upload folder: their
// name (letters, digits and . _ - @), made safe: never hidden, never a
// name the indexer skips (such as "@eaDir"), never "." or "..". Such a
// name gets a "+" in front, which no user name has, so two users never
// share a folder.
func davFolderName(username string) string {
	var b strings.Builder
	for _, r := range username {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@", r)
		if !ok {
			r = '_'
		}
		b.WriteRune(r)
	}
	name := b.String()
	if name == "" || index.SkipDir(name) || strings.HasPrefix(name, "@") {
		name = "+" + name
	}
	return name
}

// dav serves one WebDAV request: it signs the client in with an app
// password, opens the user's folder and hands the request to x/net's
// WebDAV handler over a file system (davFS) that enforces the rules in
// this file's comment.
func (s *Server) dav(c echo.Context) error {
	w, r := c.Response(), c.Request()
	ctx := r.Context()
	name, password, ok := r.BasicAuth()
	if !ok {
		// Clients ask without credentials first: no failure is counted.
		w.Header().Set("WWW-Authenticate", davRealm)
		return davError(w, r, http.StatusUnauthorized, "sign in with your user name and an app password (Settings → App passwords)")
	}
	u, _, err := s.auth.CheckAppPassword(ctx, name, password, c.RealIP())
	var rl *auth.RateLimitError
	switch {
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", strconv.Itoa(int(rl.RetryAfter.Seconds())+1))
		return davError(w, r, http.StatusTooManyRequests, rl.Error())
	case errors.Is(err, auth.ErrUnauthorized):
		s.log.Info("webdav sign-in refused", "user", name, "ip", c.RealIP())
		w.Header().Set("WWW-Authenticate", davRealm)
		return davError(w, r, http.StatusUnauthorized, strings.TrimSuffix(err.Error(), ": "+auth.ErrUnauthorized.Error()))
	case errors.Is(err, auth.ErrForbidden):
		return davError(w, r, http.StatusForbidden, strings.TrimSuffix(err.Error(), ": "+auth.ErrForbidden.Error()))
	case err != nil:
		return err
	}
	info := s.davFor(u)
	if !info.Enabled {
		code := http.StatusServiceUnavailable
		if !s.uploadsWritable() {
			code = http.StatusForbidden
		}
		return davError(w, r, code, info.Reason)
	}
	root, err := s.davRoot(info.Folder)
	if err != nil {
		s.log.Error("webdav folder", "folder", info.Folder, "err", err)
		return davError(w, r, http.StatusServiceUnavailable, "your upload folder "+info.Folder+" cannot be opened; see the server's log")
	}
	defer root.Close()

	limit := s.deps.UploadLimitMB << 20
	op := &davOp{method: r.Method, copySize: -1, limit: limit}
	switch r.Method {
	case "LOCK":
		// A lock lasts an hour at most (davLocks), and the answer says so;
		// clients refresh the locks they hold.
		if d, ok := davTimeout(r.Header.Get("Timeout")); !ok || d > davLockMax {
			r.Header.Set("Timeout", fmt.Sprintf("Second-%d", int(davLockMax.Seconds())))
		}
	case http.MethodPut:
		if r.ContentLength > limit {
			return davError(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is too large: uploads are limited to %d MB", limit>>20))
		}
		op.contentLength = r.ContentLength
		op.mtime = ocMtime(r.Header.Get("X-OC-Mtime"))
		r.Body = &davBody{ReadCloser: http.MaxBytesReader(w, r.Body, limit), op: op}
	case "COPY":
		// Only files are copied: each copy goes through the upload checks,
		// and Close can tell a whole copy by the source's size.
		src := strings.TrimPrefix(r.URL.Path, davPrefix)
		fi, err := (&davFS{root: root}).Stat(ctx, src)
		if err == nil && fi.IsDir() {
			return davError(w, r, http.StatusForbidden, "folders cannot be copied over WebDAV; copy the files one by one")
		}
		if err == nil {
			op.copySize = fi.Size()
		}
	}
	// What the user writes here joins their private space (db/spaces.go):
	// the folder is claimed before any file lands in it.
	if err := s.deps.DB.ClaimUploadFolder(ctx, info.Folder, u.ID); err != nil {
		return err
	}
	fsys := &davFS{s: s, root: root, folder: info.Folder, op: op, limit: limit}
	h := &webdav.Handler{Prefix: davPrefix, FileSystem: fsys, LockSystem: s.davLocksOf(u.ID)}
	h.ServeHTTP(&davWriter{ResponseWriter: w, r: r, op: op}, r)
	if len(op.saved) > 0 {
		s.log.Info("webdav upload", "user", u.Username, "paths", op.saved)
		s.indexSoon(op.saved)
	}
	return nil
}

// davTimeout reads a LOCK's Timeout header as x/net does (the first
// "Second-N" of the list); ok is false for none, "Infinite" or nonsense.
func davTimeout(h string) (time.Duration, bool) {
	first, _, _ := strings.Cut(h, ",")
	n, ok := strings.CutPrefix(strings.TrimSpace(first), "Second-")
	if !ok {
		return 0, false
	}
	sec, err := strconv.ParseUint(n, 10, 32)
	if err != nil {
		return 0, false
	}
	return time.Duration(sec) * time.Second, true
}

// davRoot opens a user's WebDAV folder, making it on first use.
func (s *Server) davRoot(folder string) (*os.Root, error) {
	orig, err := os.OpenRoot(s.deps.Originals)
	if err != nil {
		return nil, err
	}
	defer orig.Close()
	if err := orig.MkdirAll(folder, 0o755); err != nil {
		return nil, err
	}
	return orig.OpenRoot(folder)
}

// ocMtime reads ownCloud's X-OC-Mtime header (Unix seconds), which
// rclone and other clients send to keep a file's modification time: for
// a photo without a date inside, that time is the best date there is.
func ocMtime(h string) time.Time {
	if h == "" {
		return time.Time{}
	}
	sec, err := strconv.ParseFloat(h, 64)
	if err != nil || sec < 0 || sec > 1e11 {
		return time.Time{}
	}
	return time.Unix(int64(sec), 0)
}

// davError answers a WebDAV request that is refused, with the reason in
// the XML error body WebDAV clients know (SabreDAV's, which Nextcloud and
// ownCloud use; rclone prints its message).
func davError(w http.ResponseWriter, r *http.Request, code int, msg string) error {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(code)
	if r.Method == http.MethodHead {
		return nil
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" +
		`<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns"><s:exception>Pinhole</s:exception><s:message>`)
	// Only what XML text requires is escaped, so the reason stays
	// readable in logs and in clients that show the body as it is.
	b.WriteString(xmlText.Replace(msg))
	b.WriteString("</s:message></d:error>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

var xmlText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// davOp is what one request's file system calls learnt, for the answer.
type davOp struct {
	method        string
	contentLength int64     // PUT: the body's declared length, -1 unknown
	mtime         time.Time // PUT: the client's modification time, if sent
	copySize      int64     // COPY: the source file's size, -1 unknown
	bodyDone      bool      // PUT: the body was read to its end
	unchanged     bool      // PUT: the same bytes as the library file there
	limit         int64     // bytes one file may have
	refusal       *uploadRefusal
	saved         []string // paths (inside the originals) that joined the library
}

// refuse records why the request is refused; the first reason stands.
func (op *davOp) refuse(code int, format string, a ...any) error {
	if op.refusal == nil {
		op.refusal = &uploadRefusal{code, fmt.Sprintf(format, a...)}
	}
	return op.refusal
}

// refuseErr records an error met while taking a file.
func (op *davOp) refuseErr(err error, name string, limit int64) error {
	if op.refusal == nil {
		code, msg := uploadStatus(err, name, limit)
		op.refusal = &uploadRefusal{code, msg}
	}
	return err
}

// davBody notes whether a PUT's body arrived whole: only then is the file
// put in place. A client that hangs up mid-body ends the body with an
// error, never with io.EOF.
type davBody struct {
	io.ReadCloser
	op *davOp
}

func (b *davBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		b.op.bodyDone = true
	} else if err != nil {
		b.op.refuseErr(err, "the file", b.op.limit)
	}
	return n, err
}

// davWriter replaces the status x/net's handler derives from an error of
// the file system (it answers 404 or 405 for most) with the refusal the
// file system recorded, and its reason.
type davWriter struct {
	http.ResponseWriter
	r       *http.Request
	op      *davOp
	swallow bool // the handler's own body for the replaced status
}

func (w *davWriter) WriteHeader(code int) {
	if rf := w.op.refusal; rf != nil && code >= 400 {
		if rf.code == http.StatusRequestTimeout || rf.code == http.StatusRequestEntityTooLarge {
			w.Header().Set("Connection", "close") // the rest of the body is not read
		}
		_ = davError(w.ResponseWriter, w.r, rf.code, rf.msg)
		w.swallow = true
		return
	}
	if w.op.unchanged && code == http.StatusCreated {
		code = http.StatusNoContent // nothing was created: it was there
		w.swallow = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *davWriter) Write(b []byte) (int, error) {
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *davWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// davFS is a user's WebDAV folder as x/net's handler sees it. Paths are
// resolved inside an os.Root, so neither ".." nor a symbolic link can
// lead out of the folder.
type davFS struct {
	s      *Server
	root   *os.Root // the user's folder
	folder string   // the same, relative to the originals
	op     *davOp
	limit  int64
}

// clean turns a WebDAV name into a path inside the folder ("." for the
// folder itself). Pinhole's own temporary files do not exist for clients:
// reading one is "not found", making one is refused.
func (d *davFS) clean(name string) (string, error) {
	if strings.ContainsAny(name, "\x00\\") {
		return "", fs.ErrNotExist
	}
	p := strings.Trim(path.Clean("/"+name), "/")
	if p == "" {
		return ".", nil
	}
	for _, part := range strings.Split(p, "/") {
		if strings.HasPrefix(part, ".pinhole-") {
			if d.op != nil && d.op.method != "PROPFIND" && d.op.method != http.MethodGet && d.op.method != http.MethodHead {
				d.op.refuse(http.StatusBadRequest, "names starting with .pinhole- are Pinhole's own")
			}
			return "", fs.ErrNotExist
		}
	}
	return p, nil
}

// inLibrary reports whether a file at p is (or, once there, would be) an
// original of the library: the indexer reads it. Anything else in the
// folder is a client's unfinished upload or its litter.
func (d *davFS) inLibrary(p string) bool {
	if _, _, ok := meta.Detect(path.Base(p)); !ok {
		return false
	}
	return !index.Ignored(d.s.deps.Originals, path.Join(d.folder, p))
}

// checkName refuses a name a new file or folder may not have.
func (d *davFS) checkName(p string) error {
	name := path.Base(p)
	if p == "." || len(name) > maxNameBytes {
		return d.op.refuse(http.StatusBadRequest, "the name %q is too long or empty", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == '\ufffd' {
			return d.op.refuse(http.StatusBadRequest, "the name %q contains control characters", name)
		}
	}
	return nil
}

func (d *davFS) Stat(ctx context.Context, name string) (os.FileInfo, error) {
	p, err := d.clean(name)
	if err != nil {
		return nil, err
	}
	return d.root.Stat(p)
}

func (d *davFS) Mkdir(ctx context.Context, name string, perm os.FileMode) error {
	p, err := d.clean(name)
	if err != nil {
		return err
	}
	if p == "." {
		return fs.ErrExist
	}
	if err := d.checkName(p); err != nil {
		return err
	}
	return d.root.Mkdir(p, 0o755)
}

func (d *davFS) OpenFile(ctx context.Context, name string, flag int, perm os.FileMode) (webdav.File, error) {
	p, err := d.clean(name)
	if err != nil {
		return nil, err
	}
	if flag&(os.O_WRONLY|os.O_RDWR) == 0 || flag&os.O_CREATE == 0 {
		// Reading, or x/net asking for properties (O_RDWR without
		// O_CREATE): an existing file is never opened for writing.
		f, err := d.root.Open(p)
		if err != nil {
			return nil, err
		}
		return davReadFile{f}, nil
	}
	if d.op.method == "LOCK" {
		// Locking a name that does not exist yet reserves it; the file is
		// made by the PUT that follows.
		return &davNullFile{name: path.Base(p)}, nil
	}
	if err := d.checkName(p); err != nil {
		return nil, err
	}
	if fi, err := d.root.Stat(path.Dir(p)); err != nil || !fi.IsDir() {
		return nil, fs.ErrNotExist // x/net answers 409: the folder is missing
	}
	same := ""
	if fi, err := d.root.Lstat(p); err == nil {
		switch {
		case fi.IsDir():
			return nil, d.op.refuse(http.StatusConflict, "%s is a folder", p)
		case !fi.Mode().IsRegular():
			return nil, d.op.refuse(http.StatusForbidden, "%s is not a plain file and cannot be replaced", p)
		case d.inLibrary(p):
			// The same bytes again are welcome (a backup app uploading
			// everything once more); anything else would overwrite.
			if d.op.method != http.MethodPut || d.op.contentLength != fi.Size() {
				return nil, d.op.refuse(http.StatusForbidden, davOverwrite, p)
			}
			same = p
		}
	}
	staging := !d.inLibrary(p) && davTempName(path.Base(p))
	st, err := d.s.stageUpload(d.root, path.Dir(p), path.Base(p), d.limit, staging)
	if err != nil {
		return nil, d.op.refuseErr(err, path.Base(p), d.limit)
	}
	return &davUpload{fs: d, st: st, p: p, same: same}, nil
}

// davTempName reports a name clients upload to before renaming the file
// into place ("IMG_1.jpg.part", ".IMG_1.jpg.tmp"): such a file's content
// is checked when it arrives and its name when it is renamed. Any other
// name must be one the library takes.
func davTempName(name string) bool {
	l := strings.ToLower(name)
	for _, suffix := range []string{".tmp", ".temp", ".part", ".partial", ".filepart", ".upload", ".uploading", ".crdownload", "~"} {
		if strings.HasSuffix(l, suffix) {
			return true
		}
	}
	return strings.HasPrefix(name, ".")
}

// davOverwrite is the reason for refusing to replace a library file.
const davOverwrite = "%s is already in the library and Pinhole never overwrites photos over WebDAV: " +
	"upload it under another name, or set your app not to overwrite files on the server"

func (d *davFS) RemoveAll(ctx context.Context, name string) error {
	p, err := d.clean(name)
	if err != nil {
		return err
	}
	if p == "." {
		return d.op.refuse(http.StatusForbidden, "your upload folder itself cannot be deleted")
	}
	fi, err := d.root.Lstat(p)
	if err != nil {
		return err
	}
	switch {
	case fi.IsDir():
		dir, err := d.root.Open(p)
		if err != nil {
			return err
		}
		names, _ := dir.Readdirnames(1)
		dir.Close()
		if len(names) > 0 {
			return d.op.refuse(http.StatusForbidden, "%s is not empty, and Pinhole never deletes photos over WebDAV", p)
		}
	case !fi.Mode().IsRegular():
		return d.op.refuse(http.StatusForbidden, "%s is not a plain file", p)
	case d.inLibrary(p) && (d.op.method == "MOVE" || d.op.method == "COPY"):
		// x/net deletes what a MOVE or COPY with "Overwrite: T" replaces.
		return d.op.refuse(http.StatusForbidden, davOverwrite, p)
	case d.inLibrary(p):
		return d.op.refuse(http.StatusForbidden, "%s is in the library, and Pinhole never deletes photos over WebDAV: "+
			"keep your app's \"delete on server\" off (deleting photos from the phone after the upload is fine)", p)
	}
	return d.root.Remove(p)
}

func (d *davFS) Rename(ctx context.Context, oldName, newName string) error {
	src, err := d.clean(oldName)
	if err != nil {
		return err
	}
	dst, err := d.clean(newName)
	if err != nil {
		return err
	}
	if src == "." || dst == "." {
		return d.op.refuse(http.StatusForbidden, "your upload folder itself cannot be moved or replaced")
	}
	fi, err := d.root.Lstat(src)
	switch {
	case err != nil:
		return err
	case fi.IsDir():
		return d.op.refuse(http.StatusForbidden, "folders cannot be moved or renamed over WebDAV")
	case !fi.Mode().IsRegular():
		return d.op.refuse(http.StatusForbidden, "%s is not a plain file", src)
	case d.inLibrary(src):
		return d.op.refuse(http.StatusForbidden, "%s is in the library, and Pinhole never moves or renames photos over WebDAV", src)
	}
	if err := d.checkName(dst); err != nil {
		return err
	}
	if fi, err := d.root.Stat(path.Dir(dst)); err != nil || !fi.IsDir() {
		return d.op.refuse(http.StatusConflict, "the folder %s does not exist", path.Dir(dst))
	}
	// An unfinished upload becoming a library file is checked as if it
	// arrived under that name now.
	if d.inLibrary(dst) {
		if err := d.s.checkStaged(d.root, src, path.Base(dst)); err != nil {
			return d.op.refuseErr(err, path.Base(dst), d.limit)
		}
	}
	uploadNaming.Lock()
	defer uploadNaming.Unlock()
	if err := d.replaceable(dst); err != nil {
		return err
	}
	if err := d.root.Rename(src, dst); err != nil {
		return err
	}
	if d.inLibrary(dst) {
		d.op.saved = append(d.op.saved, path.Join(d.folder, dst))
	}
	return nil
}

// replaceable says whether a file may be put at p now: nothing is there,
// or only an unfinished upload. Call with uploadNaming held.
func (d *davFS) replaceable(p string) error {
	fi, err := d.root.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.IsDir():
		return d.op.refuse(http.StatusConflict, "%s is a folder", p)
	case !fi.Mode().IsRegular():
		return d.op.refuse(http.StatusForbidden, "%s is not a plain file and cannot be replaced", p)
	case d.inLibrary(p):
		return d.op.refuse(http.StatusForbidden, davOverwrite, p)
	}
	return nil
}

// checkStaged checks a file already in a user's folder that is to be
// renamed to name, with the checks of stagedUpload.
func (s *Server) checkStaged(root *os.Root, p, name string) error {
	f, err := root.Open(p)
	if err != nil {
		return err
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(f, head)
	f.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	if ext := strings.ToLower(path.Ext(name)); !uploadExts[ext] {
		return &uploadRefusal{http.StatusUnsupportedMediaType, fmt.Sprintf("%s is not a photo or video Pinhole can show (type %q)", name, ext)}
	}
	kind, err := uploadType(name, head[:n], false)
	if err != nil {
		return err
	}
	if rf := s.checkPixels(root, p, name, kind); rf != nil {
		return rf
	}
	return nil
}

// davUpload is a file being written by PUT or COPY: a stagedUpload that
// is put in place by Close only when all of it arrived and passed.
type davUpload struct {
	fs   *davFS
	st   *stagedUpload
	p    string // where it goes, inside the user's folder
	same string // a library file it may only repeat byte for byte
}

func (f *davUpload) Write(b []byte) (int, error) {
	n, err := f.st.Write(b)
	if err != nil {
		f.fs.op.refuseErr(err, path.Base(f.p), f.fs.limit)
	}
	return n, err
}

func (f *davUpload) Close() error {
	op := f.fs.op
	defer f.st.abort()
	complete := op.bodyDone
	if op.method == "COPY" {
		complete = op.copySize >= 0 && f.st.size() == op.copySize
	}
	if op.refusal != nil {
		return op.refusal
	}
	if !complete {
		// The client hung up or the body failed: nothing is kept.
		return errors.New("the upload did not arrive whole")
	}
	if err := f.st.finish(); err != nil {
		return op.refuseErr(err, path.Base(f.p), f.fs.limit)
	}
	if f.same != "" {
		sum, err := fileSHA1(f.fs.root, f.same)
		if err != nil {
			return err
		}
		if sum != f.st.sum() {
			return op.refuse(http.StatusForbidden, davOverwrite, f.same)
		}
		op.unchanged = true
		return nil // the file is there already, byte for byte
	}
	uploadNaming.Lock()
	defer uploadNaming.Unlock()
	if err := f.fs.replaceable(f.p); err != nil {
		return err
	}
	if err := f.st.commit(f.p); err != nil {
		return op.refuseErr(fmt.Errorf("%w: %v", errUploadWrite, err), path.Base(f.p), f.fs.limit)
	}
	if !op.mtime.IsZero() {
		_ = f.fs.root.Chtimes(f.p, op.mtime, op.mtime)
	}
	if f.fs.inLibrary(f.p) {
		op.saved = append(op.saved, path.Join(f.fs.folder, f.p))
	}
	return nil
}

func (f *davUpload) Read([]byte) (int, error)           { return 0, fs.ErrInvalid }
func (f *davUpload) Seek(int64, int) (int64, error)     { return 0, fs.ErrInvalid }
func (f *davUpload) Readdir(int) ([]fs.FileInfo, error) { return nil, fs.ErrInvalid }
func (f *davUpload) Stat() (fs.FileInfo, error) {
	return davFileInfo{name: path.Base(f.p), size: f.st.size(), mod: time.Now()}, nil
}

// fileSHA1 hashes a file inside root.
func fileSHA1(root *os.Root, p string) (string, error) {
	f, err := root.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha1.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// davReadFile is a file or folder opened for reading; listings leave out
// Pinhole's temporary files.
type davReadFile struct{ *os.File }

func (f davReadFile) Readdir(count int) ([]fs.FileInfo, error) {
	list, err := f.File.Readdir(count)
	out := list[:0]
	for _, fi := range list {
		if !strings.HasPrefix(fi.Name(), uploadTempPrefix) {
			out = append(out, fi)
		}
	}
	return out, err
}

func (f davReadFile) Write([]byte) (int, error) { return 0, fs.ErrPermission }

// davNullFile stands for a name locked before its file exists.
type davNullFile struct{ name string }

func (f *davNullFile) Close() error                       { return nil }
func (f *davNullFile) Read([]byte) (int, error)           { return 0, io.EOF }
func (f *davNullFile) Write([]byte) (int, error)          { return 0, fs.ErrInvalid }
func (f *davNullFile) Seek(int64, int) (int64, error)     { return 0, nil }
func (f *davNullFile) Readdir(int) ([]fs.FileInfo, error) { return nil, fs.ErrInvalid }
func (f *davNullFile) Stat() (fs.FileInfo, error) {
	return davFileInfo{name: f.name, mod: time.Now()}, nil
}

type davFileInfo struct {
	name string
	size int64
	mod  time.Time
}

func (i davFileInfo) Name() string       { return i.name }
func (i davFileInfo) Size() int64        { return i.size }
func (i davFileInfo) Mode() fs.FileMode  { return 0o644 }
func (i davFileInfo) ModTime() time.Time { return i.mod }
func (i davFileInfo) IsDir() bool        { return false }
func (i davFileInfo) Sys() any           { return nil }

// davState is what WebDAV keeps between requests: each user's locks, and
// the saved files waiting to be indexed.
type davState struct {
	mu       sync.Mutex
	locks    map[int64]*davLocks
	pending  []string
	indexing bool
}

// Locks. Each user has their own lock table (their folder is their own);
// a lock lasts at most davLockMax (clients refresh theirs) and a user may
// hold davLocksMax, so no client can fill the memory with locks.
const (
	davLockMax  = time.Hour
	davLocksMax = 1000
)

type davLocks struct {
	webdav.LockSystem
	mu   sync.Mutex
	live map[string]time.Time // token → expiry
}

func (s *Server) davLocksOf(userID int64) *davLocks {
	d := &s.davState
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.locks == nil {
		d.locks = map[int64]*davLocks{}
	}
	l := d.locks[userID]
	if l == nil {
		l = &davLocks{LockSystem: webdav.NewMemLS(), live: map[string]time.Time{}}
		d.locks[userID] = l
	}
	return l
}

func clampLock(d time.Duration) time.Duration {
	if d <= 0 || d > davLockMax {
		return davLockMax
	}
	return d
}

func (l *davLocks) Create(now time.Time, details webdav.LockDetails) (string, error) {
	details.Duration = clampLock(details.Duration)
	l.mu.Lock()
	defer l.mu.Unlock()
	for tok, until := range l.live {
		if now.After(until) {
			delete(l.live, tok)
		}
	}
	if len(l.live) >= davLocksMax {
		return "", webdav.ErrLocked
	}
	tok, err := l.LockSystem.Create(now, details)
	if err == nil {
		l.live[tok] = now.Add(details.Duration)
	}
	return tok, err
}

func (l *davLocks) Refresh(now time.Time, token string, d time.Duration) (webdav.LockDetails, error) {
	d = clampLock(d)
	ld, err := l.LockSystem.Refresh(now, token, d)
	if err == nil {
		l.mu.Lock()
		l.live[token] = now.Add(d)
		l.mu.Unlock()
	}
	return ld, err
}

func (l *davLocks) Unlock(now time.Time, token string) error {
	err := l.LockSystem.Unlock(now, token)
	if err == nil {
		l.mu.Lock()
		delete(l.live, token)
		l.mu.Unlock()
	}
	return err
}

// indexSoon indexes files WebDAV saved, in the background and in batches:
// a PUT is answered as soon as its file is in place, and files arriving
// while a batch is indexed make up the next one. The web app hears of the
// new photos as browser uploads' are announced.
func (s *Server) indexSoon(rels []string) {
	if s.deps.Index == nil {
		return // the watcher finds them
	}
	d := &s.davState
	d.mu.Lock()
	d.pending = append(d.pending, rels...)
	if d.indexing {
		d.mu.Unlock()
		return
	}
	d.indexing = true
	d.mu.Unlock()
	go func() {
		for {
			d.mu.Lock()
			batch := d.pending
			d.pending = nil
			if len(batch) == 0 {
				d.indexing = false
				d.mu.Unlock()
				return
			}
			d.mu.Unlock()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
			if err := s.deps.Index.Changed(ctx, batch); err != nil {
				s.log.Warn("index webdav uploads", "err", err)
			}
			var ids []int64
			for _, p := range batch {
				if ph, err := s.deps.DB.PhotoByPath(ctx, p); err == nil {
					ids = append(ids, ph.ID)
				}
			}
			s.publishPhotos(ctx, photosEvent{Changed: ids, Uploaded: batch})
			cancel()
		}
	}()
}
