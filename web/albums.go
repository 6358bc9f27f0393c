package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"pinhole/db"
)

func (s *Server) listAlbums(c echo.Context) error {
	cl := callerOf(c)
	ctx := c.Request().Context()
	albums, err := s.deps.DB.Albums(ctx, cl.reader)
	if err != nil {
		return err
	}
	tt, err := s.thumbToken(ctx, cl)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"albums": albums, "thumb_token": tt})
}

func (s *Server) getAlbum(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	a, err := s.deps.DB.AlbumByID(c.Request().Context(), id, callerOf(c).reader)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

func (s *Server) createAlbum(c echo.Context) error {
	var in struct {
		Title       string `json:"title"`
		Description string `json:"description"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	a, err := s.deps.DB.CreateAlbum(c.Request().Context(), in.Title, in.Description)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, a)
}

func (s *Server) editAlbum(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Title        *string `json:"title"`
		Description  *string `json:"description"`
		CoverPhotoID *int64  `json:"cover_photo_id"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.deps.DB.EditAlbum(ctx, id, db.AlbumEdit{Title: in.Title, Description: in.Description, CoverPhotoID: in.CoverPhotoID}); err != nil {
		return err
	}
	a, err := s.deps.DB.AlbumByID(ctx, id, callerOf(c).reader)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

func (s *Server) deleteAlbum(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.deps.DB.DeleteAlbum(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type idsBody struct {
	PhotoIDs []int64 `json:"photo_ids"`
}

// albumPhotos reads the album id from the path and the photo ids from the
// body, as the add, remove and order routes take them.
func albumPhotos(c echo.Context) (int64, []int64, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return 0, nil, err
	}
	var in idsBody
	if err := bindJSON(c, &in); err != nil {
		return 0, nil, err
	}
	return id, in.PhotoIDs, nil
}

func (s *Server) addToAlbum(c echo.Context) error {
	id, photos, err := albumPhotos(c)
	if err != nil {
		return err
	}
	n, err := s.deps.DB.AddToAlbum(c.Request().Context(), id, photos)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"added": n})
}

func (s *Server) removeFromAlbum(c echo.Context) error {
	id, photos, err := albumPhotos(c)
	if err != nil {
		return err
	}
	n, err := s.deps.DB.RemoveFromAlbum(c.Request().Context(), id, photos)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"removed": n})
}

func (s *Server) orderAlbum(c echo.Context) error {
	id, photos, err := albumPhotos(c)
	if err != nil {
		return err
	}
	if err := s.deps.DB.OrderAlbum(c.Request().Context(), id, photos); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) orderAlbums(c echo.Context) error {
	var in struct {
		AlbumIDs []int64 `json:"album_ids"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if err := s.deps.DB.OrderAlbums(c.Request().Context(), in.AlbumIDs); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
