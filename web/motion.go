package web

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"pinhole/db"
)

// motion streams the video a motion photo (Google's or Samsung's) carries
// inside its file: the byte range the index recorded, read from the
// original — nothing is copied — and served as an MP4 of its own, so Range
// requests count from the video's first byte and a <video> seeks in it as
// in any file. Tokens work as for /video: a share visitor plays the motion
// of the album's photos even when downloads are off.
func (s *Server) motion(c echo.Context) error {
	hash, tok := c.Param("hash"), c.QueryParam("t")
	if !validHash(hash) {
		return echo.NewHTTPError(http.StatusBadRequest, "malformed file hash")
	}
	ctx := c.Request().Context()
	scope, ok, err := s.scopeForToken(ctx, tok)
	if err != nil {
		return err
	}
	if !ok {
		return echo.NewHTTPError(http.StatusForbidden, "this link's token is missing or no longer valid")
	}
	f, err := s.deps.DB.MotionByHash(ctx, hash, scope)
	if err != nil {
		return err
	}
	fh, st, err := s.openOriginal(hash, f.Path)
	if err != nil {
		return err
	}
	defer fh.Close()
	// The file may have changed since it was indexed (the watcher will
	// read it again): the range is served only while the file has the
	// size it had and an MP4 still starts where the video did.
	size := st.Size()
	if size != f.Size || f.Offset <= 0 || f.Length <= 0 || f.Offset > size || f.Length > size-f.Offset {
		return fmt.Errorf("file %s changed since it was indexed: %w", hash, db.ErrNotFound)
	}
	var hdr [8]byte
	if _, err := fh.ReadAt(hdr[:], f.Offset); err != nil || string(hdr[4:]) != "ftyp" {
		return fmt.Errorf("file %s changed since it was indexed: %w", hash, db.ErrNotFound)
	}
	h := c.Response().Header()
	h.Set("Content-Type", "video/mp4")
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("ETag", `"`+hash+`-motion"`)
	name := strings.TrimSuffix(f.Name, path.Ext(f.Name)) + ".mp4"
	cd := mime.FormatMediaType("inline", map[string]string{"filename": name})
	if cd == "" { // a name mime cannot encode
		cd = `inline; filename="` + hash + `.mp4"`
	}
	h.Set("Content-Disposition", cd)
	http.ServeContent(c.Response(), c.Request(), "", st.ModTime(), io.NewSectionReader(fh, f.Offset, f.Length))
	return nil
}
