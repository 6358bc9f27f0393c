package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"

	"github.com/labstack/echo/v4"
	"golang.org/x/image/draw"

	"pinhole/db"
)

// People from the named faces files tag (db/people.go). Anyone logged in
// may list and look, and sees only people on photos they may see (a
// viewer never meets a person who is only on private photos); users and
// admins rename, merge and hide. Visitors get no people routes: a shared
// album shows photos, not who is in the rest of the library.
func (s *Server) peopleRoutes() []route {
	const v1 = "/api/v1"
	return []route{
		{"GET", v1 + "/people", viewer, s.listPeople},
		{"GET", v1 + "/people/:id", viewer, s.getPerson},
		{"GET", v1 + "/people/:id/avatar", viewer, s.personAvatar},
		{"PATCH", v1 + "/people/:id", user, s.editPerson},
		{"POST", v1 + "/people/:id/merge", user, s.mergePerson},
	}
}

func (s *Server) listPeople(c echo.Context) error {
	hidden := false
	if v := c.QueryParam("hidden"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("parameter hidden: want true or false: %w", db.ErrInvalid)
		}
		hidden = b
	}
	ps, err := s.deps.DB.People(c.Request().Context(), callerOf(c).reader, hidden)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"people": ps})
}

func (s *Server) getPerson(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	p, err := s.deps.DB.Person(c.Request().Context(), callerOf(c).reader, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// editPerson renames a person and hides or shows them: {"name": …,
// "hidden": …}, either or both.
func (s *Server) editPerson(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var body struct {
		Name   *string `json:"name"`
		Hidden *bool   `json:"hidden"`
	}
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	if body.Name == nil && body.Hidden == nil {
		return fmt.Errorf("nothing to change: give name or hidden: %w", db.ErrInvalid)
	}
	ctx := c.Request().Context()
	if body.Name != nil {
		if err := s.deps.DB.RenamePerson(ctx, id, *body.Name); err != nil {
			return err
		}
	}
	if body.Hidden != nil {
		if err := s.deps.DB.SetPersonHidden(ctx, id, *body.Hidden); err != nil {
			return err
		}
	}
	p, err := s.deps.DB.Person(ctx, callerOf(c).reader, id)
	if errors.Is(err, db.ErrNotFound) {
		return c.NoContent(http.StatusNoContent) // changed, but on no photo the caller sees
	} else if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// mergePerson makes the person {"from": id} the same as :id.
func (s *Server) mergePerson(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var body struct {
		From int64 `json:"from"`
	}
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	if body.From <= 0 {
		return fmt.Errorf("from: want the id of the person to merge in: %w", db.ErrInvalid)
	}
	ctx := c.Request().Context()
	if err := s.deps.DB.MergePeople(ctx, id, body.From); err != nil {
		return err
	}
	p, err := s.deps.DB.Person(ctx, callerOf(c).reader, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// Avatars are square JPEGs of avatarSize pixels, cropped around the face
// with avatarMargin of its size on each side.
const (
	avatarSize   = 192
	avatarMargin = 0.35
)

// personAvatar crops the person's face (the best one the caller may see)
// from a rendition of its photo, which the thumbnail cache keeps and
// orients, so regions measured on the photo as shown land on the face.
func (s *Server) personAvatar(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, err := s.deps.DB.Person(ctx, callerOf(c).reader, id)
	if err != nil {
		return err
	}
	if p.Face == nil {
		return fmt.Errorf("person %d has no face: %w", id, db.ErrNotFound)
	}
	f := *p.Face
	photo, err := s.deps.DB.PhotoByID(ctx, f.PhotoID)
	if err != nil {
		return err
	}
	etag := fmt.Sprintf(`"%s-%d-%.4f-%.4f-%.4f-%.4f"`, photo.Hash, avatarSize, f.X, f.Y, f.W, f.H)
	h := c.Response().Header()
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("ETag", etag)
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	b, err := s.cropFace(ctx, photo, f)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.Debug("avatar failed", "person_id", id, "photo_id", f.PhotoID, "err", err)
		return s.placeholder(c, http.StatusUnprocessableEntity, "tile_224", "this face cannot be shown")
	}
	return c.Blob(http.StatusOK, "image/jpeg", b)
}

// cropFace renders the avatar of face f on photo.
func (s *Server) cropFace(ctx context.Context, photo db.Photo, f db.Face) ([]byte, error) {
	if s.deps.Thumbs == nil {
		return nil, errors.New("thumbnails are not available")
	}
	mf, err := s.deps.DB.FileByHash(ctx, photo.Hash, db.FileScope{Reader: db.Reader{Kind: db.Owner}})
	if err != nil {
		return nil, err
	}
	abs, err := s.resolveOriginal(mf.Path)
	if err != nil {
		return nil, err
	}
	// A small face needs a larger rendition to fill the avatar.
	size := "fit_720"
	if math.Max(f.W, f.H) < 0.2 {
		size = "fit_1920"
	}
	t, err := s.deps.Thumbs.Thumb(ctx, ThumbSource{Path: abs, Hash: photo.Hash, MIME: mf.MIME, Orientation: mf.Orientation}, size)
	if err != nil {
		return nil, err
	}
	var r io.Reader = bytes.NewReader(t.Data)
	if t.Path != "" {
		fh, err := os.Open(t.Path)
		if err != nil {
			return nil, fmt.Errorf("open rendition: %w", err)
		}
		defer fh.Close()
		r = fh
	}
	src, _, err := image.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("decode rendition: %w", err)
	}
	box := faceBox(src.Bounds(), f)
	dst := image.NewRGBA(image.Rect(0, 0, avatarSize, avatarSize))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, box, draw.Src, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 85}); err != nil {
		return nil, fmt.Errorf("encode avatar: %w", err)
	}
	return out.Bytes(), nil
}

// faceBox is the square crop around face f (fractions of the photo as
// shown) in an image of bounds b: the face's longer side plus a margin,
// centred on the face, moved (never squashed) to stay inside the image,
// and shrunk only when the image is narrower than the square.
func faceBox(b image.Rectangle, f db.Face) image.Rectangle {
	w, h := float64(b.Dx()), float64(b.Dy())
	cx, cy := b.Min.X+int((f.X+f.W/2)*w), b.Min.Y+int((f.Y+f.H/2)*h)
	side := int(math.Max(f.W*w, f.H*h) * (1 + 2*avatarMargin))
	side = max(side, 8)
	side = min(side, b.Dx(), b.Dy())
	x0 := min(max(cx-side/2, b.Min.X), b.Max.X-side)
	y0 := min(max(cy-side/2, b.Min.Y), b.Max.Y-side)
	return image.Rect(x0, y0, x0+side, y0+side)
}
