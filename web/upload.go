package web

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"image"
	_ "image/gif" // DecodeConfig of uploads
	_ "image/jpeg"
	_ "image/png"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/webp"

	"pinhole/db"
)

// uploadResult is what happened to one uploaded file.
type uploadResult struct {
	Name    string `json:"name"`
	Status  string `json:"status"` // saved, duplicate, rejected
	Path    string `json:"path,omitempty"`
	Hash    string `json:"hash,omitempty"`
	PhotoID int64  `json:"photo_id,omitempty"`
	Error   string `json:"error,omitempty"`
	code    int
}

// uploadExts are the file types an upload may be.
var uploadExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true, ".bmp": true, ".tif": true, ".tiff": true,
	".heic": true, ".heif": true, ".avif": true,
	".cr2": true, ".cr3": true, ".nef": true, ".arw": true, ".dng": true, ".raf": true, ".orf": true, ".rw2": true, ".pef": true, ".srw": true,
	".mp4": true, ".mov": true, ".m4v": true, ".3gp": true,
	".xmp": true, // sidecars: titles, keywords, ratings and edits from other tools
}

// xmpType is what sniff calls an XMP sidecar.
const xmpType = "application/rdf+xml"

// sniff names the media type of a file's first bytes, or "" when it is
// not a photo, video or XMP sidecar Pinhole can index.
func sniff(head []byte) string {
	has := func(off int, sig string) bool {
		return len(head) >= off+len(sig) && string(head[off:off+len(sig)]) == sig
	}
	switch {
	case has(0, "\xff\xd8\xff"):
		return "image/jpeg"
	case has(0, "\x89PNG\r\n\x1a\n"):
		return "image/png"
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return "image/gif"
	case has(0, "RIFF") && has(8, "WEBP"):
		return "image/webp"
	case has(0, "BM"):
		return "image/bmp"
	case has(0, "FUJIFILMCCD-RAW"):
		return "image/x-fuji-raf"
	case has(0, "II*\x00"), has(0, "MM\x00*"), has(0, "IIRO"), has(0, "IIRS"), has(0, "IIU\x00"):
		return "image/tiff" // TIFF and the TIFF-based RAW formats
	case has(4, "ftyp") && len(head) >= 12:
		switch string(head[8:12]) {
		case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1":
			return "image/heic"
		case "avif", "avis":
			return "image/avif"
		case "crx ":
			return "image/x-canon-cr3"
		case "qt  ":
			return "video/quicktime"
		}
		return "video/mp4"
	case isXMP(head):
		return xmpType
	}
	return ""
}

// isXMP reports whether a file starts like an XMP sidecar: an XMP packet
// or x:xmpmeta element, possibly after an XML declaration, a byte-order
// mark and white space.
func isXMP(head []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case bytes.HasPrefix(t, []byte("<?xpacket")), bytes.HasPrefix(t, []byte("<x:xmpmeta")):
		return true
	case bytes.HasPrefix(t, []byte("<?xml")):
		return bytes.Contains(t, []byte("<x:xmpmeta")) || bytes.Contains(t, []byte("<rdf:RDF"))
	}
	return false
}

// uploadName checks a client's file name: a plain name, no folders, no
// hidden files, no control characters.
func uploadName(name string) (string, error) {
	bad := func(why string) error { return fmt.Errorf("file name %q %s", name, why) }
	switch {
	case name == "":
		return "", bad("is empty")
	case len(name) > maxNameBytes:
		return "", bad("is too long")
	case strings.ContainsAny(name, `/\`) || name == "." || name == ".." || strings.Contains(name, ".."):
		return "", bad("must not contain folders or ..")
	case strings.HasPrefix(name, "."):
		return "", bad("must not start with a dot")
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return "", bad("contains control characters")
		}
	}
	return name, nil
}

var uploadNaming sync.Mutex // choosing a free name and renaming into it

// uploadsWritable reports whether Pinhole may write into the upload
// folder: the originals are writable, or read-only but for that folder.
func (s *Server) uploadsWritable() bool { return !s.deps.ReadOnly || s.deps.UploadWritable }

func (s *Server) upload(c echo.Context) error {
	if !s.uploadsWritable() {
		return echo.NewHTTPError(http.StatusForbidden, uploadsReadOnly)
	}
	if s.deps.Originals == "" {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "the originals folder is not configured")
	}
	folder, err := cleanRel(s.deps.UploadFolder)
	if err != nil || folder == "" {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "the upload folder must be a folder inside the originals")
	}
	if s.deps.UploadLimitMB <= 0 || s.deps.MaxMegapixels <= 0 {
		return echo.NewHTTPError(http.StatusServiceUnavailable, uploadsUnlimited)
	}
	limit := s.deps.UploadLimitMB << 20
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "send the files as multipart/form-data in parts named \"files\"")
	}
	root, err := os.OpenRoot(s.deps.Originals)
	if err != nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "the originals folder is not available")
	}
	defer root.Close()
	if err := root.MkdirAll(folder, 0o755); err != nil {
		return fmt.Errorf("create upload folder: %w", err)
	}
	ctx := r.Context()
	var results []uploadResult
	var saved []string
	for len(results) < 1000 {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				results = append(results, tooLarge("", limit))
			} else if len(results) == 0 {
				return echo.NewHTTPError(http.StatusBadRequest, "malformed multipart body: "+err.Error())
			}
			break
		}
		if part.FormName() != "files" || part.FileName() == "" {
			_ = part.Close()
			continue
		}
		res := s.saveUpload(ctx, root, folder, part, limit, callerOf(c).reader)
		_ = part.Close()
		results = append(results, res)
		if res.Status == "saved" {
			saved = append(saved, res.Path)
		}
		if res.code == http.StatusRequestEntityTooLarge {
			break // the body is cut off; nothing more can be read
		}
	}
	if len(results) == 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "no files: send them in multipart parts named \"files\"")
	}
	if len(saved) > 0 && s.deps.Index != nil {
		if err := s.deps.Index.Changed(ctx, saved); err != nil {
			s.log.Warn("index uploads", "err", err)
		}
		for i := range results {
			if results[i].Status == "saved" {
				if p, err := s.deps.DB.PhotoByPath(ctx, results[i].Path); err == nil {
					results[i].PhotoID = p.ID
				}
			}
		}
		var ids []int64
		for _, r := range results {
			if r.Status == "saved" && r.PhotoID != 0 {
				ids = append(ids, r.PhotoID)
			}
		}
		s.publishPhotos(ctx, photosEvent{Changed: ids, Uploaded: saved})
	}
	// Each file's verdict in the uploader's language (web/messages.go).
	lang := readerLanguage(c.Request())
	for i := range results {
		results[i].Error = say(lang, results[i].Error)
	}
	code := http.StatusOK
	for _, res := range results {
		if res.Status != "rejected" {
			code = http.StatusOK
			break
		}
		if code == http.StatusOK {
			code = res.code
		}
	}
	body := map[string]any{"files": results}
	if code != http.StatusOK {
		body["error"] = results[0].Error
	}
	return c.JSON(code, body)
}

func tooLarge(name string, limit int64) uploadResult {
	return uploadResult{Name: name, Status: "rejected", code: http.StatusRequestEntityTooLarge,
		Error: fmt.Sprintf("%s is too large: uploads are limited to %d MB", orThe(name), limit>>20)}
}

func orThe(name string) string {
	if name == "" {
		return "the upload"
	}
	return name
}

// saveUpload streams one part into a hidden temporary file in the upload
// folder (the indexer skips hidden files), checks it, and moves it to a
// free name.
// The photo joins the uploader's private space (owner): the claim is
// stored before the file is in place, so the indexer's write of it
// already puts it there.
func (s *Server) saveUpload(ctx context.Context, root *os.Root, folder string, part *multipart.Part, limit int64, owner db.Reader) uploadResult {
	reject := func(name string, code int, msg string) uploadResult {
		return uploadResult{Name: name, Status: "rejected", Error: msg, code: code}
	}
	// part.FileName() would quietly strip folders; the raw name is checked
	// so a client sending "../x.jpg" is told no rather than half-obeyed.
	raw := part.FileName()
	if _, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		raw = params["filename"]
	}
	name, err := uploadName(raw)
	if err != nil {
		return reject(raw, http.StatusBadRequest, err.Error())
	}
	st, err := s.stageUpload(root, folder, name, limit, false)
	if err != nil {
		code, msg := uploadStatus(err, name, limit)
		return reject(name, code, msg)
	}
	defer st.abort()
	if _, err := io.Copy(st, part); err != nil {
		code, msg := uploadStatus(err, name, limit)
		return reject(name, code, msg)
	}
	if err := st.finish(); err != nil {
		code, msg := uploadStatus(err, name, limit)
		return reject(name, code, msg)
	}
	sum := st.sum()
	if pid, at, err := s.deps.DB.FileWithHash(ctx, sum); err == nil {
		if _, err := s.deps.DB.PhotoDetail(ctx, pid, owner); err != nil {
			// In a private space the uploader may not see: neither its
			// place nor its id is theirs to learn.
			return uploadResult{Name: name, Status: "duplicate", Hash: sum, Error: "already in the library", code: http.StatusOK}
		}
		return uploadResult{Name: name, Status: "duplicate", Hash: sum, PhotoID: pid, Path: at,
			Error: fmt.Sprintf("already in the library as %s", at), code: http.StatusOK}
	}
	uploadNaming.Lock()
	defer uploadNaming.Unlock()
	final := ""
	stem := strings.TrimSuffix(name, path.Ext(name))
	for i := 0; i < 1000; i++ {
		cand := name
		if i > 0 {
			cand = suffixedName(stem, fmt.Sprintf(" (%d)%s", i, path.Ext(name)))
		}
		if _, err := root.Lstat(path.Join(folder, cand)); errors.Is(err, fs.ErrNotExist) {
			final = path.Join(folder, cand)
			break
		}
	}
	if final == "" {
		return reject(name, http.StatusConflict, "no free file name for "+name)
	}
	if err := s.deps.DB.ClaimUpload(ctx, final, owner.User); err != nil {
		return reject(name, http.StatusInternalServerError, "saving the upload failed: "+err.Error())
	}
	if err := st.commit(final); err != nil {
		return reject(name, http.StatusInternalServerError, "saving the upload failed: "+err.Error())
	}
	s.log.Info("upload saved", "path", final, "hash", sum)
	return uploadResult{Name: name, Status: "saved", Path: final, Hash: sum, code: http.StatusOK}
}

// uploadRefusal is why an uploaded file is not taken, with the status that
// says so: 413 too large, 415 not a photo or video, 422 too many pixels.
type uploadRefusal struct {
	code int
	msg  string
}

func (r *uploadRefusal) Error() string { return r.msg }

// uploadStatus is the status and sentence for an error met while taking
// an upload: a refusal, a body over the limit, a slow body, or a failure
// reading or writing.
func uploadStatus(err error, name string, limit int64) (int, string) {
	var rf *uploadRefusal
	var mbe *http.MaxBytesError
	var slow *SlowBodyError
	switch {
	case errors.As(err, &rf):
		return rf.code, rf.msg
	case errors.As(err, &mbe):
		r := tooLarge(name, limit)
		return r.code, r.Error
	case errors.As(err, &slow):
		return http.StatusRequestTimeout, slow.Error()
	case errors.Is(err, errUploadWrite):
		return http.StatusInternalServerError, "saving the upload failed: " + err.Error()
	}
	return http.StatusBadRequest, "reading the upload failed: " + err.Error()
}

// errUploadWrite marks a failure on the server's side of an upload
// (creating, writing or syncing its file), as opposed to the client's.
var errUploadWrite = errors.New("cannot write into the upload folder")

// stagedUpload takes in one uploaded file for the browser upload and for
// WebDAV alike, so both apply the same checks: it writes the bytes to a
// hidden temporary file (.pinhole-upload-…) beside where the file will go,
// which the watcher and the indexer skip, so a partial upload never shows
// up as a photo; it refuses a body over the size limit as soon as it
// passes it, and content that is not a photo, video, RAW file or XMP
// sidecar from its first bytes; finish syncs the file to disk and refuses
// images declaring more pixels than allowed (decompression bombs). Only
// then may commit rename it into place; abort removes it.
type stagedUpload struct {
	s       *Server
	root    *os.Root
	tmp     string // the temporary file, inside root
	name    string // the name the file will have, for messages and the type check
	staging bool   // name is a client's temporary name: its extension is not checked
	limit   int64  // bytes; 0: none
	f       *os.File
	h       hash.Hash
	head    []byte // the first bytes, held until the type is known
	kind    string // the sniffed media type, once known
	n       int64
	err     error // the first failure; every later Write returns it
	done    bool  // committed or aborted
}

// sniffLen is how many first bytes decide a file's type.
const sniffLen = 512

// stageUpload starts taking a file that is to be called name (a single
// path element) in the folder dir of root. With staging, name is a
// client's temporary name (WebDAV clients upload as "IMG_1.jpg.part" and
// rename when done), so only the content is checked now and the name when
// it is renamed. A name whose type is never taken is refused before
// anything is written.
func (s *Server) stageUpload(root *os.Root, dir, name string, limit int64, staging bool) (*stagedUpload, error) {
	if !staging {
		if ext := strings.ToLower(path.Ext(name)); !uploadExts[ext] {
			return nil, &uploadRefusal{http.StatusUnsupportedMediaType, fmt.Sprintf("%s is not a photo or video Pinhole can show (type %q)", name, ext)}
		}
	}
	tmp := path.Join(dir, uploadTempPrefix+db.NewUID())
	f, err := root.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUploadWrite, err)
	}
	return &stagedUpload{s: s, root: root, tmp: tmp, name: name, staging: staging, limit: limit, f: f, h: sha1.New(),
		head: make([]byte, 0, sniffLen)}, nil
}

// uploadTempPrefix starts the names of files being uploaded. They are
// hidden, so the watcher and the indexer never read one, and WebDAV
// neither lists nor opens them.
const uploadTempPrefix = ".pinhole-upload-"

func (u *stagedUpload) Write(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	u.n += int64(len(p))
	if u.limit > 0 && u.n > u.limit {
		u.err = &http.MaxBytesError{Limit: u.limit}
		return 0, u.err
	}
	rest := p
	if u.kind == "" {
		take := min(len(p), sniffLen-len(u.head))
		u.head = append(u.head, p[:take]...)
		if len(u.head) < sniffLen {
			return len(p), nil
		}
		if u.err = u.sniffed(); u.err != nil {
			return 0, u.err
		}
		rest = p[take:]
	}
	if err := u.write(rest); err != nil {
		return 0, err
	}
	return len(p), nil
}

// sniffed decides the type from the first bytes and writes them out.
func (u *stagedUpload) sniffed() error {
	kind, err := uploadType(u.name, u.head, u.staging)
	if err != nil {
		return err
	}
	u.kind = kind
	return u.write(u.head)
}

func (u *stagedUpload) write(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	u.h.Write(p)
	if _, err := u.f.Write(p); err != nil {
		u.err = fmt.Errorf("%w: %v", errUploadWrite, err)
		return u.err
	}
	return nil
}

// finish ends a body that arrived whole: it checks what the first bytes
// could not (a file shorter than they are, the declared pixels) and syncs
// the file to disk.
func (u *stagedUpload) finish() error {
	if u.err != nil {
		return u.err
	}
	if u.kind == "" {
		if u.err = u.sniffed(); u.err != nil {
			return u.err
		}
	}
	err := u.f.Sync()
	if cerr := u.f.Close(); err == nil {
		err = cerr
	}
	u.f = nil
	if err != nil {
		u.err = fmt.Errorf("%w: %v", errUploadWrite, err)
		return u.err
	}
	if rf := u.s.checkPixels(u.root, u.tmp, u.name, u.kind); rf != nil {
		u.err = rf
		return rf
	}
	return nil
}

// sum is the SHA-1 of what was written, hex.
func (u *stagedUpload) sum() string { return hex.EncodeToString(u.h.Sum(nil)) }

// size is how many bytes arrived.
func (u *stagedUpload) size() int64 { return u.n }

// commit renames the finished file to final (inside root); the caller
// decides that final may be taken.
func (u *stagedUpload) commit(final string) error {
	if err := u.root.Rename(u.tmp, final); err != nil {
		return err
	}
	u.done = true
	return nil
}

// abort removes the temporary file unless it was committed; calling it
// again does nothing.
func (u *stagedUpload) abort() {
	if u.done {
		return
	}
	u.done = true
	if u.f != nil {
		_ = u.f.Close()
	}
	_ = u.root.Remove(u.tmp)
}

// uploadType says whether a file called name whose content starts with
// head may join the library: its content must be a photo, video or RAW
// file, or an XMP sidecar, and a sidecar's name must end in .xmp and a
// .xmp hold XMP (else the indexer would read one as the other). With
// staging the name is a temporary one and only the content counts.
func uploadType(name string, head []byte, staging bool) (string, error) {
	kind := sniff(head)
	if kind == "" {
		return "", &uploadRefusal{http.StatusUnsupportedMediaType,
			fmt.Sprintf("%s is not a photo or video (its content looks like %s)", name, http.DetectContentType(head))}
	}
	if !staging && (kind == xmpType) != (strings.ToLower(path.Ext(name)) == ".xmp") {
		return "", &uploadRefusal{http.StatusUnsupportedMediaType,
			fmt.Sprintf("%s does not hold what its name says (its content is %s)", name, kind)}
	}
	return kind, nil
}

// checkPixels refuses an image declaring more pixels than allowed from its
// header alone: it would take gigabytes to decode into thumbnails.
func (s *Server) checkPixels(root *os.Root, p, name, kind string) *uploadRefusal {
	switch kind {
	case "image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp":
	default:
		return nil
	}
	rf, err := root.Open(p)
	if err != nil {
		return &uploadRefusal{http.StatusInternalServerError, "re-reading the upload failed"}
	}
	cfg, _, err := image.DecodeConfig(rf)
	rf.Close()
	if err != nil {
		return &uploadRefusal{http.StatusUnsupportedMediaType, fmt.Sprintf("%s is not a readable %s image: %v", name, kind, err)}
	}
	if mp := int64(cfg.Width) * int64(cfg.Height); mp > int64(s.deps.MaxMegapixels)*1_000_000 {
		return &uploadRefusal{http.StatusUnprocessableEntity, fmt.Sprintf("%s declares %d×%d pixels, more than the %d megapixels allowed",
			name, cfg.Width, cfg.Height, s.deps.MaxMegapixels)}
	}
	return nil
}

// maxNameBytes is the longest file name the filesystem takes.
const maxNameBytes = 255

// suffixedName is stem+suffix, the stem shortened at a character boundary
// when needed so the name still fits maxNameBytes: a second upload of a
// name at the limit gets a shorter free name, not a refusal.
func suffixedName(stem, suffix string) string {
	if over := len(stem) + len(suffix) - maxNameBytes; over > 0 {
		cut := max(len(stem)-over, 0)
		for cut > 0 && !utf8.RuneStart(stem[cut]) {
			cut--
		}
		stem = stem[:cut]
	}
	return stem + suffix
}

// uploadsInfo tells the web app, before anyone picks a file, whether an
// upload can succeed and, if not, how to allow it.
type uploadsInfo struct {
	Enabled bool   `json:"enabled"`
	Folder  string `json:"folder,omitempty"` // where uploads go, inside the originals
	Reason  string `json:"reason,omitempty"` // one sentence: why not, and what to do
}

// Why uploads are off, in the words the web app shows.
const (
	uploadsReadOnly = "Uploads are off because the photo folder is read-only: start Pinhole with --upload-writable " +
		"(upload-writable = true in the config file) to let it write into the upload folder and nowhere else, or with --read-only=false, " +
		"and, under systemd, allow writing to that folder with the ReadWritePaths drop-in from the README."
	uploadsViewer = "Viewers cannot upload; an admin can make you a user in Settings."
	// web keeps no defaults of its own: app passes upload-limit-mb and
	// max-megapixels from the configuration.
	uploadsUnlimited = "Uploads are off because no upload size or picture size limit is set (upload-limit-mb, max-megapixels)."
)

// uploadsFor says whether role may upload here and now.
func (s *Server) uploadsFor(role string) uploadsInfo {
	switch {
	case role != db.RoleAdmin && role != db.RoleUser:
		return uploadsInfo{Reason: uploadsViewer}
	case !s.uploadsWritable():
		return uploadsInfo{Reason: uploadsReadOnly}
	case s.deps.Originals == "":
		return uploadsInfo{Reason: "Uploads need a photo folder: start Pinhole with --originals."}
	}
	folder, err := cleanRel(s.deps.UploadFolder)
	if err != nil || folder == "" {
		return uploadsInfo{Reason: "Uploads are off because upload-folder is not a folder inside the photo folder; set it to a name such as Uploads."}
	}
	if s.deps.UploadLimitMB <= 0 || s.deps.MaxMegapixels <= 0 {
		return uploadsInfo{Reason: uploadsUnlimited}
	}
	// The upload folder is made on the first upload: check the nearest
	// folder that exists.
	dir := filepath.Join(s.deps.Originals, filepath.FromSlash(folder))
	for {
		if _, err := os.Stat(dir); err == nil || dir == s.deps.Originals || filepath.Dir(dir) == dir {
			break
		}
		dir = filepath.Dir(dir)
	}
	if err := writable(dir); err != nil {
		return uploadsInfo{Folder: folder, Reason: fmt.Sprintf("Uploads are on, but Pinhole may not write to %s (%v): "+
			"allow it with the ReadWritePaths drop-in from the README (sudo systemctl edit pinhole) or fix the folder's permissions.", dir, err)}
	}
	return uploadsInfo{Enabled: true, Folder: folder}
}
