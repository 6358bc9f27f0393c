package web

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
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
}

// sniff names the media type of a file's first bytes, or "" when it is
// not a photo or video Pinhole can index.
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
	}
	return ""
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

func (s *Server) upload(c echo.Context) error {
	if s.deps.ReadOnly {
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
		res := s.saveUpload(ctx, root, folder, part, limit)
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
func (s *Server) saveUpload(ctx context.Context, root *os.Root, folder string, part *multipart.Part, limit int64) uploadResult {
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
	ext := strings.ToLower(path.Ext(name))
	if !uploadExts[ext] {
		return reject(name, http.StatusUnsupportedMediaType, fmt.Sprintf("%s is not a photo or video Pinhole can show (type %q)", name, ext))
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(part, head)
	head = head[:n]
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(name, limit)
		}
		return reject(name, http.StatusBadRequest, "reading the upload failed: "+err.Error())
	}
	kind := sniff(head)
	if kind == "" {
		return reject(name, http.StatusUnsupportedMediaType,
			fmt.Sprintf("%s is not a photo or video (its content looks like %s)", name, http.DetectContentType(head)))
	}
	tmp := path.Join(folder, ".pinhole-upload-"+db.NewUID())
	f, err := root.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return reject(name, http.StatusInternalServerError, "cannot write into the upload folder: "+err.Error())
	}
	keep := false
	defer func() {
		if !keep {
			_ = root.Remove(tmp)
		}
	}()
	h := sha1.New()
	_, err = io.Copy(io.MultiWriter(f, h), io.MultiReader(bytes.NewReader(head), part))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(name, limit)
		}
		return reject(name, http.StatusInternalServerError, "saving the upload failed: "+err.Error())
	}
	// A picture declaring more pixels than allowed would take gigabytes
	// to decode into thumbnails: refuse it from its header alone.
	switch kind {
	case "image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp":
		rf, err := root.Open(tmp)
		if err != nil {
			return reject(name, http.StatusInternalServerError, "re-reading the upload failed")
		}
		cfg, _, err := image.DecodeConfig(rf)
		rf.Close()
		if err != nil {
			return reject(name, http.StatusUnsupportedMediaType, fmt.Sprintf("%s is not a readable %s image: %v", name, kind, err))
		}
		if mp := int64(cfg.Width) * int64(cfg.Height); mp > int64(s.deps.MaxMegapixels)*1_000_000 {
			return reject(name, http.StatusUnprocessableEntity, fmt.Sprintf("%s declares %d×%d pixels, more than the %d megapixels allowed",
				name, cfg.Width, cfg.Height, s.deps.MaxMegapixels))
		}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if pid, at, err := s.deps.DB.FileWithHash(ctx, sum); err == nil {
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
	if err := root.Rename(tmp, final); err != nil {
		return reject(name, http.StatusInternalServerError, "saving the upload failed: "+err.Error())
	}
	keep = true
	s.log.Info("upload saved", "path", final, "hash", sum)
	return uploadResult{Name: name, Status: "saved", Path: final, Hash: sum, code: http.StatusOK}
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
	uploadsReadOnly = "Uploads are off because the photo folder is read-only: start Pinhole with --read-only=false " +
		"(read-only = false in the config file) and, under systemd, allow writing to it with the ReadWritePaths drop-in from the README."
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
	case s.deps.ReadOnly:
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
